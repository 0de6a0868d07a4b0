"""Writes to stdout while being imported, at the Python level and at the file-descriptor
level, which must not corrupt the info extractor's JSON reply."""

import os

from mistpy.decorators import *

print("hello from prints_at_import")
os.write(1, b"raw bytes on fd 1\n")


@with_args(arg("greeting", type_hint=str, default="hi"))
@on_spark_context
def noisy(sc, greeting):
    print(greeting)
    return {"greeting": greeting}
