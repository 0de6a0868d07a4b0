"""The info extractor: one JSON document in, one out, per-request failures, and no Spark."""

import json

import pytest
from pyspark import SparkContext

from conftest import PACKAGE, build_archive, package_files, run_info
from haze_worker.info import MalformedInput, describe_request, handle

# Runs the extractor, then reports on stderr whether Spark or any child process was started.
REPORTING_RUN = r'''
import atexit, json, os, runpy, sys

def child_pids():
    children = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid():
            children.append(entry)
    return children

def report():
    pyspark = sys.modules.get("pyspark")
    context = pyspark.SparkContext if pyspark else None
    sys.stderr.write("\nREPORT " + json.dumps({
        "pysparkImported": pyspark is not None,
        "gatewayStarted": context is not None and context._gateway is not None,
        "activeContext": context is not None and context._active_spark_context is not None,
        "children": child_pids(),
    }) + "\n")

atexit.register(report)
runpy.run_module("haze_worker.info", run_name="__main__")
'''


def request(path, class_name):
    return {"path": str(path), "className": class_name}


def spark_report(stderr: str) -> dict:
    return json.loads(stderr.rsplit("REPORT ", 1)[1])


def test_describe_request_success(samples):
    assert describe_request(request(samples / "typed_pi.py", "estimate_pi")) == {
        "ok": True, "lang": "python",
        "execute": {"samples": {"type": "MOption", "args": [{"type": "MInt"}]}},
        "tags": ["sql"], "contextKind": "spark_session", "defaults": {"samples": 1000},
    }


def test_describe_request_failure_carries_the_user_traceback(samples):
    result = describe_request(request(samples / "broken_import.py", "estimate"))
    assert result["ok"] is False
    assert result["error"] == "cannot load broken_import.py: ModuleNotFoundError: No module named 'numpyy'"
    assert "broken_import.py" in result["traceback"]
    assert result["traceback"].rstrip().endswith("ModuleNotFoundError: No module named 'numpyy'")


def test_our_own_refusals_have_no_traceback(samples):
    result = describe_request(request(samples / "not_a_function.py", "value"))
    assert result == {"ok": False, "error": "`value` in not_a_function.py is an int, not a function", "traceback": ""}


def test_signature_errors_are_reported(tmp_path):
    (tmp_path / "plain.py").write_text("def job(n: int): return n\n")
    result = describe_request(request(tmp_path / "plain.py", "job"))
    assert result["error"] == (
        "function `job` must take a SparkSession or SparkContext as its first parameter, "
        "annotated with its type; found `n: int`"
    )


def test_unresolvable_hint_error_ends_with_the_python_exception(tmp_path):
    (tmp_path / "hinted.py").write_text(
        "from pyspark.sql import SparkSession\ndef job(spark: SparkSession, n: 'Nope'): pass\n"
    )
    result = describe_request(request(tmp_path / "hinted.py", "job"))
    assert result["error"] == "cannot resolve the type hints of `job`: NameError: name 'Nope' is not defined"
    assert "NameError" in result["traceback"]


@pytest.mark.parametrize("document", [
    "", "not json", "[]", "{}", '{"requests": {}}', '{"requests": [1]}',
    '{"requests": [{"path": "/a.py"}]}', '{"requests": [{"path": 1, "className": "f"}]}',
])
def test_malformed_documents(document):
    with pytest.raises(MalformedInput):
        handle(document)


def test_protocol_over_stdin_and_stdout(samples, tmp_path):
    archive = build_archive(tmp_path / "jobs.whl", package_files())
    completed = run_info({"requests": [
        request(samples / "typed_pi.py", "estimate_pi"),
        request(samples / "broken_import.py", "estimate"),
        request(samples / "typed_kinds.py", "all_kinds"),
        request(samples / "missing.py", "job"),
        request(samples / "mist_pi.py", "hello_mist"),
        request(archive, f"{PACKAGE}.jobs.count_words"),
        request(samples / "prints_at_import.py", "noisy"),
        request(samples / "mist_kinds.py", "sql_average_age"),
    ]})

    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)["results"]
    assert [result["ok"] for result in results] == [True, False, True, False, True, True, True, True]
    assert [result.get("contextKind") for result in results] == [
        "spark_session", None, "spark_session", None, "spark_context", "spark_session", "spark_context", "sql_context",
    ]
    assert results[1]["error"] == "cannot load broken_import.py: ModuleNotFoundError: No module named 'numpyy'"
    assert results[3] == {"ok": False, "error": f"artifact not found: {samples / 'missing.py'}", "traceback": ""}
    assert results[2]["execute"]["point"]["type"] == "MObj"
    assert results[5]["execute"] == {
        "text": {"type": "MString"}, "min_length": {"type": "MOption", "args": [{"type": "MInt"}]},
    }


def test_user_output_at_import_goes_to_stderr(samples):
    completed = run_info({"requests": [request(samples / "prints_at_import.py", "noisy")]})
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["results"][0]["ok"] is True
    assert "hello from prints_at_import" in completed.stderr
    assert "raw bytes on fd 1" in completed.stderr


def test_no_requests_no_results():
    completed = run_info({"requests": []})
    assert (completed.returncode, json.loads(completed.stdout)) == (0, {"results": []})


@pytest.mark.parametrize("document", ["not json", '{"requests": [{"className": "f"}]}'])
def test_malformed_input_exits_non_zero_with_a_message(document):
    completed = run_info(document)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "haze_worker.info: malformed input:" in completed.stderr


def test_never_starts_spark_or_a_jvm(samples):
    completed = run_info({"requests": [
        request(samples / "typed_pi.py", "estimate_pi"),
        request(samples / "typed_kinds.py", "on_context"),
        request(samples / "mist_kinds.py", "streaming_no_args"),
    ]}, python_code=REPORTING_RUN)

    assert all(result["ok"] for result in json.loads(completed.stdout)["results"]), completed.stdout
    assert spark_report(completed.stderr) == {
        "pysparkImported": True, "gatewayStarted": False, "activeContext": False, "children": [],
    }


def test_does_not_import_pyspark_for_functions_that_do_not(samples):
    completed = run_info({"requests": [request(samples / "mist_pi.py", "hello_mist")]}, python_code=REPORTING_RUN)
    assert json.loads(completed.stdout)["results"][0]["ok"] is True
    assert spark_report(completed.stderr)["pysparkImported"] is False


def test_describing_every_sample_in_process_leaves_spark_alone(samples):
    for path, class_name in [
        ("typed_pi.py", "estimate_pi"), ("typed_kinds.py", "all_kinds"), ("typed_kinds.py", "on_context"),
        ("mist_pi.py", "hello_mist"), ("mist_kinds.py", "session_kinds"), ("mist_kinds.py", "reversed_order"),
    ]:
        assert describe_request(request(samples / path, class_name))["ok"] is True
    assert SparkContext._active_spark_context is None
    assert SparkContext._gateway is None


def test_an_unexpected_failure_is_reported_with_its_traceback(samples, monkeypatch):
    def broken_describe(fn):
        raise RuntimeError("boom")

    monkeypatch.setattr("haze_worker.info.describe", broken_describe)
    result = describe_request(request(samples / "mist_pi.py", "hello_mist"))
    assert result["error"] == "cannot describe `hello_mist` in mist_pi.py: RuntimeError: boom"
    assert "broken_describe" in result["traceback"]
