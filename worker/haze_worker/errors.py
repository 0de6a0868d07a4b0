"""Errors about a user's function, worded for the person who deployed it.

The master shows ``str(error)`` as is, so each message says what went wrong and where;
an error caused by the user's own code keeps that exception as ``__cause__``.
"""


class FunctionError(Exception):
    """The function cannot be loaded or described."""


class FunctionLoadError(FunctionError):
    """The artifact or the function inside it cannot be loaded."""


class SignatureError(FunctionError):
    """The function's parameters cannot be turned into Mist argument types."""


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line, e.g. ``ModuleNotFoundError: No module named 'x'``."""
    message = str(exc).replace("\r", " ").replace("\n", " ").strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


PYTHON_MEMORY_KEY = "spark.haze.driver.pythonMemory"

#: The driver's Python memory limit as the context set it (PYTHON_MEMORY_KEY), or None.
python_memory_limit = None


def summary(exc: BaseException) -> str:
    """``Type: first line of the message``. A Java exception (Py4JJavaError) speaks through
    the Java exception's own first line: its text starts with the uninformative "An error
    occurred while calling ..." and goes on with a whole Java stack trace. A MemoryError, which
    has no message of its own, says what ran out and what sets the limit."""
    if isinstance(exc, MemoryError):
        limit = (f"its limit is {python_memory_limit}, the context's {PYTHON_MEMORY_KEY}" if python_memory_limit
                 else f"no limit set: the context's {PYTHON_MEMORY_KEY} sets one")
        return f"MemoryError: the function ran out of memory in the driver's Python ({limit})"
    text = str(exc)
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            text = java.toString()
        except Exception:
            pass
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
