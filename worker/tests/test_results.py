"""results.encode: exact JSON for every kind of value a function may return (no Spark)."""

import datetime
import decimal
import json

import pytest
from pyspark.sql import Row

from haze_worker.results import ResultError, deliver, encode


def test_json_values_round_trip_exactly():
    value = {"big": 2**100, "neg": -(2**64), "nested": {"list": [1, 2.5, True, False, None, "x"]}, "ü": "é"}
    text = encode(value, 10_000)
    assert "1267650600228229401496703205376" in text
    assert json.loads(text) == value


def test_conversions():
    value = {
        1: (1, 2), "set": {3}, "nan": float("nan"), "inf": float("-inf"),
        "decimal": decimal.Decimal("12345678901234567890.123456789"), "dnan": decimal.Decimal("NaN"),
        "when": datetime.datetime(2024, 5, 6, 7, 8, 9), "day": datetime.date(2024, 5, 6),
        "bytes": b"\x00\xff", "row": Row(a=1, inner=Row(b=[Row(c=2)])),
    }
    text = encode(value, 10_000)
    assert '"decimal":12345678901234567890.123456789' in text
    assert json.loads(text) == {
        "1": [1, 2], "set": [3], "nan": None, "inf": None, "decimal": 12345678901234567890.123456789,
        "dnan": None, "when": "2024-05-06T07:08:09", "day": "2024-05-06", "bytes": "AP8=",
        "row": {"a": 1, "inner": {"b": [{"c": 2}]}},
    }


def test_top_level_row_and_lone_surrogate():
    assert json.loads(encode(Row(x=1), 100)) == {"x": 1}
    text = encode("a\udc80", 100)
    text.encode("utf-8")  # escaped, so it can travel
    assert json.loads(text) == "a\udc80"


def test_numpy_values_if_numpy_is_installed():
    numpy = pytest.importorskip("numpy")
    assert json.loads(encode({"a": numpy.int64(3), "b": numpy.arange(3)}, 100)) == {"a": 3, "b": [0, 1, 2]}


def test_unencodable_values_fail_with_their_type():
    with pytest.raises(ResultError, match="^result of type object cannot be encoded as JSON$"):
        encode(object(), 100)
    with pytest.raises(ResultError, match="result of type datetime.timedelta cannot be encoded"):
        encode([datetime.timedelta(1)], 100)
    with pytest.raises(ResultError, match="dict key of type tuple"):
        encode({(1, 2): 3}, 100)


def test_limit_counts_utf8_bytes():
    assert encode("éé", 6) == '"éé"'
    with pytest.raises(ResultError, match=r"^the result is over the limit of 5 bytes \(resultLimit\)$"):
        encode("éé", 5)


class Store:
    """What deliver writes a result over the limit to: counts what it holds at most at once."""

    def __init__(self, format):
        self.format, self.chunks, self.closed, self.aborted = format, [], False, False

    def write(self, data):
        self.chunks.append(bytes(data))

    def close(self):
        self.closed = True
        return sum(map(len, self.chunks))

    def abort(self):
        self.aborted = not self.closed


def test_small_results_stay_inline():
    stores = []
    assert deliver([1, 2**70], 100, lambda f: stores.append(Store(f)) or stores[-1]) == {"resultJson": "[1,1180591620717411303424]"}
    assert stores == []


def test_a_result_over_the_limit_goes_to_the_store_in_chunks():
    stores = []
    value = [{"i": i, "big": 2**64 + i, "s": "é" * 10} for i in range(200_000)]
    outcome = deliver(value, 1000, lambda f: stores.append(Store(f)) or stores[-1])
    (store,) = stores
    data = b"".join(store.chunks)
    assert outcome == {"resultFile": {"size": len(data), "format": "json"}} and store.closed
    assert data == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    # Written as it is encoded: no chunk near the whole (about 9 MB here).
    assert len(store.chunks) > 4 and max(map(len, store.chunks)) < 4 * 2**20


def test_a_generator_is_encoded_as_it_yields():
    consumed = []

    def numbers():
        for i in range(3):
            consumed.append(i)
            yield i

    assert encode({"n": numbers()}, 100) == '{"n":[0,1,2]}' and consumed == [0, 1, 2]


def test_a_failing_value_aborts_the_store():
    stores = []
    with pytest.raises(ResultError, match="result of type object"):
        deliver(["x" * 2_000_000, object()], 1000, lambda f: stores.append(Store(f)) or stores[-1])
    (store,) = stores
    assert store.aborted and not store.closed
