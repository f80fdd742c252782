"""Splitting path strings (``a > b > c``) into channel indices, fast.

A path table of a million journeys holds millions of touches; Python-level splitting or
per-string regexes cost seconds. Arrow's C++ kernels split every path at once and
dictionary-encode the raw tokens; only the (few) distinct raw names are then stripped of
whitespace and merged, so ``a>b`` and ``a > b`` give the same channels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adbudget.errors import InputError


def tokenise(col: pd.Series, sep: str = ">") -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Tokens (channel index per touch, in path order), path lengths, sorted channel names.

    Names are stripped of surrounding whitespace. An empty or blank path has length 0. An
    empty name between two separators raises an :class:`InputError`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col.fillna("").astype(str), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    lists = pc.split_pattern(arr, pattern=sep)
    lengths = np.asarray(pc.list_value_length(lists).to_numpy(zero_copy_only=False), dtype=np.int64)
    enc = pc.dictionary_encode(pc.list_flatten(lists))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    raw = [str(v).strip() for v in enc.dictionary.to_pylist()]
    idx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    names = sorted(set(raw) - {""})
    where = {n: i for i, n in enumerate(names)}
    remap = np.array([where.get(r, -1) for r in raw], dtype=np.int64)
    tokens = remap[idx] if len(idx) else np.zeros(0, dtype=np.int64)
    blank = tokens < 0
    if blank.any():
        # a blank path is one blank token: an empty path; any other blank name is an error
        row = np.repeat(np.arange(len(lengths)), lengths)
        lone = blank & (lengths[row] == 1)
        if (blank & ~lone).any():
            raise InputError("a path has an empty channel name (two separators in a row?)",
                             column="path")
        tokens = tokens[~lone]
        lengths = lengths - np.bincount(row[lone], minlength=len(lengths))
    return tokens.astype(np.int32), lengths, tuple(names)
