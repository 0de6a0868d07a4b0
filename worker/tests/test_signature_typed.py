"""describe() on plain functions with type hints: context kinds, every type mapping, errors."""

import collections.abc
import dataclasses
import typing
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict

import pytest
from pyspark import SparkContext
from pyspark.sql import HiveContext, SparkSession, SQLContext
from pyspark.streaming import StreamingContext

from haze_worker.errors import SignatureError
from haze_worker.loader import load_function
from haze_worker.signature import describe

INT, DOUBLE, STRING, BOOLEAN, ANY = ({"type": t} for t in ("MInt", "MDouble", "MString", "MBoolean", "MAny"))


def list_of(t):
    return {"type": "MList", "args": [t]}


def option_of(t):
    return {"type": "MOption", "args": [t]}


def map_of(v):
    return {"type": "MMap", "args": [STRING, v]}


def arg_type(hint):
    """The type describe() reports for one parameter hinted ``hint``."""
    def job(spark: SparkSession, x): ...
    job.__annotations__["x"] = hint
    return describe(job)["execute"]["x"]


@pytest.mark.parametrize("hint, expected", [
    (int, INT), (float, DOUBLE), (str, STRING), (bool, BOOLEAN), (Any, ANY),
    (list, list_of(ANY)), (List, list_of(ANY)), (list[int], list_of(INT)), (List[str], list_of(STRING)),
    (Sequence[float], list_of(DOUBLE)), (collections.abc.Sequence[bool], list_of(BOOLEAN)), (Sequence, list_of(ANY)),
    (dict, map_of(ANY)), (Dict, map_of(ANY)), (dict[str, float], map_of(DOUBLE)), (Dict[str, int], map_of(INT)),
    (Mapping[str, str], map_of(STRING)), (collections.abc.Mapping[str, Any], map_of(ANY)),
    (Optional[int], option_of(INT)), (int | None, option_of(INT)), (typing.Union[None, str], option_of(STRING)),
    (list[dict[str, list[int]]], list_of(map_of(list_of(INT)))),
    (Optional[list[Optional[int]]], option_of(list_of(option_of(INT)))),
])
def test_type_mapping(hint, expected):
    assert arg_type(hint) == expected


class Address(TypedDict):
    city: str
    zip: Optional[int]


class Tagged(TypedDict, total=False):
    tags: list[str]


class Person(TypedDict):
    name: str
    address: Address
    extra: Tagged


@dataclasses.dataclass
class Window:
    start: int
    width: float = 1.0
    labels: list[str] = dataclasses.field(default_factory=list)
    computed: int = dataclasses.field(default=0, init=False)


def test_typed_dict_is_an_object_with_its_fields():
    assert arg_type(Person) == {"type": "MObj", "fields": {
        "name": STRING,
        "address": {"type": "MObj", "fields": {"city": STRING, "zip": option_of(INT)}},
        "extra": {"type": "MObj", "fields": {"tags": option_of(list_of(STRING))}},
    }}


def test_dataclass_is_an_object_fields_with_defaults_are_options():
    assert arg_type(Window) == {"type": "MObj", "fields": {
        "start": INT, "width": option_of(DOUBLE), "labels": option_of(list_of(STRING)),
    }}


def test_no_hint_is_any_and_defaults_make_options():
    def job(spark: SparkSession, a, b: int = 5, c: Optional[str] = None, d=2.5, e: list[int] = [1, 2]): ...

    described = describe(job)
    assert described["execute"] == {
        "a": ANY, "b": option_of(INT), "c": option_of(STRING), "d": option_of(ANY), "e": option_of(list_of(INT)),
    }
    assert described["defaults"] == {"b": 5, "c": None, "d": 2.5, "e": [1, 2]}


def test_defaults_that_json_cannot_carry_are_left_out():
    def job(spark: SparkSession, a: float = float("nan"), b: Any = object(), c: str = "kept"): ...

    assert describe(job)["defaults"] == {"c": "kept"}


def test_execute_keeps_declaration_order():
    def job(spark: SparkSession, zeta: int, alpha: int, *, mid: int, beta: int = 1): ...

    assert list(describe(job)["execute"]) == ["zeta", "alpha", "mid", "beta"]


@pytest.mark.parametrize("hint, kind, tags", [
    (SparkSession, "spark_session", ["sql"]),
    (SparkContext, "spark_context", []),
    (SQLContext, "sql_context", ["sql"]),
    (HiveContext, "hive_context", ["hive", "sql"]),
    (StreamingContext, "streaming_context", ["streaming"]),
])
def test_first_parameter_annotation_chooses_the_context(hint, kind, tags):
    def job(spark): ...
    job.__annotations__["spark"] = hint

    assert describe(job) == {"lang": "python", "execute": {}, "tags": tags, "contextKind": kind, "defaults": {}}


def test_a_subclass_of_a_spark_class_counts():
    class MySession(SparkSession):
        pass

    def job(spark: MySession): ...

    assert describe(job)["contextKind"] == "spark_session"


def no_parameters(): ...
def no_annotation(spark, n: int): ...
def wrong_annotation(n: int, spark: SparkSession): ...
def starts_with_varargs(*spark: SparkSession): ...
def keyword_only_first(*, spark: SparkSession): ...


@pytest.mark.parametrize("fn, found", [
    (no_parameters, "found no parameters"),
    (no_annotation, "found `spark` without a type hint"),
    (wrong_annotation, "found `n: int`"),
    (starts_with_varargs, "found `*spark: SparkSession`"),
    (keyword_only_first, "found keyword-only `spark: SparkSession`"),
])
def test_the_first_parameter_must_be_an_annotated_spark_object(fn, found):
    with pytest.raises(SignatureError) as error:
        describe(fn)
    assert str(error.value) == (
        f"function `{fn.__name__}` must take a SparkSession or SparkContext as its first parameter, "
        f"annotated with its type; {found}"
    )


def test_the_spark_parameter_may_be_positional_only():
    def job(spark: SparkSession, /, n: int): ...

    assert describe(job)["execute"] == {"n": INT}


def takes_varargs(spark: SparkSession, *rest: int): ...
def takes_kwargs(spark: SparkSession, **options: str): ...
def takes_positional_only(spark: SparkSession, n: int, /): ...


@pytest.mark.parametrize("fn, problem", [
    (takes_varargs, "it takes `*rest`"),
    (takes_kwargs, "it takes `**options`"),
    (takes_positional_only, "parameter `n` is positional-only (before `/`)"),
])
def test_parameters_that_cannot_take_keywords_are_refused(fn, problem):
    with pytest.raises(SignatureError, match="job arguments are passed by keyword") as error:
        describe(fn)
    assert f"function `{fn.__name__}` cannot receive its arguments: {problem};" in str(error.value)


class Recursive(TypedDict):
    child: "Recursive"


@pytest.mark.parametrize("hint, message", [
    (tuple[int, int], "parameter `x`: unsupported type hint tuple[int, int]; use int, float, str"),
    (set, "parameter `x`: unsupported type hint set;"),
    (complex, "parameter `x`: unsupported type hint complex;"),
    (typing.Union[int, str], "the only union supported is Optional[T]"),
    (Optional[typing.Union[int, str]], "the only union supported is Optional[T]"),
    (dict[int, str], "parameter `x`: unsupported type hint dict[int, str]; JSON object keys are strings"),
    (list[set], "parameter `x`: unsupported type hint set;"),
    (Recursive, "parameter `x.child`: Recursive refers to itself"),
])
def test_unsupported_hints_name_the_parameter_and_the_hint(hint, message):
    with pytest.raises(SignatureError) as error:
        arg_type(hint)
    assert message in str(error.value)


def test_unsupported_field_hint_names_the_field():
    class Bad(TypedDict):
        when: complex

    with pytest.raises(SignatureError, match="parameter `x.when`: unsupported type hint complex"):
        arg_type(Bad)


def test_unresolvable_string_hint_is_a_clear_error():
    def job(spark: SparkSession, n: "Undefined"): ...  # noqa: F821

    with pytest.raises(SignatureError, match="cannot resolve the type hints of `.*job`: NameError: name 'Undefined'"):
        describe(job)


POSTPONED = '''
from __future__ import annotations
import dataclasses
from typing import Optional, TypedDict
from pyspark.sql import SparkSession

class Options(TypedDict):
    retries: Optional[int]

@dataclasses.dataclass
class Span:
    start: int
    end: Optional[int] = None
    options: Optional[Options] = None

def job(spark: SparkSession, span: Span, names: list[str] | None = None) -> int:
    return 0

class Jobs:
    @staticmethod
    def static(spark: SparkSession, n: int) -> int:
        return n

    @classmethod
    def klass(cls, sc: "SparkContext", n: int) -> int:
        return n

from pyspark import SparkContext
'''


def test_postponed_annotations_in_a_loaded_file(tmp_path):
    path = tmp_path / "postponed.py"
    path.write_text(POSTPONED)
    assert describe(load_function(str(path), "job"))["execute"] == {
        "span": {"type": "MObj", "fields": {
            "start": INT,
            "end": option_of(INT),
            "options": option_of({"type": "MObj", "fields": {"retries": option_of(INT)}}),
        }},
        "names": option_of(list_of(STRING)),
    }


def test_unresolvable_field_hint_names_the_parameter(tmp_path):
    path = tmp_path / "fields.py"
    path.write_text(
        "from __future__ import annotations\nfrom typing import TypedDict\nfrom pyspark.sql import SparkSession\n"
        "class Box(TypedDict):\n    size: Missing\n"
        "def job(spark: SparkSession, box: Box): pass\n"
    )
    with pytest.raises(SignatureError, match="parameter `box`: cannot resolve the type hints of Box: NameError"):
        describe(load_function(str(path), "job"))


def test_static_and_class_methods_by_dotted_path(tmp_path):
    path = tmp_path / "postponed.py"
    path.write_text(POSTPONED)
    static = describe(load_function(str(path), "Jobs.static"))
    klass = describe(load_function(str(path), "Jobs.klass"))
    assert (static["contextKind"], static["execute"]) == ("spark_session", {"n": INT})
    assert (klass["contextKind"], klass["execute"]) == ("spark_context", {"n": INT})
