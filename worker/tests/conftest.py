"""Shared helpers: the sample files, archives built from samples/pkg_src, and a way to run
the info extractor as the master does (a subprocess speaking JSON on stdin/stdout)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"
PACKAGE_SOURCES = SAMPLES / "pkg_src"
PACKAGE = "haze_sample_pkg"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


def package_files(overrides=None) -> dict:
    """``{archive member: text}`` of samples/pkg_src, with some files replaced or added."""
    files = {
        str(path.relative_to(PACKAGE_SOURCES)): path.read_text()
        for path in sorted(PACKAGE_SOURCES.rglob("*.py"))
    }
    files.update(overrides or {})
    return files


def build_archive(path: Path, files: dict) -> Path:
    """Write a .zip, .egg or .whl holding ``files``, with the metadata its kind carries."""
    metadata = {
        ".egg": {"EGG-INFO/PKG-INFO": f"Metadata-Version: 1.1\nName: {PACKAGE}\nVersion: 0.1\n"},
        ".whl": {
            f"{PACKAGE}-0.1.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 0.1\n",
            f"{PACKAGE}-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        },
    }.get(path.suffix, {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, **metadata}.items():
            archive.writestr(name, text)
    return path


def run_info(document, python_code=None) -> subprocess.CompletedProcess:
    """Run ``python -m haze_worker.info`` (or ``python -c python_code``) with ``document``
    (a dict, sent as JSON, or raw text) on stdin."""
    command = [sys.executable, "-c", python_code] if python_code else [sys.executable, "-m", "haze_worker.info"]
    stdin = document if isinstance(document, str) else json.dumps(document)
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
