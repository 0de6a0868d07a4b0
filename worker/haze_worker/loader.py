"""``load_function(artifact_path, class_name)``: a user's function, freshly loaded.

* ``.py``: the file is compiled and executed into a new module object on every call, and
  that module is out of ``sys.modules`` once its code has run: a rewritten or re-uploaded
  file is never served stale, and cloudpickle ships the module's functions (UDFs, lambdas
  given to RDDs) to the executors by value, since executors could not import them by name.
* ``.zip``, ``.egg``, ``.whl`` (pure Python): the archive goes first on ``sys.path`` and
  ``class_name`` is a dotted path ``package.module.function``. A package of the same name
  loaded earlier from another archive is forgotten first, so two archives never mix.
"""

import hashlib
import importlib
import inspect
import itertools
import os
import sys
import threading
import types
import zipfile

from .errors import FunctionLoadError, one_line
from .py2_hints import python2_hint

_ARCHIVE_EXTENSIONS = (".zip", ".egg", ".whl")
_module_numbers = itertools.count(1)
# Importing from an archive edits process-wide state (sys.path, sys.modules): one at a time.
_archive_lock = threading.Lock()
_archives_on_path = []


def load_function(artifact_path: str, class_name: str):
    """The function (or method) ``class_name`` names in the artifact, or FunctionLoadError."""
    path = os.path.abspath(artifact_path)
    file_name = os.path.basename(path)
    extension = os.path.splitext(path)[1].lower()
    if extension != ".py" and extension not in _ARCHIVE_EXTENSIONS:
        raise FunctionLoadError(
            f"unsupported artifact type {extension or '(no extension)'} for a Python function; "
            "expected .py, .zip, .egg or .whl"
        )
    if not os.path.isfile(path):
        raise FunctionLoadError(f"artifact not found: {path}")
    if not all(part.isidentifier() for part in class_name.split(".")):
        raise FunctionLoadError(f"invalid className `{class_name}`: expected a function name or a dotted path")

    if extension == ".py":
        fn = _load_from_source(path, file_name, class_name)
    else:
        fn = _load_from_archive(path, file_name, class_name)
    if not (inspect.isfunction(fn) or inspect.ismethod(fn)):
        raise FunctionLoadError(f"`{class_name}` in {file_name} is {_kind_of(fn)}, not a function")
    return fn


def _load_from_source(path, file_name, class_name):
    with open(path, "rb") as source_file:
        source = source_file.read()
    digest = hashlib.sha1(source).hexdigest()
    module = types.ModuleType(f"haze_artifact_{digest[:12]}_{next(_module_numbers)}")
    module.__file__ = path
    # Registered only while its code runs: some library code (dataclasses, for one) looks the
    # module up by name at class creation. The name is unique, so loads never collide.
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    except (Exception, SystemExit) as exc:
        raise FunctionLoadError(f"cannot load {file_name}: {one_line(exc)}{python2_hint(exc)}") from exc
    finally:
        del sys.modules[module.__name__]
    return _attribute(module, class_name, f"module {file_name}")


def _load_from_archive(path, file_name, class_name):
    parts = class_name.split(".")
    if len(parts) < 2:
        raise FunctionLoadError(
            f"className `{class_name}` names no module; for {file_name} use a dotted path "
            f"such as `package.module.{class_name}`"
        )
    if not zipfile.is_zipfile(path):
        raise FunctionLoadError(f"{file_name} is not a zip archive")
    with _archive_lock:
        _put_first_on_path(path)
        _forget_package(parts[0])
        module, attribute_path = _import_longest_prefix(parts, file_name, path)
        origin = _origin(sys.modules[parts[0]])
    if not origin.startswith(path + os.sep):
        raise FunctionLoadError(
            f"package `{parts[0]}` is not in {file_name}: it was found at {origin or 'an unknown place'}"
        )
    return _attribute(module, attribute_path, f"module {module.__name__} in {file_name}")


def _put_first_on_path(path):
    if path in sys.path:
        sys.path.remove(path)
    sys.path.insert(0, path)
    if path not in _archives_on_path:
        _archives_on_path.append(path)
    importlib.invalidate_caches()  # also makes zipimport re-read an archive rewritten in place


def _forget_package(top_level):
    """Drop ``top_level`` and its submodules if an archive of ours provided them.

    Modules from anywhere else (the standard library, site-packages) are left alone.
    """
    for name, module in list(sys.modules.items()):
        if name == top_level or name.startswith(top_level + "."):
            origin = _origin(module)
            if any(origin.startswith(archive + os.sep) for archive in _archives_on_path):
                del sys.modules[name]


def _import_longest_prefix(parts, file_name, path):
    """Import the longest dotted prefix that is a module; the rest are attributes in it."""
    for end in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:end])
        try:
            return importlib.import_module(module_name), ".".join(parts[end:])
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                continue  # this prefix is not a module; a shorter one may be
            raise FunctionLoadError(f"cannot load {file_name}: {one_line(exc)}{python2_hint(exc, path)}") from exc
        except (Exception, SystemExit) as exc:
            raise FunctionLoadError(f"cannot load {file_name}: {one_line(exc)}{python2_hint(exc, path)}") from exc
    raise FunctionLoadError(f"{file_name} has no module `{parts[0]}`")


def _attribute(root, dotted_path, owner):
    value = root
    for part in dotted_path.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise FunctionLoadError(f"{owner} has no function `{dotted_path}`") from None
    return value


def _origin(module) -> str:
    """Where a module was loaded from: its file, or a package's first directory."""
    return getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", ())), "")


def _kind_of(value) -> str:
    if inspect.isclass(value):
        return "a class"
    if inspect.ismodule(value):
        return "a module"
    type_name = type(value).__name__
    return f"{'an' if type_name[0].lower() in 'aeiou' else 'a'} {type_name}"
