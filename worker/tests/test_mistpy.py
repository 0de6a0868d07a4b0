"""mistpy's decorators at call time: Mist's call convention, minus Mist's runtime quirks."""

import pytest

import mistpy.decorators
from mistpy.decorators import *

CONTEXT = object()  # stands in for the Spark object; the decorators never touch it


def test_star_import_provides_mists_names():
    assert sorted(mistpy.decorators.__all__) == sorted([
        "with_args", "arg", "opt_arg", "list_type", "on_spark_context", "on_spark_session",
        "on_hive_session", "on_sql_context", "on_hive_context", "on_streaming_context",
    ])


@pytest.mark.parametrize("decorator, type_choice, tags", [
    (on_spark_context, "sp_context", ()),
    (on_spark_session, "sp_session", ("sql",)),
    (on_hive_session, "hive_session", ("hive", "sql")),
    (on_sql_context, "sql_context", ("sql",)),
    (on_hive_context, "hive_context", ("hive", "sql")),
    (on_streaming_context, "streaming", ("streaming",)),
])
def test_context_decorators_mark_kind_and_tags(decorator, type_choice, tags):
    @decorator
    def job(context):
        return context

    assert (job.type_choice, job.fn_tags) == (type_choice, tags)
    assert job(CONTEXT) is CONTEXT
    assert job.__name__ == "job"


def test_every_default_is_applied_not_only_the_last():
    @with_args(
        arg("a", type_hint=int, default=1),
        arg("b", type_hint=str),
        arg("c", type_hint=list, default=[1, 2, 3]),
    )
    @on_spark_context
    def job(sc, a, b, c):
        return [sc, a, b, c]

    assert job(CONTEXT, b="x") == [CONTEXT, 1, "x", [1, 2, 3]]
    assert job(CONTEXT, a=5, b="y", c=[]) == [CONTEXT, 5, "y", []]


def test_opt_arg_is_none_when_absent():
    @with_args(opt_arg("note", type_hint=str), arg("n", type_hint=int))
    @on_spark_context
    def job(sc, note, n):
        return note, n

    assert job(CONTEXT, n=1) == (None, 1)
    assert job(CONTEXT, n=1, note="hi") == ("hi", 1)


def test_explicit_default_none_is_a_default():
    @with_args(arg("x", type_hint=int, default=None))
    @on_spark_context
    def job(sc, x):
        return x

    assert job(CONTEXT) is None
    assert job.args_def[0].is_optional and job.args_def[0].has_default


def test_omitted_arguments_do_not_break_the_wrapper():
    @with_args(arg("a", type_hint=int, default=7), opt_arg("b", type_hint=int))
    @on_spark_session
    def job(spark):
        return "no parameters of its own"

    with pytest.raises(TypeError, match="unexpected keyword argument"):
        job(CONTEXT)  # the function itself refuses the filled-in arguments, as plain Python does

    @with_args(arg("a", type_hint=int, default=7), opt_arg("b", type_hint=int))
    @on_spark_session
    def tolerant(spark, **kwargs):
        return kwargs

    assert tolerant(CONTEXT) == {"a": 7, "b": None}


def test_a_required_argument_left_out_fails_in_the_function():
    @with_args(arg("a", type_hint=int))
    @on_spark_context
    def job(sc, a):
        return a

    with pytest.raises(TypeError, match="'a'"):
        job(CONTEXT)


def test_the_spark_object_must_be_the_only_positional_argument():
    @with_args(arg("a", type_hint=int))
    @on_spark_context
    def job(sc, a):
        return a

    with pytest.raises(TypeError, match="only positional argument"):
        job(CONTEXT, 1)
    with pytest.raises(TypeError, match="only positional argument"):
        job(a=1)


def test_with_args_without_context_decorator_works_as_in_mist():
    @with_args(arg("greeting", type_hint=str), arg("name", type_hint=str))
    def hello(greeting, name):
        return f"{greeting} {name}"

    assert hello(name="Allie", greeting="Hello") == "Hello Allie"


def test_reverse_order_keeps_args_def_and_defaults():
    @on_spark_context
    @with_args(arg("n", type_hint=int, default=3))
    def job(sc, n):
        return n

    assert [declaration.name for declaration in job.args_def] == ["n"]
    assert job.type_choice == "sp_context"
    assert job(CONTEXT) == 3


def test_with_args_copies_the_context_marks_outward():
    @with_args(arg("n", type_hint=int))
    @on_hive_session
    def job(spark, n):
        return n

    assert (job.type_choice, job.fn_tags) == ("hive_session", ("hive", "sql"))


def test_arg_declarations():
    required, defaulted, optional = arg("a", int), arg("b", float, default=0.5), opt_arg("c", str)
    assert (required.name, required.type_hint, required.is_optional, required.has_default) == ("a", int, False, False)
    assert (defaulted.is_optional, defaulted.has_default, defaulted.default) == (True, True, 0.5)
    assert (optional.is_optional, optional.has_default, optional.default) == (True, False, None)
    assert arg("d", optional=True).is_optional
    assert list_type(int).container_type is list and list_type(int).main_type is int


def test_with_args_refuses_what_is_not_a_declaration():
    with pytest.raises(TypeError, match="arg\\(...\\) or opt_arg"):
        with_args("samples")
    with pytest.raises(TypeError, match="more than once"):
        with_args(arg("a", int), opt_arg("a", str))
    with pytest.raises(TypeError, match="non-empty string"):
        arg("", int)
