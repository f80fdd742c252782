"""Hypothesis strategies: random aggregated path tables."""

from __future__ import annotations

from hypothesis import strategies as st

from adbudget.attribution import PathTable

CHANNELS = ("meta", "tiktok", "google_search", "youtube", "email", "kol")


@st.composite
def path_tables(draw, max_channels: int = 6, max_paths: int = 12, max_len: int = 6,
                min_conv: int = 1) -> PathTable:
    n_ch = draw(st.integers(1, max_channels))
    names = CHANNELS[:n_ch]
    n_paths = draw(st.integers(1, max_paths))
    paths = draw(st.lists(st.lists(st.sampled_from(names), min_size=1, max_size=max_len),
                          min_size=n_paths, max_size=n_paths))
    conv = draw(st.lists(st.integers(0, 20), min_size=n_paths, max_size=n_paths))
    nulls = draw(st.lists(st.integers(0, 20), min_size=n_paths, max_size=n_paths))
    if sum(conv) < min_conv:
        conv[0] = min_conv
    value = [c * draw(st.floats(1, 200)) for c in conv]
    used = tuple(sorted({c for p in paths for c in p}))
    return PathTable.from_lists(paths, conv, value, nulls, channels=used)
