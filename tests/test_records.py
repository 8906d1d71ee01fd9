"""povtor's records (``povtor.records.record``) behave as the standard dataclasses they
stand for: the same fields, ``repr``, equality, hashing and frozenness."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from povtor.records import record


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    label: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class StdPoint:
    x: int
    y: int = 0
    label: str = field(default="", compare=False, repr=False)


@record(slots=True)
class Row:
    id: int
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class StdRow:
    id: int
    names: list[str] = field(default_factory=list)


@record(slots=True, eq=False)
class Mark:
    on: str


def test_repr_is_the_standard_one() -> None:
    assert repr(Point(1, 2, "a")) == repr(StdPoint(1, 2, "a")).replace("StdPoint", "Point")
    assert repr(Row(1, ["Ёж"])) == "Row(id=1, names=['Ёж'])"


def test_equality_and_hash_follow_the_compared_fields() -> None:
    assert Point(1, 2, "a") == Point(1, 2, "b")  # the label is not compared
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert Point(1, 2) != StdPoint(1, 2)  # another class is never equal
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert Row(1, ["a"]) == Row(1, ["a"]) and Row(1) != Row(2)


def test_a_record_that_is_not_frozen_is_not_hashable_as_a_dataclass() -> None:
    with pytest.raises(TypeError):
        hash(Row(1))
    with pytest.raises(TypeError):
        hash(StdRow(1))


def test_without_eq_a_record_is_itself_only() -> None:
    first = Mark("2026-03-02")
    assert first == first and first != Mark("2026-03-02")
    assert len({first, Mark("2026-03-02")}) == 2


def test_frozen_slots_fields_replace_and_asdict_work_as_for_any_dataclass() -> None:
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    assert dataclasses.replace(point, y=7) == Point(1, 7)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "label"]
    assert dataclasses.asdict(Row(3, ["a"])) == {"id": 3, "names": ["a"]}
    assert not hasattr(Row(1), "__dict__")  # slotted
    assert dataclasses.is_dataclass(Point) and dataclasses.is_dataclass(Row)


@record(frozen=True, slots=True)
class Stamp:
    on: str
    by: str = "me"


@dataclass(frozen=True, slots=True)
class StdStamp:
    on: str
    by: str = "me"


@record
class Counted:
    total: int
    parts: int = 0

    def __post_init__(self) -> None:
        self.parts = self.parts or self.total


@record(frozen=True)
class Labelled(Point):
    name: str = "?"


def test_an_init_takes_its_fields_as_the_standard_one_does() -> None:
    import inspect

    assert str(inspect.signature(Point)) == str(inspect.signature(StdPoint))
    assert str(inspect.signature(Stamp)) == str(inspect.signature(StdStamp))
    assert repr(Stamp("a")) == repr(StdStamp("a")).replace("StdStamp", "Stamp")
    assert Point(y=3, x=1) == Point(1, 3)
    assert Stamp("2026-03-02").by == "me" and Stamp("a", "b") == Stamp(by="b", on="a")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, "a", "extra")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=2)  # type: ignore[call-arg]


def test_a_frozen_slotted_record_copies_and_pickles() -> None:
    import copy
    import pickle

    stamp = Stamp("2026-03-02", "Ёж")
    assert copy.copy(stamp) == stamp and copy.deepcopy(stamp) == stamp
    assert pickle.loads(pickle.dumps(stamp)) == stamp
    with pytest.raises(dataclasses.FrozenInstanceError):
        stamp.on = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del stamp.by  # type: ignore[misc]


def test_post_init_and_inherited_fields_keep_the_standard_init() -> None:
    assert Counted(5).parts == 5 and Counted(5, 2).parts == 2
    labelled = Labelled(1, 2, "l", "n")
    assert (labelled.x, labelled.y, labelled.name) == (1, 2, "n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        labelled.name = "m"  # type: ignore[misc]


def test_every_record_of_povtor_takes_its_fields_in_order_with_their_defaults() -> None:
    import importlib
    import inspect
    import pkgutil

    import povtor

    checked = 0
    for module in pkgutil.walk_packages(povtor.__path__, "povtor."):
        if ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if not (isinstance(value, type) and dataclasses.is_dataclass(value)):
                continue
            if value.__module__ != module.name:
                continue
            parameters = inspect.signature(value).parameters
            every = [f for f in dataclasses.fields(value) if f.init]
            assert list(parameters) == [f.name for f in every], value
            for f in every:
                default = parameters[f.name].default
                if f.default is not dataclasses.MISSING:
                    assert default == f.default, (value, f.name)
                elif f.default_factory is dataclasses.MISSING:
                    assert default is inspect.Parameter.empty, (value, f.name)
            checked += 1
    assert checked > 100
