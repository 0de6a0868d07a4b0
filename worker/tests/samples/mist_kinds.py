"""Mist-style functions covering each argument declaration and several context kinds."""

from mistpy.decorators import *


@with_args(
    arg("name", type_hint=str),
    arg("ratio", type_hint=float, default=0.5),
    arg("verbose", type_hint=bool),
    opt_arg("tags", type_hint=list_type(str)),
    arg("matrix", type_hint=list_type(list_type(int))),
    arg("values", type_hint=list),
    arg("options", type_hint=dict),
    arg("anything"),
    arg("limit", type_hint=int, default=10),
)
@on_spark_session
def session_kinds(spark, name, ratio, verbose, tags, matrix, values, options, anything, limit):
    """Echo every argument back, so a run shows how each one arrived."""
    return {
        "name": name, "ratio": ratio, "verbose": verbose, "tags": tags, "matrix": matrix,
        "values": values, "options": options, "anything": anything, "limit": limit,
    }


@with_args(
    arg("path", type_hint=str)
)
@on_sql_context
def sql_average_age(sql_context, path):
    """Mist's SQL-context example: the average age of the people in a JSON file."""
    people = sql_context.read.json(path)
    people.createOrReplaceTempView("people")
    return {"result": sql_context.sql("SELECT AVG(age) AS avg_age FROM people").first()[0]}


@on_streaming_context
def streaming_no_args(ssc):
    """A streaming-context function that takes no arguments."""
    return {"sparkVersion": ssc.sparkContext.version}


@on_spark_session
@with_args(
    arg("n", type_hint=int),
    opt_arg("note", type_hint=str),
)
def reversed_order(spark, n, note):
    """The decorators in Mist's wrong order (on_* outside): Haze still finds the arguments."""
    return {"n": n, "note": note}
