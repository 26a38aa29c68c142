"""pytest set-up for the Python module's tests (run by ctest as Python.Module).

The module is imported from H5DIG_PYTHON_DIR (build/python), the fixtures are
written once per session into a temporary directory (tests/python/fixtures.py).
"""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("H5DIG_BUILD_DIR", ROOT / "build"))
PYTHON_DIR = os.environ.get("H5DIG_PYTHON_DIR", str(BUILD / "python"))
sys.path.insert(0, PYTHON_DIR)
# Dask's worker processes import h5dig too: they inherit the environment, not sys.path.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [PYTHON_DIR, os.environ.get("PYTHONPATH")] if p)
sys.path.insert(0, str(Path(__file__).parent))

import fixtures  # noqa: E402


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    h5dig = os.environ.get("H5DIG", str(BUILD / "h5dig"))
    return fixtures.make(tmp_path_factory.mktemp("h5dig_python"), h5dig if os.path.exists(h5dig) else None)
