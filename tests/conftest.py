"""Shared fixtures: sample exports under tests/data and fresh workspaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")

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
