"""Save and load a :class:`FitResult` as bytes (NumPy archive + JSON), with hashes that tie
it to the data and settings it was fitted on."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np
import pandas as pd

from adbudget.response.data import Notice
from adbudget.response.results import FitResult

_FRAMES = ("summary", "decomposition", "fit")


def frame_hash(*frames: pd.DataFrame | None) -> str:
    """Stable SHA-256 of the content of some DataFrames (row order included)."""
    digest = hashlib.sha256()
    for frame in frames:
        if frame is None or frame.empty:
            digest.update(b"<empty>")
            continue
        digest.update(",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of a JSON-able settings mapping (keys sorted)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def to_bytes(result: FitResult) -> bytes:
    """Serialise a fit (draws as float32 arrays, tables as JSON)."""
    meta = {
        "model_version": result.model_version, "lines": [list(x) for x in result.lines],
        "markets": result.markets, "target": result.target, "adstock": result.adstock,
        "saturation": result.saturation, "method": result.method, "seconds": result.seconds,
        "interval": result.interval, "diagnostics": result.diagnostics,
        "notices": [{"key": n.key, "values": n.values} for n in result.notices],
        "draw_names": sorted(result.draws),
    }
    for name in _FRAMES:
        meta[name] = getattr(result, name).to_json(orient="split", date_format="iso")
    arrays = {f"draw_{k}": np.asarray(v, dtype=np.float32) for k, v in result.draws.items()}
    arrays["current_spend"] = result.current_spend
    arrays["max_spend"] = result.max_spend
    latent = latent_draws(result)
    if latent is not None:  # the model's latent draws, for the ArviZ log-likelihood later
        arrays["latent_z"] = latent
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.frombuffer(json.dumps(meta, default=_plain).encode(), dtype=np.uint8),
                        **arrays)
    return buffer.getvalue()


def from_bytes(payload: bytes) -> FitResult:
    """Inverse of :func:`to_bytes`."""
    with np.load(io.BytesIO(payload)) as archive:
        meta = json.loads(archive["meta"].tobytes().decode())
        draws = {k: archive[f"draw_{k}"].astype(float) for k in meta["draw_names"]}
        current, top = archive["current_spend"], archive["max_spend"]
        latent = archive["latent_z"].astype(float) if "latent_z" in archive.files else None
    frames = {}
    for name in _FRAMES:
        frame = pd.read_json(io.StringIO(meta[name]), orient="split")
        if "date" in frame.columns:
            frame["date"] = pd.to_datetime(frame["date"]).dt.tz_localize(None)
        frames[name] = frame
    result = FitResult(
        lines=[tuple(x) for x in meta["lines"]], markets=meta["markets"], target=meta["target"],
        adstock=meta["adstock"], saturation=meta["saturation"], method=meta["method"],
        seconds=meta["seconds"], interval=meta["interval"], draws=draws, current_spend=current,
        max_spend=top, diagnostics=meta["diagnostics"],
        notices=[Notice(n["key"], n["values"]) for n in meta["notices"]],
        model_version=meta["model_version"], **frames,
    )
    if latent is not None:
        object.__setattr__(result, "saved_latent", latent)  # not a field: never in JSON
    return result


def latent_draws(result: FitResult) -> np.ndarray | None:
    """(chains, draws, latents) float32: the sampler's latent draws thinned like the saved
    line draws (``MAX_SAVED_DRAWS``), from a fresh fit (``FitResult.sampler``) or one read
    back; None when neither has them."""
    from adbudget.response.results import MAX_SAVED_DRAWS

    sampler = getattr(result, "sampler", None)
    if sampler is not None and "z" in getattr(sampler[1], "samples", {}):
        z = np.asarray(sampler[1].samples["z"])
        if z.ndim == 2:
            z = z[None]
        step = int(np.ceil(z.shape[0] * z.shape[1] / MAX_SAVED_DRAWS))
        return np.asarray(z[:, ::step], dtype=np.float32)
    saved = getattr(result, "saved_latent", None)
    return None if saved is None else np.asarray(saved, dtype=np.float32)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


__all__ = ["config_hash", "frame_hash", "from_bytes", "to_bytes"]
