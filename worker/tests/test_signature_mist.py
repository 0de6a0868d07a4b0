"""describe() on mistpy-decorated functions: Mist's metadata, with bool fixed to MBoolean."""

import types

import pytest

from haze_worker.errors import SignatureError
from haze_worker.loader import load_function
from haze_worker.signature import describe
from mistpy.decorators import *

INT, DOUBLE, STRING, BOOLEAN, ANY = ({"type": t} for t in ("MInt", "MDouble", "MString", "MBoolean", "MAny"))


def list_of(t):
    return {"type": "MList", "args": [t]}


def option_of(t):
    return {"type": "MOption", "args": [t]}


def arg_type(type_hint):
    @with_args(arg("x", type_hint=type_hint))
    @on_spark_context
    def job(sc, x): ...

    return describe(job)["execute"]["x"]


class Custom:
    pass


@pytest.mark.parametrize("type_hint, expected", [
    (None, ANY), (str, STRING), (int, INT), (float, DOUBLE), (bool, BOOLEAN),
    (list, list_of(ANY)), (dict, {"type": "MMap", "args": [STRING, ANY]}),
    (list_type(int), list_of(INT)), (list_type(bool), list_of(BOOLEAN)),
    (list_type(list_type(str)), list_of(list_of(STRING))), (list_type(None), list_of(ANY)),
    (Custom, ANY),  # Mist reported other classes as Any; kept so Mist functions deploy unchanged
])
def test_type_hint_mapping(type_hint, expected):
    assert arg_type(type_hint) == expected


def test_a_type_hint_that_is_not_a_class_is_refused():
    with pytest.raises(SignatureError, match="argument `x`: unsupported type_hint 'int'"):
        arg_type("int")


@pytest.mark.parametrize("decorator, kind, tags", [
    (on_spark_context, "spark_context", []),
    (on_spark_session, "spark_session", ["sql"]),
    (on_hive_session, "hive_session", ["hive", "sql"]),
    (on_sql_context, "sql_context", ["sql"]),
    (on_hive_context, "hive_context", ["hive", "sql"]),
    (on_streaming_context, "streaming_context", ["streaming"]),
])
def test_context_kind_and_tags(decorator, kind, tags):
    @decorator
    def job(context): ...

    assert describe(job) == {"lang": "python", "execute": {}, "tags": tags, "contextKind": kind, "defaults": {}}


def test_optional_and_defaulted_arguments_are_options_and_defaults_are_reported(samples):
    described = describe(load_function(str(samples / "mist_kinds.py"), "session_kinds"))
    assert list(described["execute"]) == [
        "name", "ratio", "verbose", "tags", "matrix", "values", "options", "anything", "limit",
    ]
    assert described["execute"]["name"] == STRING
    assert described["execute"]["ratio"] == option_of(DOUBLE)
    assert described["execute"]["verbose"] == BOOLEAN
    assert described["execute"]["tags"] == option_of(list_of(STRING))
    assert described["execute"]["limit"] == option_of(INT)
    assert described["defaults"] == {"ratio": 0.5, "limit": 10}
    assert (described["contextKind"], described["tags"]) == ("spark_session", ["sql"])


def test_mist_pi_sample(samples):
    assert describe(load_function(str(samples / "mist_pi.py"), "hello_mist")) == {
        "lang": "python", "execute": {"samples": option_of(INT)}, "tags": [],
        "contextKind": "spark_context", "defaults": {"samples": 1000},
    }


def test_reverse_decorator_order_still_finds_the_arguments(samples):
    described = describe(load_function(str(samples / "mist_kinds.py"), "reversed_order"))
    assert described["execute"] == {"n": INT, "note": option_of(STRING)}


def test_args_def_reached_through_wrapped_when_not_copied():
    """A context wrapper that copies nothing (like Mist's own) but records __wrapped__."""
    @with_args(arg("n", type_hint=int))
    def inner(sc, n): ...

    def outer(sc, **kwargs): ...
    outer.type_choice, outer.fn_tags, outer.__wrapped__ = "sp_context", (), inner

    assert describe(outer)["execute"] == {"n": INT}


def test_lost_args_def_means_no_arguments_as_in_mist():
    def outer(sc, **kwargs): ...
    outer.type_choice, outer.fn_tags = "sp_session", {"sql"}

    assert describe(outer)["execute"] == {}


def test_declarations_from_mists_own_mistpy_are_read_by_their_attributes():
    declarations = (
        types.SimpleNamespace(name="a", type_hint=int, is_optional=False),
        types.SimpleNamespace(
            name="b", type_hint=types.SimpleNamespace(container_type=list, main_type=str), is_optional=True,
        ),
    )

    def job(sc, a, b): ...
    job.type_choice, job.fn_tags, job.args_def = "sql_context", {"sql"}, declarations

    assert describe(job)["execute"] == {"a": INT, "b": option_of(list_of(STRING))}


def test_with_args_without_a_context_decorator_is_refused():
    @with_args(arg("name", type_hint=str))
    def hello(name): ...

    with pytest.raises(SignatureError, match="has @with_args but no context decorator"):
        describe(hello)


def test_unknown_type_choice_is_refused():
    def job(sc): ...
    job.type_choice, job.fn_tags = "gpu_context", ()

    with pytest.raises(SignatureError, match="unknown Mist context type 'gpu_context'"):
        describe(job)
