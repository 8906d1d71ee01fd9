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
