"""Loaded functions, one per artifact version.

A function is loaded (its module's code run) once per worker for each artifact SHA-1 and
className, then reused by later jobs: loading costs about as much as a trivial job. A
re-uploaded artifact has another SHA-1, so it is loaded afresh and never served stale.
Module-level state therefore lives as long as the worker serves that artifact version.
"""

import threading
from collections import OrderedDict

from .loader import load_function

_DEFAULT_SIZE = 128


class LoadedFunctions:
    def __init__(self, size: int = _DEFAULT_SIZE):
        self._size = size
        self._functions: "OrderedDict[tuple, object]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha1: str, path: str, class_name: str):
        """The function, loaded from ``path`` the first time; a failed load is not remembered."""
        key = (sha1, class_name)
        with self._lock:
            fn = self._functions.get(key)
            if fn is not None:
                self._functions.move_to_end(key)
                return fn
        # Outside the lock: a slow import must not hold up other jobs. Two jobs racing to load
        # the same version both load it; one result is kept, both are equivalent.
        fn = load_function(path, class_name)
        with self._lock:
            self._functions[key] = fn
            self._functions.move_to_end(key)
            while len(self._functions) > self._size:
                self._functions.popitem(last=False)
        return fn
