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
