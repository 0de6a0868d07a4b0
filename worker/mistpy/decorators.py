"""Mist's decorators: ``with_args``, ``arg``, ``opt_arg``, ``list_type`` and ``on_*``.

A decorated function is called the Mist way: the Spark object as the only positional
argument, every user argument as a keyword. The decorators leave metadata on the function
that Haze's info extractor reads: ``type_choice`` and ``fn_tags`` (the context kind) and
``args_def`` (the declared arguments, in order).

Where Mist's own runtime was wrong, this one is right:

* every declared default is applied (Mist applied only the last declaration's);
* an absent ``opt_arg`` is passed as ``None`` (Mist passed nothing, so the call failed);
* ``default=None`` given explicitly is a default like any other (Mist made it required);
* ``on_*`` outside ``with_args`` keeps ``args_def`` (Mist lost it), because both wrappers
  copy the wrapped function's attributes with ``functools.wraps``.
"""

import functools

from .tags import (
    HIVE_CONTEXT, HIVE_SESSION, HIVE_TAGS, SPARK_CONTEXT, SPARK_SESSION, SPARK_STREAMING,
    SQL_CONTEXT, SQL_TAGS, STREAMING_TAGS,
)

__all__ = [
    "with_args", "arg", "opt_arg", "list_type",
    "on_spark_context", "on_spark_session", "on_hive_session",
    "on_sql_context", "on_hive_context", "on_streaming_context",
]

_NO_DEFAULT = object()


class ArgDef:
    """One declared argument: ``name``, ``type_hint``, whether it may be absent, its default.

    ``name``, ``type_hint`` and ``is_optional`` are the attribute names Mist used.
    """

    def __init__(self, name, type_hint, is_optional, default=_NO_DEFAULT):
        if not isinstance(name, str) or not name:
            raise TypeError(f"an argument name must be a non-empty string, got {name!r}")
        self.name = name
        self.type_hint = type_hint
        self.is_optional = is_optional
        self.has_default = default is not _NO_DEFAULT
        self.default = None if default is _NO_DEFAULT else default

    def __repr__(self):
        default = f", default={self.default!r}" if self.has_default else ""
        return f"ArgDef({self.name!r}, {self.type_hint!r}, optional={self.is_optional}{default})"


class ListType:
    """The hint built by ``list_type(t)``; attribute names as in Mist."""

    container_type = list

    def __init__(self, main_type):
        self.main_type = main_type

    def __repr__(self):
        return f"list_type({self.main_type!r})"


def arg(name, type_hint=None, default=_NO_DEFAULT, optional=False):
    """Declare an argument; it is required unless it has a default or ``optional=True``."""
    return ArgDef(name, type_hint, optional or default is not _NO_DEFAULT, default)


def opt_arg(name, type_hint=None):
    """Declare an optional argument; it is ``None`` when the request omits it."""
    return arg(name, type_hint, optional=True)


def list_type(main_type):
    """The hint for a list whose elements are ``main_type``."""
    return ListType(main_type)


def with_args(*args_def):
    """Declare the function's arguments (outermost decorator) and fill in absent ones."""
    for declaration in args_def:
        if not isinstance(declaration, ArgDef):
            raise TypeError(f"with_args takes arg(...) or opt_arg(...) declarations, got {declaration!r}")
    names = [declaration.name for declaration in args_def]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise TypeError(f"with_args declares {', '.join(duplicates)} more than once")

    def decorate(fn):
        @functools.wraps(fn)
        def call_with_args(*args, **kwargs):
            for declaration in args_def:
                if declaration.name not in kwargs and declaration.is_optional:
                    kwargs[declaration.name] = declaration.default
            return fn(*args, **kwargs)

        call_with_args.args_def = args_def
        return call_with_args

    return decorate


def _context_decorator(type_choice, tags):
    """Build an ``on_*`` decorator: it marks the context kind and enforces Mist's call shape."""

    def decorate(fn):
        @functools.wraps(fn)
        def call_with_context(*args, **kwargs):
            if len(args) != 1:
                raise TypeError(
                    f"{fn.__name__}() takes the Spark object as its only positional argument "
                    f"and every other argument by keyword; got {len(args)} positional arguments"
                )
            return fn(args[0], **kwargs)

        call_with_context.type_choice = type_choice
        call_with_context.fn_tags = tags
        return call_with_context

    return decorate


on_spark_context = _context_decorator(SPARK_CONTEXT, ())
on_spark_session = _context_decorator(SPARK_SESSION, SQL_TAGS)
on_hive_session = _context_decorator(HIVE_SESSION, HIVE_TAGS)
on_sql_context = _context_decorator(SQL_CONTEXT, SQL_TAGS)
on_hive_context = _context_decorator(HIVE_CONTEXT, HIVE_TAGS)
on_streaming_context = _context_decorator(SPARK_STREAMING, STREAMING_TAGS)
