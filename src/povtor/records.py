"""Records: dataclasses that are quick to define.

A command imports dozens of record classes before it does any work, and the standard
``@dataclass`` compiles Python source for each: an ``__init__``, a ``__repr__``, an
``__eq__``, and (frozen) a ``__hash__``, a ``__setattr__`` and a ``__delattr__``. That
compiling is nearly all the cost of defining one. :func:`record` makes the same dataclass
(``dataclasses.fields``, ``replace`` and ``asdict`` work on it as on any) and compiles
nothing: ``__repr__``, ``__eq__``, ``__hash__`` and the frozen guards are shared
functions that read the fields' names, and ``__init__`` is one compiled once per number
of fields, its names given to each class (:func:`_init`). A record whose ``__init__``
does more than assign its arguments (a default factory, a field left out of it,
keyword-only fields, ``__post_init__``, fields inherited from another dataclass) gets the
standard one.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, fields
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
        plain = _plain(cls)
        if not cls.__dict__.get("__doc__"):  # (the standard one asks for the signature)
            cls.__doc__ = f"{cls.__name__}({', '.join(inspect.get_annotations(cls))})"
        made: Any = dataclass(
            cls,
            init=not plain,
            repr=False,
            eq=False,
            frozen=frozen and not plain,
            slots=slots,
        )
        every = fields(made)
        if plain:
            made.__init__ = _init(made, every, frozen)
            if frozen:
                names = frozenset(f.name for f in every)
                made.__setattr__ = _frozen_setattr(made, names)
                made.__delattr__ = _frozen_delattr(made, names)
                if slots:
                    made.__getstate__, made.__setstate__ = _getstate, _setstate
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


def _plain(cls: type) -> bool:
    """Whether the ``__init__`` of ``cls`` as a dataclass only assigns its arguments, in
    the order of its fields, the defaults (plain values) last."""
    if "__post_init__" in dir(cls) or any(
        hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:]
    ):
        return False
    namespace = cls.__dict__
    defaulted = False
    for name, annotation in inspect.get_annotations(cls).items():
        if name in ("self", "_set"):
            return False  # (the names the compiled one uses itself)
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if "ClassVar" in text or "InitVar" in text or "KW_ONLY" in text:
            return False
        value = namespace.get(name, MISSING)
        if isinstance(value, Field):
            return False
        if value is MISSING and defaulted:
            return False  # (the standard dataclass says why)
        defaulted = defaulted or value is not MISSING
    return True


def _init(cls: type, every: tuple[Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """An ``__init__`` assigning each of the fields ``every`` from its argument (with its
    default, if any), made from the one compiled for that many fields."""
    names = tuple(f.name for f in every)
    template = _init_template(len(names), frozen)
    placeholders = tuple(f"_{index}" for index in range(len(names)))
    rename = dict(zip(placeholders, names, strict=True))
    code = template.replace(
        co_varnames=tuple(rename.get(name, name) for name in template.co_varnames),
        co_names=tuple(rename.get(name, name) for name in template.co_names),
        co_consts=tuple(
            rename.get(const, const) if isinstance(const, str) else const
            for const in template.co_consts
        ),
        co_name="__init__",
        co_qualname=f"{cls.__qualname__}.__init__",
    )
    init = types.FunctionType(code, _INIT_GLOBALS, "__init__")
    init.__defaults__ = tuple(f.default for f in every if f.default is not MISSING) or None
    init.__annotations__ = {**{f.name: f.type for f in every}, "return": None}
    init.__module__ = cls.__module__
    return init


_INIT_GLOBALS: dict[str, Any] = {"_set": object.__setattr__, "__builtins__": {}}


@functools.cache
def _init_template(count: int, frozen: bool) -> types.CodeType:
    placeholders = [f"_{index}" for index in range(count)]
    if frozen:
        body = [f"    _set(self, {name!r}, {name})" for name in placeholders]
    else:
        body = [f"    self.{name} = {name}" for name in placeholders]
    source = f"def __init__(self, {', '.join(['self', *placeholders][1:])}):\n"
    source += "\n".join(body or ["    pass"]) + "\n"
    namespace: dict[str, Any] = {}
    exec(source, _INIT_GLOBALS, namespace)  # (the template: its names are placeholders)
    return namespace["__init__"].__code__


def _frozen_setattr(cls: type[Any], names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if self.__class__ is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: type[Any], names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if self.__class__ is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)
