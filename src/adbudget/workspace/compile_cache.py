"""JAX's persistent compilation cache: compiled programs kept on disk across processes.

XLA compiles every program once per array shape; on a 2-core machine the response model's
NUTS programs take 5-8 s, more than its sampling. The programs take the data, the mode and
the covariance as arguments (``adbudget.response.inference._build_programs``), so a refit with the same shapes
(same markets, lines, periods, draws) loads them from disk in well under a second instead.

Where: ``$ADBUDGET_COMPILE_CACHE`` when set (a directory, or ``off`` to disable), else
``$XDG_CACHE_HOME/adbudget/xla`` (``~/.cache/adbudget/xla``). Entries are keyed by JAX's
version, the program and the machine, so a stale entry is never used; deleting the directory
is always safe. Only programs that took at least half a second to compile are stored.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ADBUDGET_COMPILE_CACHE"
_OFF = {"off", "0", "false", "no", "none"}


def default_dir() -> Path:
    """The per-user cache directory (XDG)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adbudget" / "xla"


def cache_dir(directory: str | os.PathLike[str] | None = None) -> Path | None:
    """The directory the cache would use (``None``: disabled), without touching JAX."""
    value = str(directory) if directory is not None else os.environ.get(ENV_VAR, "")
    if value.strip().lower() in _OFF:
        return None
    return Path(value).expanduser() if value.strip() else default_dir()


def enable(directory: str | os.PathLike[str] | None = None) -> Path | None:
    """Point JAX's persistent compilation cache at :func:`cache_dir`; return it (or ``None``
    when disabled or not writable: fits then simply compile as usual)."""
    path = cache_dir(directory)
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            return None
    except OSError:
        return None
    import jax
    from jax.experimental.compilation_cache import compilation_cache as jax_cache

    if jax.config.jax_compilation_cache_dir != str(path):
        jax.config.update("jax_compilation_cache_dir", str(path))
        # JAX decides once per process, at its first compilation, whether a cache is in use:
        # a process that compiled before this call (the dashboard, the demo) must re-decide
        jax_cache.reset_cache()
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path


__all__ = ["ENV_VAR", "cache_dir", "default_dir", "enable"]
