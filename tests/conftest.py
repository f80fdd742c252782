"""Shared fixtures: sample exports under tests/data and fresh workspaces."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
# fits compile into a cache of the test runs' own, not the user's ~/.cache/adbudget/xla
os.environ.setdefault("ADBUDGET_COMPILE_CACHE", str(Path(tempfile.gettempdir()) / "adbudget-test-xla"))

from hypothesis import settings as _hypothesis_settings  # noqa: E402

# CI runs a fixed, reproducible set of examples; locally hypothesis explores new ones each run.
_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.register_profile("dev", deadline=None)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def workspace(tmp_path):
    """An empty workspace for US, GB, DE, ID with base USD and FX rates loaded."""
    from adbudget import Workspace
    from adbudget.config import default_settings

    ws = Workspace.init(tmp_path / "ws", default_settings(["US", "GB", "DE", "ID"]))
    ws.import_file(DATA / "fx_rates.csv")
    yield ws
    ws.close()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a `--lang zh` CLI call in one test sets the language of the
    test process (a context variable) and would otherwise leak into the next test's messages."""
    from adbudget.i18n import set_language

    set_language("en")
    yield
