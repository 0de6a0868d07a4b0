"""``encode(value, limit)``: a function's return value as exact JSON text, or ResultError.

Written by hand rather than with ``json.dumps(default=...)`` because the standard encoder
cannot write a ``Decimal`` as a number without rounding it through a float, and because
the conversions a Spark result needs (DataFrames, Rows, dates, bytes, numpy scalars) are
easier to read in one place. Python ints are written in full: the master forwards this
text without parsing it into doubles, so ``2**100`` arrives digit for digit.
"""

import base64
import collections.abc
import datetime
import decimal
import json
import math
import sys

from pyspark.sql import DataFrame, Row


class ResultError(Exception):
    """The value cannot be the job's result; the message is shown to the user as is."""


def encode(value, limit: int) -> str:
    """The JSON text of ``value``; ResultError if it has no JSON form or is over ``limit``
    bytes of UTF-8."""
    pieces = []
    _write(_plain(value), pieces)
    text = "".join(pieces)
    size = len(text.encode("utf-8"))
    if size > limit:
        raise ResultError(f"the result is {size} bytes, over the limit of {limit} bytes (resultLimit)")
    return text


def _plain(value):
    """A DataFrame result becomes its rows."""
    if isinstance(value, DataFrame):
        return [row.asDict(recursive=True) for row in value.collect()]
    return value


def _write(value, out: list) -> None:
    if value is None or value is True or value is False:
        out.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))  # also IntEnum members: their number, not their name
    elif isinstance(value, float):
        out.append(float.__repr__(value) if math.isfinite(value) else "null")
    elif isinstance(value, decimal.Decimal):
        out.append(str(value) if value.is_finite() else "null")
    elif isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        out.append(_string(value.isoformat()))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        out.append(_string(base64.b64encode(value).decode("ascii")))
    elif isinstance(value, Row):  # a tuple, so before tuples
        _write(value.asDict(recursive=True), out)
    elif isinstance(value, collections.abc.Mapping):
        _write_object(value, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        _write_array(value, out)
    elif _is_numpy(value):
        _write(value.tolist(), out)  # scalars and arrays alike become Python values
    else:
        raise ResultError(f"result of type {_type_name(value)} cannot be encoded as JSON")


def _write_object(mapping, out: list) -> None:
    out.append("{")
    for index, (key, item) in enumerate(mapping.items()):
        if index:
            out.append(",")
        out.append(_string(_key(key)))
        out.append(":")
        _write(item, out)
    out.append("}")


def _write_array(items, out: list) -> None:
    out.append("[")
    for index, item in enumerate(items):
        if index:
            out.append(",")
        _write(item, out)
    out.append("]")


def _key(key) -> str:
    """Object keys as ``json.dumps`` turns them into strings; other key types are refused."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise ResultError(f"result has a dict key of type {_type_name(key)}; JSON object keys must be strings")


def _string(text: str) -> str:
    """A JSON string literal: UTF-8 as is, unless the text holds lone surrogates (which
    UTF-8 cannot carry), which are then escaped."""
    literal = json.dumps(text, ensure_ascii=False)
    try:
        literal.encode("utf-8")
    except UnicodeEncodeError:
        literal = json.dumps(text)
    return literal


def _is_numpy(value) -> bool:
    numpy = sys.modules.get("numpy")  # never imported here: if it is not loaded, no value is numpy's
    return numpy is not None and isinstance(value, (numpy.generic, numpy.ndarray))


def _type_name(value) -> str:
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
