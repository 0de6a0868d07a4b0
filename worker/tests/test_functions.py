"""One load per artifact version: reused by later jobs, reloaded for a new SHA-1."""

import pytest

from haze_worker.errors import FunctionLoadError
from haze_worker.functions import LoadedFunctions


def test_a_version_is_loaded_once_and_a_new_version_afresh(tmp_path):
    artifact = tmp_path / "f.py"
    artifact.write_text("LOADS = []\nLOADS.append(1)\n\ndef f(spark):\n    return 'v1'\n")
    functions = LoadedFunctions()
    first = functions.get("sha-1", str(artifact), "f")
    assert functions.get("sha-1", str(artifact), "f") is first
    assert first.__globals__["LOADS"] == [1], "the module ran once"

    artifact.write_text("def f(spark):\n    return 'v2'\n")
    assert functions.get("sha-2", str(artifact), "f")(None) == "v2"


def test_a_failed_load_is_not_remembered(tmp_path):
    artifact = tmp_path / "g.py"
    artifact.write_text("raise RuntimeError('not yet')\n")
    functions = LoadedFunctions()
    with pytest.raises(FunctionLoadError):
        functions.get("sha", str(artifact), "g")
    artifact.write_text("def g(spark):\n    return 1\n")
    assert functions.get("sha", str(artifact), "g")(None) == 1


def test_the_least_recently_used_version_is_dropped(tmp_path):
    artifact = tmp_path / "h.py"
    artifact.write_text("def h(spark):\n    return 1\n")
    functions = LoadedFunctions(size=2)
    a = functions.get("a", str(artifact), "h")
    b = functions.get("b", str(artifact), "h")
    functions.get("a", str(artifact), "h")  # a is now the most recently used
    functions.get("c", str(artifact), "h")  # so b is dropped
    assert functions.get("a", str(artifact), "h") is a
    assert functions.get("b", str(artifact), "h") is not b, "b was loaded again"

