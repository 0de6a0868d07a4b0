"""Python type hints to Mist argument types, for functions written with plain type hints.

Supported: int, float, str, bool, Any, list[T] / List[T] / Sequence[T], dict[str, T] /
Dict[str, T] / Mapping[str, T], Optional[T] / T | None, and TypedDicts and dataclasses
(as ``MObj``). Anything else is refused with the parameter's name, so that the master never
has to guess how to validate an argument.
"""

import collections.abc
import dataclasses
import sys
import types
import typing

from . import argtypes
from .errors import SignatureError, one_line

_SIMPLE = {int: "MInt", float: "MDouble", str: "MString", bool: "MBoolean"}
_LISTS = (list, collections.abc.Sequence)
_MAPS = (dict, collections.abc.Mapping)
_UNIONS = (typing.Union, types.UnionType)
_SUPPORTED = (
    "int, float, str, bool, Any, list[T], dict[str, T], Optional[T], a TypedDict or a dataclass"
)


def hint_type(hint, where: str, globalns: dict, enclosing: tuple = ()) -> dict:
    """Translate one resolved hint.

    ``where`` names the parameter (or field) in messages. ``globalns`` resolves the string
    annotations of classes defined in a ``.py`` artifact: its module is kept out of
    ``sys.modules`` (see loader), so ``typing`` cannot find that module by name.
    ``enclosing`` holds the classes being translated, to refuse recursive types.
    """
    if hint is typing.Any:
        return argtypes.simple("MAny")
    origin = typing.get_origin(hint)
    if origin is None and isinstance(hint, type) and hint in _SIMPLE:
        return argtypes.simple(_SIMPLE[hint])
    args = typing.get_args(hint)
    if origin in _UNIONS:
        return _optional(hint, args, where, globalns, enclosing)
    container = origin or hint
    if container in _LISTS:
        element = args[0] if args else typing.Any
        return argtypes.list_of(hint_type(element, where, globalns, enclosing))
    if container in _MAPS:
        return _map(hint, args, where, globalns, enclosing)
    if typing.is_typeddict(hint) or (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return _object(hint, where, globalns, enclosing)
    raise SignatureError(f"parameter `{where}`: unsupported type hint {hint_name(hint)}; use {_SUPPORTED}")


def hint_name(hint) -> str:
    """How a hint reads in a message: ``int``, ``list[int]``, ``typing.Optional[str]``."""
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__qualname__
    return repr(hint)


def _optional(hint, args, where, globalns, enclosing) -> dict:
    members = [member for member in args if member is not type(None)]
    if len(members) != 1 or len(args) != 2:
        raise SignatureError(
            f"parameter `{where}`: unsupported type hint {hint_name(hint)}; the only union supported is "
            "Optional[T] (T | None)"
        )
    return argtypes.option_of(hint_type(members[0], where, globalns, enclosing))


def _map(hint, args, where, globalns, enclosing) -> dict:
    key, value = args or (str, typing.Any)
    if key is not str:
        raise SignatureError(
            f"parameter `{where}`: unsupported type hint {hint_name(hint)}; JSON object keys are strings, "
            "so the key type must be str"
        )
    return argtypes.map_of(argtypes.simple("MString"), hint_type(value, where, globalns, enclosing))


def _object(cls, where, globalns, enclosing) -> dict:
    """A TypedDict or dataclass becomes ``MObj``; a field that may be absent is an option."""
    if cls in enclosing:
        raise SignatureError(
            f"parameter `{where}`: {cls.__qualname__} refers to itself; recursive types are not supported"
        )
    hints = _class_hints(cls, where, globalns)
    if typing.is_typeddict(cls):
        fields = [(name, name not in cls.__required_keys__) for name in hints]
    else:
        fields = [(field.name, _has_default(field)) for field in dataclasses.fields(cls) if field.init]
    described = {}
    for name, may_be_absent in fields:
        field_type = hint_type(hints.get(name, typing.Any), f"{where}.{name}", globalns, enclosing + (cls,))
        described[name] = argtypes.option_of(field_type) if may_be_absent else field_type
    return argtypes.obj(described)


def _has_default(field) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def _class_hints(cls, where, globalns) -> dict:
    own_module_known = cls.__module__ in sys.modules
    try:
        return typing.get_type_hints(cls, globalns=None if own_module_known else globalns)
    except Exception as exc:
        raise SignatureError(
            f"parameter `{where}`: cannot resolve the type hints of {cls.__qualname__}: {one_line(exc)}"
        ) from exc
