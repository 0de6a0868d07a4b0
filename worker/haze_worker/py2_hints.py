"""Recognizes artifacts written for Python 2 and says how Python 3 spells the line that failed.

Mist ran Python 2 workers; its own examples (an egg whose ``__init__.py`` says
``from session_example import session_example``) fail on Python 3. The error alone
(``No module named 'session_example'``) does not tell a Mist user why, so the loader adds one
of these hints to the message the deployer sees (the 400 of ``POST /v2/api/functions``).
"""

import os
import re
import zipfile

_PY2_NAMES = {
    "unicode": "str",
    "basestring": "str",
    "long": "int",
    "xrange": "range",
    "raw_input": "input",
    "unichr": "chr",
    "execfile": "exec(open(path).read())",
    "reduce": "functools.reduce",
}
_PY2_METHODS = {"iteritems": "items", "iterkeys": "keys", "itervalues": "values", "has_key": "the `in` operator"}
_PY2_MODULES = {
    "urllib2": "urllib.request",
    "urlparse": "urllib.parse",
    "ConfigParser": "configparser",
    "Queue": "queue",
    "StringIO": "io",
    "cPickle": "pickle",
    "HTMLParser": "html.parser",
    "httplib": "http.client",
    "__builtin__": "builtins",
}
_PREFIX = "this looks like Python 2 code, and Haze runs Python 3"


def python2_hint(exc: BaseException, archive_path=None) -> str:
    """A sentence to append to the load error (starting with "; "), or "" if nothing fits."""
    hint = _hint(exc, archive_path)
    return f"; {_PREFIX}: {hint}" if hint else ""


def _hint(exc, archive_path):
    if isinstance(exc, SyntaxError):
        return _syntax_hint(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        if exc.name in _PY2_MODULES:
            return f"module `{exc.name}` is `{_PY2_MODULES[exc.name]}` in Python 3"
        return _relative_import_hint(exc, archive_path)
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or _quoted(str(exc))
        if name in _PY2_NAMES:
            return f"`{name}` is gone; use `{_PY2_NAMES[name]}`"
    if isinstance(exc, AttributeError):
        method = _quoted(str(exc).split("attribute", 1)[-1])
        if method in _PY2_METHODS:
            return f"`.{method}()` is gone; use `{_PY2_METHODS[method]}`"
    return ""


def _syntax_hint(exc: SyntaxError) -> str:
    message = exc.msg or ""
    line = (exc.text or "").strip()
    if "Missing parentheses in call to 'print'" in message:
        return f"`print` is a function: write `print({line[5:].strip()})`" if line.startswith("print ") else "`print` is a function: write `print(...)`"
    if "Missing parentheses in call to 'exec'" in message:
        return "`exec` is a function: write `exec(...)`"
    if "multiple exception types must be parenthesized" in message:
        match = re.match(r"except\s+(.+?)\s*,\s*(\w+)\s*:", line)
        return f"write `except {match.group(1)} as {match.group(2)}:`" if match else "write `except Error as name:`"
    if "leading zeros in decimal integer literals" in message:
        return "octal numbers are written 0o777"
    if re.match(r"raise\s+\w+\s*,", line):
        return "write `raise Error(message)`"
    if "<>" in line:
        return "`<>` is written `!=`"
    return ""


def _relative_import_hint(exc: ModuleNotFoundError, archive_path) -> str:
    """`from sibling import x` inside a package: Python 2 found `sibling` next to the importer."""
    importer = _importing_file(exc, archive_path)
    if importer is None:
        return ""
    package_dir = os.path.dirname(importer)
    sibling = exc.name.split(".")[0]
    if not _has_module(package_dir, sibling, archive_path):
        return ""
    line = _failing_line(exc, importer, archive_path) or f"import {sibling}"
    module = os.path.relpath(importer, archive_path) if archive_path else os.path.basename(importer)
    return (
        f"`{line}` in {module} is an implicit relative import; "
        f"in Python 3 write `{_explicit(line, sibling)}`"
    )


def _importing_file(exc, archive_path):
    """The last traceback frame in user code: a file inside the archive (or next to a .py)."""
    found = None
    traceback = exc.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if archive_path is None or filename.startswith(archive_path + os.sep):
            found = filename
        traceback = traceback.tb_next
    return found if archive_path is not None else None


def _failing_line(exc, importer, archive_path):
    """The source line of the import that failed, read from the archive."""
    traceback = exc.__traceback__
    line_number = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == importer:
            line_number = traceback.tb_lineno
        traceback = traceback.tb_next
    if line_number is None:
        return None
    member = os.path.relpath(importer, archive_path).replace(os.sep, "/")
    try:
        with zipfile.ZipFile(archive_path) as archive:
            text = archive.read(member).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    lines = text.splitlines()
    return lines[line_number - 1].strip() if 0 < line_number <= len(lines) else None


def _has_module(package_dir, name, archive_path) -> bool:
    member_dir = os.path.relpath(package_dir, archive_path).replace(os.sep, "/")
    try:
        with zipfile.ZipFile(archive_path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return f"{member_dir}/{name}.py" in names or f"{member_dir}/{name}/__init__.py" in names


def _explicit(line: str, sibling: str) -> str:
    if line.startswith("from "):
        return re.sub(r"^from\s+", "from .", line, count=1)
    if line.startswith("import "):
        return f"from . import {sibling}"
    return f"from .{sibling} import ..."


def _quoted(text: str):
    match = re.search(r"'([^']+)'", text)
    return match.group(1) if match else None
