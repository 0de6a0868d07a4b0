"""Mist's JSON encoding of argument types: ``{"type": ..., "args"?: [...], "fields"?: {...}}``.

Each call builds a new dict, so callers may keep or change what they get.
"""


def simple(name: str) -> dict:
    """``MInt``, ``MDouble``, ``MString``, ``MBoolean`` or ``MAny``."""
    return {"type": name}


def list_of(element: dict) -> dict:
    return {"type": "MList", "args": [element]}


def map_of(key: dict, value: dict) -> dict:
    return {"type": "MMap", "args": [key, value]}


def option_of(inner: dict) -> dict:
    """An optional value; an option of an option is the same option."""
    return inner if inner["type"] == "MOption" else {"type": "MOption", "args": [inner]}


def obj(fields: dict) -> dict:
    return {"type": "MObj", "fields": fields}
