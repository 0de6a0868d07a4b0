"""A tiny package that tests zip up as .zip, .egg and .whl artifacts."""

from .jobs import count_words

VARIANT = "original"
