"""Artifacts written for Python 2 (as Mist's were) fail to load with a hint in Python 3 terms."""

import sys

import pytest

from conftest import build_archive
from haze_worker.errors import FunctionLoadError
from haze_worker.loader import load_function

# Mist's own examples egg: the package's __init__ imports its modules the Python 2 way.
MIST_EXAMPLES = {
    "mist_examples/__init__.py": "from session_example import session_example\n",
    "mist_examples/session_example.py": "def session_example(spark, path):\n    return path\n",
}


@pytest.fixture(autouse=True)
def forget_packages():
    saved_path = list(sys.path)
    yield
    sys.path[:] = saved_path
    for name in [name for name in sys.modules if name.startswith("mist_examples")]:
        del sys.modules[name]


def load_error(path, class_name) -> str:
    with pytest.raises(FunctionLoadError) as error:
        load_function(str(path), class_name)
    return str(error.value)


def test_an_implicit_relative_import_in_an_egg_shows_the_python_3_spelling(tmp_path):
    egg = build_archive(tmp_path / "mist_examples.egg", MIST_EXAMPLES)
    assert load_error(egg, "mist_examples.session_example.session_example") == (
        "cannot load mist_examples.egg: ModuleNotFoundError: No module named 'session_example'; "
        "this looks like Python 2 code, and Haze runs Python 3: "
        "`from session_example import session_example` in mist_examples/__init__.py is an implicit relative import; "
        "in Python 3 write `from .session_example import session_example`"
    )


def test_a_module_missing_from_the_archive_gets_no_hint(tmp_path):
    archive = build_archive(tmp_path / "pkg.zip", {"mist_examples/__init__.py": "import nowhere_at_all\n", "mist_examples/jobs.py": ""})
    assert load_error(archive, "mist_examples.jobs.fn").endswith("No module named 'nowhere_at_all'")


@pytest.mark.parametrize(
    "source, hint",
    [
        ('print "hello"\n', '`print` is a function: write `print("hello")`'),
        ("try:\n    pass\nexcept ValueError, e:\n    pass\n", "write `except ValueError as e:`"),
        ("x = unicode('a')\n", "`unicode` is gone; use `str`"),
        ("import urllib2\n", "module `urllib2` is `urllib.request` in Python 3"),
        ("x = {}.iteritems()\n", "`.iteritems()` is gone; use `items`"),
    ],
)
def test_python_2_lines_in_a_py_file(tmp_path, source, hint):
    path = tmp_path / "old.py"
    path.write_text(source)
    assert load_error(path, "fn").endswith(f"; this looks like Python 2 code, and Haze runs Python 3: {hint}")


def test_python_3_errors_get_no_hint(tmp_path):
    path = tmp_path / "new.py"
    path.write_text("raise ValueError('nope')\n")
    assert load_error(path, "fn") == "cannot load new.py: ValueError: nope"
