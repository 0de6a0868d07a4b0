"""``describe(fn)``: a user function's context kind, tags and arguments, in Mist's terms.

Two styles are read. A function carrying mistpy's decorators is described from them
(see mist_signature). Any other function is plain Python: its first parameter receives the
Spark object, chosen by its annotation; the others are the job's arguments, typed by their
hints (see hints). Nothing here starts Spark: pyspark is imported only to recognise an
annotation when the user's module has imported pyspark already.
"""

import inspect
import json
import sys
import typing

from . import argtypes
from .errors import SignatureError, one_line
from .hints import hint_name, hint_type
from .mist_signature import describe_mist, is_mist_function

TAGS = {
    "spark_context": (),
    "spark_session": ("sql",),
    "hive_session": ("hive", "sql"),
    "sql_context": ("sql",),
    "hive_context": ("hive", "sql"),
    "streaming_context": ("streaming",),
}

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def describe(fn) -> dict:
    """``{"lang", "execute", "tags", "contextKind", "defaults"}`` for a loaded function.

    ``execute`` keeps the declaration order. An argument that may be absent is an
    ``MOption``; ``defaults`` holds the declared defaults that JSON can carry.
    """
    if is_mist_function(fn):
        kind, execute, defaults = describe_mist(fn)
    elif hasattr(fn, "args_def"):
        raise SignatureError(
            f"function `{fn.__qualname__}` has @with_args but no context decorator; put "
            "@on_spark_context, @on_spark_session or another on_* decorator under @with_args"
        )
    else:
        kind, execute, defaults = _describe_typed(fn)
    return {
        "lang": "python",
        "execute": execute,
        "tags": list(TAGS[kind]),
        "contextKind": kind,
        "defaults": {name: value for name, value in defaults.items() if _is_json(value)},
    }


def _describe_typed(fn) -> tuple:
    name = fn.__qualname__
    parameters = list(inspect.signature(fn).parameters.values())
    hints = _function_hints(fn)
    kind = _first_parameter_kind(name, parameters, hints)
    execute, defaults = {}, {}
    for parameter in parameters[1:]:
        _check_passable_by_keyword(name, parameter)
        arg_type = hint_type(hints.get(parameter.name, typing.Any), parameter.name, fn.__globals__)
        if parameter.default is not parameter.empty:
            arg_type = argtypes.option_of(arg_type)
            defaults[parameter.name] = parameter.default
        execute[parameter.name] = arg_type
    return kind, execute, defaults


def _function_hints(fn) -> dict:
    try:
        return typing.get_type_hints(fn)
    except Exception as exc:
        raise SignatureError(f"cannot resolve the type hints of `{fn.__qualname__}`: {one_line(exc)}") from exc


def _first_parameter_kind(name, parameters, hints) -> str:
    first = parameters[0] if parameters else None
    kind = None
    if first is not None and first.kind in _POSITIONAL and first.name in hints:
        kind = _spark_kind(hints[first.name])
    if kind is None:
        found = "no parameters" if first is None else _render_parameter(first, hints)
        raise SignatureError(
            f"function `{name}` must take a SparkSession or SparkContext as its first parameter, "
            f"annotated with its type; found {found}"
        )
    return kind


def _spark_kind(hint):
    """The context kind a first-parameter annotation asks for, or None.

    A pyspark class can only be the hint if the user's module imported pyspark, so pyspark
    is imported here only in that case (cheaply: it is loaded already).
    """
    if "pyspark" not in sys.modules or not isinstance(hint, type):
        return None
    import pyspark
    import pyspark.sql
    import pyspark.streaming

    candidates = (
        (pyspark.sql.SparkSession, "spark_session"),
        (getattr(pyspark.sql, "HiveContext", None), "hive_context"),
        (pyspark.sql.SQLContext, "sql_context"),
        (pyspark.SparkContext, "spark_context"),
        (pyspark.streaming.StreamingContext, "streaming_context"),
    )
    for cls, kind in candidates:
        if cls is not None and issubclass(hint, cls):
            return kind
    return None


def _check_passable_by_keyword(name, parameter) -> None:
    """Arguments arrive as keywords, one per declared name: refuse what cannot take them."""
    problems = {
        parameter.POSITIONAL_ONLY: f"parameter `{parameter.name}` is positional-only (before `/`)",
        parameter.VAR_POSITIONAL: f"it takes `*{parameter.name}`",
        parameter.VAR_KEYWORD: f"it takes `**{parameter.name}`",
    }
    if parameter.kind in problems:
        raise SignatureError(
            f"function `{name}` cannot receive its arguments: {problems[parameter.kind]}; "
            "job arguments are passed by keyword, so declare each one as a named parameter"
        )


def _render_parameter(parameter, hints) -> str:
    stars = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
    if parameter.name in hints:
        text = f"`{stars}{parameter.name}: {hint_name(hints[parameter.name])}`"
    else:
        text = f"`{stars}{parameter.name}` without a type hint"
    return f"keyword-only {text}" if parameter.kind is parameter.KEYWORD_ONLY else text


def _is_json(value) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True
