"""A job's JSON arguments as the keyword arguments of the user's function.

The master has already validated the arguments against the function's signature (see
signature.describe); this is the other half, turning JSON values into what the hints
promise:

* an absent ``Optional[T]`` parameter without a default receives ``None``;
* a dataclass parameter (also inside lists, dicts, Optionals and other dataclasses or
  TypedDicts) is built from its JSON object;
* a ``float`` parameter given a JSON integer receives a float.

A mistpy-decorated function is called the Mist way, with its declared arguments by
keyword; ``with_args`` fills in its own defaults and absent ``opt_arg`` values.

Arguments the function does not declare are left out (and reported), rather than failing
the call with a ``TypeError`` about an unexpected keyword.
"""

import collections.abc
import dataclasses
import inspect
import types
import typing

from .hints import _class_hints
from .mist_signature import is_mist_function

_UNIONS = (typing.Union, types.UnionType)


def prepare(fn, arguments: dict) -> tuple:
    """``(keyword arguments, names left out)`` for calling ``fn(spark_object, **kwargs)``."""
    if is_mist_function(fn):
        holder = inspect.unwrap(fn, stop=lambda f: hasattr(f, "args_def"))
        declared = [declaration.name for declaration in getattr(holder, "args_def", ())]
        kwargs = {name: arguments[name] for name in declared if name in arguments}
    else:
        kwargs = _typed(fn, arguments)
    return kwargs, sorted(set(arguments) - set(kwargs))


def _typed(fn, arguments: dict) -> dict:
    parameters = list(inspect.signature(fn).parameters.values())[1:]
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}  # describe() resolved them at deploy time; without them, pass JSON as is
    kwargs = {}
    for parameter in parameters:
        hint = hints.get(parameter.name, typing.Any)
        if parameter.name in arguments:
            kwargs[parameter.name] = _convert(arguments[parameter.name], hint, fn.__globals__)
        elif parameter.default is parameter.empty and _is_optional(hint):
            kwargs[parameter.name] = None
    return kwargs


def _convert(value, hint, globalns):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in _UNIONS:
        members = [member for member in args if member is not type(None)]
        return _convert(value, members[0], globalns) if len(members) == 1 else value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return value
    container = origin or hint
    if container in (list, collections.abc.Sequence) and isinstance(value, list):
        element = args[0] if args else typing.Any
        return [_convert(item, element, globalns) for item in value]
    if container in (dict, collections.abc.Mapping) and isinstance(value, dict):
        element = args[1] if len(args) == 2 else typing.Any
        return {key: _convert(item, element, globalns) for key, item in value.items()}
    if isinstance(value, dict) and isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _dataclass(hint, value, globalns)
        if typing.is_typeddict(hint):
            field_hints = _class_hints(hint, hint.__qualname__, globalns)
            return {key: _convert(item, field_hints.get(key, typing.Any), globalns) for key, item in value.items()}
    return value


def _dataclass(cls, value: dict, globalns):
    field_hints = _class_hints(cls, cls.__qualname__, globalns)
    fields = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        hint = field_hints.get(field.name, typing.Any)
        if field.name in value:
            fields[field.name] = _convert(value[field.name], hint, globalns)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING \
                and _is_optional(hint):
            fields[field.name] = None
    return cls(**fields)


def _is_optional(hint) -> bool:
    return typing.get_origin(hint) in _UNIONS and type(None) in typing.get_args(hint)
