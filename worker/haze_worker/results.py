"""A function's return value as exact JSON text: ``deliver(value, limit, open_store)``.

A result of at most ``limit`` bytes (``resultLimit``) is returned as text, to travel inline in
the ``finished`` frame as it always has. A bigger one is handed, as it is being encoded, to a
store (result_upload.py streams it to the master) and never exists whole in this process:
pieces are buffered up to about a MiB, encoded to UTF-8 and written. A DataFrame is read a
partition at a time (one Spark job each, as ``toLocalIterator`` does), never collected whole in
the driver; over the limit it is stored as JSON lines, one row object per line, since a client
of a result that large wants to read it row by row. A generator (any iterator) is encoded as an
array as it yields, so a function can return a large result without building it.

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
import types

from pyspark.serializers import BatchedSerializer, CPickleSerializer
from pyspark.sql import DataFrame, Row
from pyspark.util import _load_from_socket


class ResultError(Exception):
    """The value cannot be the job's result; the message is shown to the user as is."""


# Characters of encoded JSON buffered before they are turned into bytes and passed on.
_FLUSH_CHARS = 1 << 20


def deliver(value, limit: int, open_store) -> dict:
    """The job's result: ``{"resultJson": text}`` if its JSON is at most ``limit`` bytes of
    UTF-8, else ``{"resultFile": {"size", "format"}}`` once it is written to
    ``open_store(format)`` (``write(bytes)``, ``close() -> size``, ``abort()``). ResultError if
    the value has no JSON form, or the store fails."""
    if isinstance(value, DataFrame):
        return _deliver_rows(value, limit, open_store)
    sink = _Sink(limit, lambda: open_store("json"), "json")
    with sink:
        _write(value, sink)
        return sink.finish()


def encode(value, limit: int) -> str:
    """The JSON text of ``value``; ResultError if it has no JSON form or is over ``limit``."""
    def refuse(_format):
        raise ResultError(f"the result is over the limit of {limit} bytes (resultLimit)")

    return deliver(value, limit, refuse)["resultJson"]


def _deliver_rows(frame, limit: int, open_store) -> dict:
    """A DataFrame's rows, a partition at a time: a JSON array while they fit in ``limit``,
    JSON lines in the store from the row that does not."""
    rows = _partitions(frame)
    kept, size = [], 2  # the brackets
    for row in rows:
        pieces = []
        _write(row.asDict(recursive=True), pieces)
        text = "".join(pieces)
        kept.append(text)
        size += len(text.encode("utf-8")) + 1  # and its comma
        if size - 1 > limit:
            sink = _Sink(0, lambda: open_store("jsonl"), "jsonl")
            with sink:
                for text in kept:
                    sink.append(text)
                    sink.append("\n")
                kept = None
                for row in rows:
                    _write(row.asDict(recursive=True), sink)
                    sink.append("\n")
                return sink.finish()
    return {"resultJson": "[" + ",".join(kept) + "]"}


def _partitions(frame):
    """A DataFrame's rows, one partition at a time: each partition is brought into the driver
    by a Spark job of its own (in the job's group, so a cancel stops it) and streamed from there
    to this process, so the driver holds one partition where collect() held them all.

    What ``DataFrame.toLocalIterator()`` does, by the same PySpark calls ``RDD.collect`` uses,
    but without keeping one SQL execution open around every job: on Spark 4.3 that one ran a
    1g driver out of heap on a DataFrame of 1 GB in 64 partitions (or 512), in a plain PySpark
    session as well; these jobs leave only garbage behind (bench/results.ts)."""
    sc = frame.sparkSession.sparkContext
    pickled = frame._jdf.javaToPython()  # the rows as pickled batches, as DataFrame.rdd reads them
    serializer = BatchedSerializer(CPickleSerializer())
    for index in range(pickled.getNumPartitions()):
        with _load_from_socket(sc._jvm.PythonRDD.runJob(sc._jsc.sc(), pickled, [index]), serializer) as rows:
            yield from rows


class _Sink:
    """Encoded pieces (``append``, as a list takes them): held while the result may still go
    inline, passed to the store from the moment it is over the limit."""

    def __init__(self, limit: int, open_store, format: str):
        self._limit = limit
        self._open_store = open_store
        self._format = format
        self._pieces = []
        self._pending = 0
        self._inline = []  # UTF-8 chunks, while no store is open
        self._inline_size = 0
        self._store = None

    def append(self, piece: str) -> None:
        self._pieces.append(piece)
        self._pending += len(piece)
        if self._pending >= _FLUSH_CHARS:
            self._flush()

    def finish(self) -> dict:
        self._flush()
        if self._store is None:
            return {"resultJson": b"".join(self._inline).decode("utf-8")}
        store, self._store = self._store, None
        return {"resultFile": {"size": store.close(), "format": self._format}}

    def _flush(self) -> None:
        if not self._pieces:
            return
        data = "".join(self._pieces).encode("utf-8")  # _string escapes what UTF-8 cannot carry
        self._pieces, self._pending = [], 0
        if self._store is not None:
            self._store.write(data)
            return
        self._inline.append(data)
        self._inline_size += len(data)
        if self._inline_size > self._limit:
            self._store = self._open_store()
            inline, self._inline = self._inline, []
            for chunk in inline:
                self._store.write(chunk)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self._store is not None:  # not finished: an error, or the job was cancelled
            self._store.abort()
        return False


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
    elif isinstance(value, (list, tuple, set, frozenset, types.GeneratorType, collections.abc.Iterator)):
        _write_array(value, out)  # an iterator is read once, as it goes
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
