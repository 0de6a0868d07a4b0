"""The signature of a function decorated with mistpy's decorators, read as Mist read it.

Only the attributes the decorators leave are used (``type_choice``, ``args_def`` and, on
each declaration, ``name``, ``type_hint``, ``is_optional``), so a function decorated by
Mist's own mistpy is read too; only mistpy's ``has_default`` / ``default`` add defaults.
"""

import inspect

from . import argtypes
from .errors import SignatureError

_KINDS = {
    "sp_context": "spark_context",
    "sp_session": "spark_session",
    "hive_session": "hive_session",
    "sql_context": "sql_context",
    "hive_context": "hive_context",
    "streaming": "streaming_context",
}

# bool before int: bool is a subclass of int (Mist checked int first and reported MInt).
_CLASSES = ((bool, "MBoolean"), (int, "MInt"), (float, "MDouble"), (str, "MString"))


def is_mist_function(fn) -> bool:
    return hasattr(fn, "type_choice")


def describe_mist(fn) -> tuple:
    """``(context kind, execute, declared defaults)`` of a mistpy-decorated function."""
    kind = _KINDS.get(fn.type_choice)
    if kind is None:
        raise SignatureError(f"function `{fn.__qualname__}` has an unknown Mist context type {fn.type_choice!r}")
    execute, defaults = {}, {}
    for declaration in _args_def(fn):
        arg_type = _hint_type(declaration.type_hint, declaration.name)
        execute[declaration.name] = argtypes.option_of(arg_type) if declaration.is_optional else arg_type
        if getattr(declaration, "has_default", False):
            defaults[declaration.name] = declaration.default
    return kind, execute, defaults


def _args_def(fn) -> tuple:
    """The declarations, also when ``with_args`` sits under an ``on_*`` decorator.

    mistpy's wrappers copy ``args_def`` outward; a wrapper that does not (Mist's own) may
    still point at the function it wraps through ``__wrapped__``.
    """
    holder = inspect.unwrap(fn, stop=lambda f: hasattr(f, "args_def"))
    return tuple(getattr(holder, "args_def", ()))


def _hint_type(hint, name) -> dict:
    if hint is None:
        return argtypes.simple("MAny")
    if hasattr(hint, "container_type") and hasattr(hint, "main_type"):
        return argtypes.list_of(_hint_type(hint.main_type, name))
    if isinstance(hint, type):
        for cls, mist_type in _CLASSES:
            if issubclass(hint, cls):
                return argtypes.simple(mist_type)
        if issubclass(hint, list):
            return argtypes.list_of(argtypes.simple("MAny"))
        if issubclass(hint, dict):
            return argtypes.map_of(argtypes.simple("MString"), argtypes.simple("MAny"))
        # Mist reported any other class as Any; kept, so that Mist functions deploy unchanged.
        return argtypes.simple("MAny")
    raise SignatureError(
        f"argument `{name}`: unsupported type_hint {hint!r}; use str, int, float, bool, list, "
        "dict, list_type(...) or no hint"
    )
