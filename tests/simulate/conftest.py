"""One tiny world, written once per session, shared by the simulate tests."""

from __future__ import annotations

import pytest

from adbudget.simulate import World


@pytest.fixture(scope="session")
def tiny_world() -> World:
    return World.build(seed=11, size="tiny")


@pytest.fixture(scope="session")
def tiny_files(tiny_world, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "data"
    manifest = tiny_world.write(out)
    return out, manifest
