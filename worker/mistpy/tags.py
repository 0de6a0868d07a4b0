"""Mist's context "type choices" and the tags each one gives a function.

The names and values are Mist's own, so code that imported them from ``mistpy.tags`` keeps
working. Tags are ordered tuples (Mist used sets) so that reported metadata is stable.
"""

SPARK_CONTEXT = "sp_context"
SPARK_SESSION = "sp_session"
SQL_CONTEXT = "sql_context"
HIVE_CONTEXT = "hive_context"
HIVE_SESSION = "hive_session"
SPARK_STREAMING = "streaming"

TYPE_CHOICES = (SPARK_CONTEXT, SPARK_SESSION, SQL_CONTEXT, HIVE_CONTEXT, HIVE_SESSION, SPARK_STREAMING)

SQL_TAGS = ("sql",)
HIVE_TAGS = ("hive", "sql")
STREAMING_TAGS = ("streaming",)
