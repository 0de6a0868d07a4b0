"""load_function(): fresh .py modules, archives by dotted path, and every error path."""

import subprocess
import sys
import zipfile

import pytest
from pyspark import cloudpickle

from conftest import PACKAGE, build_archive, package_files
from haze_worker.errors import FunctionLoadError
from haze_worker.loader import load_function
from haze_worker.signature import describe

SECOND_JOBS = '''
from pyspark.sql import SparkSession

def count_words(spark: SparkSession, words: list[str]) -> int:
    return len(words)
'''


@pytest.fixture(autouse=True)
def restore_import_state():
    """Archive loads edit sys.path and sys.modules; undo that after each test."""
    saved_path = list(sys.path)
    yield
    sys.path[:] = saved_path
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def load_error(path, class_name) -> FunctionLoadError:
    with pytest.raises(FunctionLoadError) as error:
        load_function(str(path), class_name)
    return error.value


# .py files

def test_loads_a_function_from_a_py_file_into_an_unregistered_module(samples):
    fn = load_function(str(samples / "typed_pi.py"), "estimate_pi")
    assert fn.__name__ == "estimate_pi"
    assert fn.__module__.startswith("haze_artifact_")
    assert fn.__module__ not in sys.modules
    assert fn.__globals__["__file__"] == str(samples / "typed_pi.py")


def test_every_load_executes_the_file_again(tmp_path):
    path = tmp_path / "job.py"
    path.write_text("from pyspark.sql import SparkSession\ndef job(spark: SparkSession, a: int): return a\n")
    first = load_function(str(path), "job")
    again = load_function(str(path), "job")
    path.write_text("from pyspark.sql import SparkSession\ndef job(spark: SparkSession, b: str): return b\n")
    rewritten = load_function(str(path), "job")

    assert first is not again and first.__globals__ is not again.__globals__
    assert first.__module__ != again.__module__
    assert list(describe(first)["execute"]) == ["a"]
    assert list(describe(rewritten)["execute"]) == ["b"]


def test_module_functions_pickle_by_value_for_executors(samples):
    """Executors cannot import the artifact's module: cloudpickle must ship the code itself."""
    inside = load_function(str(samples / "typed_pi.py"), "estimate_pi").__globals__["_inside_unit_circle"]
    unpickle = "import pickle, sys; print(pickle.loads(sys.stdin.buffer.read())(0) in (0, 1))"
    result = subprocess.run([sys.executable, "-c", unpickle], input=cloudpickle.dumps(inside), capture_output=True)
    assert result.stdout.strip() == b"True", result.stderr.decode()


def test_dotted_path_inside_a_py_file(samples):
    assert load_function(str(samples / "not_a_function.py"), "Greeter.greet").__name__ == "greet"


def test_missing_file(tmp_path):
    assert str(load_error(tmp_path / "gone.py", "job")) == f"artifact not found: {tmp_path / 'gone.py'}"


@pytest.mark.parametrize("name, shown", [("job.jar", ".jar"), ("job.txt", ".txt"), ("job", "(no extension)")])
def test_unsupported_artifact_types(tmp_path, name, shown):
    (tmp_path / name).write_text("")
    assert str(load_error(tmp_path / name, "job")) == (
        f"unsupported artifact type {shown} for a Python function; expected .py, .zip, .egg or .whl"
    )


def test_import_error_keeps_the_original_exception(samples):
    error = load_error(samples / "broken_import.py", "estimate")
    assert str(error) == "cannot load broken_import.py: ModuleNotFoundError: No module named 'numpyy'"
    assert isinstance(error.__cause__, ModuleNotFoundError)


@pytest.mark.parametrize("source, message", [
    ("def job(:\n", "cannot load bad.py: SyntaxError: invalid syntax (bad.py, line 1)"),
    ("raise ValueError('no config\\nfound')\n", "cannot load bad.py: ValueError: no config found"),
    ("import sys\nsys.exit(3)\n", "cannot load bad.py: SystemExit: 3"),
])
def test_errors_while_executing_the_file(tmp_path, source, message):
    (tmp_path / "bad.py").write_text(source)
    assert str(load_error(tmp_path / "bad.py", "job")) == message


@pytest.mark.parametrize("class_name, message", [
    ("nope", "module not_a_function.py has no function `nope`"),
    ("Greeter.nope", "module not_a_function.py has no function `Greeter.nope`"),
    ("value", "`value` in not_a_function.py is an int, not a function"),
    ("Greeter", "`Greeter` in not_a_function.py is a class, not a function"),
    ("", "invalid className ``: expected a function name or a dotted path"),
    ("not-a-name", "invalid className `not-a-name`: expected a function name or a dotted path"),
])
def test_attribute_errors(samples, class_name, message):
    assert str(load_error(samples / "not_a_function.py", class_name)) == message


# archives

@pytest.mark.parametrize("extension", [".zip", ".egg", ".whl"])
@pytest.mark.parametrize("class_name, kind", [
    (f"{PACKAGE}.jobs.count_words", "spark_session"),
    (f"{PACKAGE}.count_words", "spark_session"),  # re-exported by the package
    (f"{PACKAGE}.jobs.mist_count_words", "spark_context"),
])
def test_loads_from_archives_by_dotted_path(tmp_path, extension, class_name, kind):
    archive = build_archive(tmp_path / f"sample{extension}", package_files())
    described = describe(load_function(str(archive), class_name))
    assert described["contextKind"] == kind
    assert "text" in described["execute"]
    assert sys.modules[PACKAGE].__file__.startswith(str(archive))


def test_two_archives_with_the_same_package_never_mix(tmp_path):
    first = build_archive(tmp_path / "first.zip", package_files())
    second = build_archive(tmp_path / "second.whl", package_files({
        f"{PACKAGE}/__init__.py": 'VARIANT = "second"\n',
        f"{PACKAGE}/jobs.py": SECOND_JOBS,
    }))
    class_name = f"{PACKAGE}.jobs.count_words"

    assert list(describe(load_function(str(first), class_name))["execute"]) == ["text", "min_length"]
    assert list(describe(load_function(str(second), class_name))["execute"]) == ["words"]
    assert sys.modules[PACKAGE].VARIANT == "second"
    assert list(describe(load_function(str(first), class_name))["execute"]) == ["text", "min_length"]
    assert sys.modules[PACKAGE].VARIANT == "original"
    assert sys.path[0] == str(first)


def test_an_archive_rewritten_in_place_is_read_again(tmp_path):
    archive = build_archive(tmp_path / "jobs.zip", package_files())
    load_function(str(archive), f"{PACKAGE}.jobs.count_words")
    build_archive(archive, package_files({f"{PACKAGE}/__init__.py": "", f"{PACKAGE}/jobs.py": SECOND_JOBS}))
    assert list(describe(load_function(str(archive), f"{PACKAGE}.jobs.count_words"))["execute"]) == ["words"]


def test_archive_errors(tmp_path):
    archive = build_archive(tmp_path / "jobs.zip", package_files())
    assert str(load_error(archive, "count_words")) == (
        f"className `count_words` names no module; for jobs.zip use a dotted path such as `package.module.count_words`"
    )
    assert str(load_error(archive, "nowhere.jobs.fn")) == "jobs.zip has no module `nowhere`"
    assert str(load_error(archive, f"{PACKAGE}.jobs.nope")) == (
        f"module {PACKAGE}.jobs in jobs.zip has no function `nope`"
    )
    assert str(load_error(archive, f"{PACKAGE}.VARIANT")) == f"`{PACKAGE}.VARIANT` in jobs.zip is a str, not a function"
    assert str(load_error(archive, "json.dumps")).startswith("package `json` is not in jobs.zip: it was found at ")


def test_import_error_inside_an_archive(tmp_path):
    archive = build_archive(tmp_path / "broken.egg", package_files({f"{PACKAGE}/jobs.py": "import numpyy\n"}))
    error = load_error(archive, f"{PACKAGE}.jobs.count_words")
    assert str(error) == "cannot load broken.egg: ModuleNotFoundError: No module named 'numpyy'"
    assert isinstance(error.__cause__, ModuleNotFoundError)


def test_a_file_that_is_not_a_zip(tmp_path):
    (tmp_path / "fake.whl").write_text("not a zip")
    assert str(load_error(tmp_path / "fake.whl", f"{PACKAGE}.jobs.fn")) == "fake.whl is not a zip archive"


def test_pkg_src_is_what_gets_archived(tmp_path):
    archive = build_archive(tmp_path / "sample.zip", package_files())
    assert sorted(zipfile.ZipFile(archive).namelist()) == [f"{PACKAGE}/__init__.py", f"{PACKAGE}/jobs.py"]
