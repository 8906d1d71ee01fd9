"""Records: dataclasses that are quick to define.

A command imports dozens of record classes before it does any work, and the standard
``@dataclass`` compiles a ``__repr__``, an ``__eq__`` and (frozen) a ``__hash__`` of its
own for each, about two thirds of the cost of defining one. :func:`record` makes the
same dataclass (``dataclasses.fields``, ``replace`` and ``asdict`` work on it as on any)
and gives it those three methods from shared functions that read the fields' names
instead: the same results, for a third of the start-up cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(
    *, frozen: bool = False, slots: bool = False, eq: bool = True
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform()
def record(
    cls: type[T] | None = None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True
) -> type[T] | Callable[[type[T]], type[T]]:
    """``@dataclass`` with ``frozen``, ``slots`` and ``eq`` as there (a frozen record with
    ``eq`` is hashable by its fields; one that is not frozen is not hashable)."""

    def make(cls: type[T]) -> type[T]:
        made: Any = dataclass(cls, repr=False, eq=False, frozen=frozen, slots=slots)
        every = fields(made)
        made.__repr__ = _repr(tuple(f.name for f in every if f.repr))
        if eq:
            values = _values(tuple(f.name for f in every if f.compare))
            made.__eq__ = _eq(values)
            made.__hash__ = _hash(values) if frozen else None
        return made

    return make if cls is None else make(cls)


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda _self: ()
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda self: (get(self),)
    return get


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__
