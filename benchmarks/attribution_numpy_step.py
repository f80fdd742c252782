"""Tried and dropped (issue 18): the path statement's per-customer step in NumPy.

    .venv/bin/python benchmarks/attribution_numpy_step.py [--touch-rows 5000000] [--repeat 2]

Generates ``--touch-rows`` touches (``attribution.make_touch_tables``), then times, interleaved,
DuckDB's bare ``GROUP BY user``, the statement (``path_sql``) and this NumPy variant, by CPU
time, and checks that the variant gives the statement's table on four variants. Measured
2026-12-08 on 5 M rows (2 threads), CPU seconds: bare 0.61-0.72, statement 3.00-3.23, NumPy
variant 3.66-4.48 (load 6; at load 15: 0.69-0.96, 3.7-4.1, 4.5-5.3); the same tables on all
four variants. Slower, so not in the package (docs/benchmarks.md, agencies and big sellers).

What it does:

``path_sql`` does everything in one DuckDB statement; the per-customer list lambdas after its
``GROUP BY user`` (order slots, window test, session split, repeat collapse, ``GROUP BY path``
over list keys) cost as much again as the ``GROUP BY`` itself. Here DuckDB runs only the
statement's first half — the dictionary ``d`` and one row per customer with the sorted touch
keys and the sorted order times (``sql.customer_ctes``, the same text) — and hands it over as
Arrow; the rest is a handful of vectorised passes over the flat touch array:

1. each touch's next order: one ``searchsorted`` on (customer, second) keys, then a step
   forward for the few touches whose order falls earlier in the same second;
2. a touch is a hit when ``order - ts <= window``; hits of one order are its converting
   journey, the others split where the order slot changes or the customer was inactive
   longer than the gap;
3. repeats collapse by comparing each touch's unit with the next one's;
4. a journey's path becomes one integer (its unit codes packed ``b`` bits apiece; unit codes
   start at 1, so the length is part of the number) and one hash grouping counts paths —
   exact; paths too long for 63 bits get ids from a dict over their tuples.

The output is ``path_sql``'s frame, row for row (sums in another order: values agree to the
last bits). ``fast_path_frame`` returns None where it does not apply (HUGEINT keys, no
touches, a time span too long for the packed search key) and the caller runs ``path_sql``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adbudget.attribution.sql import (  # noqa: E402
    _US_PER_DAY,
    UNITS,
    check_sources,
    journey_filter,
    path_sql,
)
from adbudget.attribution.windows import Windows  # noqa: E402
from adbudget.errors import SettingsError  # noqa: E402

_US = 1_000_000


def fast_path_frame(
    con: Any,
    windows: Windows,
    *,
    unit: str = "channel",
    by_market: bool = False,
    collapse: bool = True,
    inactivity_days: int = 30,
    half_life_days: float | None = None,
    touch_table: str = "touchpoints",
    order_table: str = "orders",
    value_expr: str = "revenue_base",
    markets: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    wide: bool = False,
) -> pd.DataFrame | None:
    """``path_sql``'s table computed by DuckDB connection ``con`` plus numpy (same arguments);
    None where only the plain statement applies."""
    if unit not in UNITS:
        raise SettingsError(f"unknown unit {unit!r}; allowed: {', '.join(UNITS)}")
    check_sources(touch_table, order_table, value_expr)
    journey_filter(start, end, markets)  # validates the names
    if half_life_days is not None and half_life_days <= 0:
        raise SettingsError("half-life must be positive")
    if wide:
        return None
    # the statement's own text up to its per-customer rows (CTEs d0 .. gx)
    full = path_sql(windows, unit=unit, by_market=by_market, touch_table=touch_table,
                    order_table=order_table, value_expr=value_expr, markets=markets)
    prefix = full[:full.index("\ngm AS (")].rstrip().rstrip(",")
    head = con.execute(prefix + " SELECT c.nc, c.r, c.t0, c.names, dl.wins, dl.mks FROM c, dl").fetchall()
    if not head or head[0][0] is None or head[0][2] is None:
        return None
    nc, r, t0, names, wins, mks = head[0]
    sql = prefix + " SELECT ks, ords, omk, odt, oval FROM gx"
    table = _arrow(con.sql(sql))
    return _paths(table, nc=int(nc), r=int(r), t0=int(t0), names=list(names),
                  wins=np.asarray(wins, dtype=np.int64), mks=list(mks),
                  by_market=by_market, collapse=collapse,
                  gap=int(inactivity_days) * 86400 * _US, half_life=half_life_days,
                  markets=markets, start=start, end=end)


def _flat(col: Any) -> tuple[np.ndarray, np.ndarray]:
    """A list column as (flat values, offsets), null lists empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    lens = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    off = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    return arr.flatten(), off


def _paths(table: Any, *, nc: int, r: int, t0: int, names: list[str], wins: np.ndarray,
           mks: list[Any], by_market: bool, collapse: bool, gap: int,
           half_life: float | None, markets: list[str] | None, start: str | None,
           end: str | None) -> pd.DataFrame | None:
    ks, koff = _flat(table.column("ks"))
    K = ks.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    ords, ooff = _flat(table.column("ords"))
    OT = ords.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    n_users = len(koff) - 1
    user = np.repeat(np.arange(n_users, dtype=np.int64), np.diff(koff))
    ts = K // nc
    code = K - ts * nc

    # 1. each touch's next order (the first at or after it): one searchsorted on packed
    #    (customer, second) keys, then forward over orders earlier in the same second
    bits = 63 - max(n_users.bit_length(), 1)
    t_sec = ts // _US
    o_sec = np.maximum(OT // _US, 0)
    if len(K) and (int(t_sec.max()) >> bits or (len(OT) and int(o_sec.max()) >> bits)):
        return None
    o_user = np.repeat(np.arange(n_users, dtype=np.int64), np.diff(ooff))
    idx = np.searchsorted((o_user << bits) | o_sec, (user << bits) | t_sec, side="left")
    o_end = ooff[1:][user]
    cand = np.flatnonzero(idx < o_end)
    while cand.size:
        late = cand[OT[idx[cand]] < ts[cand]]
        idx[late] += 1
        cand = late[idx[late] < o_end[late]]
    has = idx < o_end
    safe = np.where(has, idx, 0)
    ot = OT[safe] if len(OT) else np.zeros(len(K), np.int64)
    hit = has & (ot - ts <= wins[code])
    # the order slot: the order's index, or one slot per customer after its last order
    slot = np.where(has, idx, len(OT) + user)

    # 2. journeys: a hit's order; the others split at slot changes and inactivity gaps
    unit_code = code // r
    parts = []
    for converted in (True, False):
        pos = np.flatnonzero(hit if converted else ~hit)
        s = slot[pos]
        brk = np.ones(len(pos), dtype=bool)
        brk[1:] = s[1:] != s[:-1]
        if not converted:
            brk[1:] |= (ts[pos][1:] - ts[pos][:-1]) > gap
        if collapse and len(pos):  # 3. keep a touch unless the next one (same journey) repeats its unit
            u = unit_code[pos]
            keep = np.ones(len(pos), dtype=bool)
            keep[:-1] = brk[1:] | (u[1:] != u[:-1])
            jid = np.cumsum(brk)[keep]  # a journey keeps its last touch: none disappears
            pos = pos[keep]
            brk = np.ones(len(pos), dtype=bool)
            brk[1:] = jid[1:] != jid[:-1]
        parts.append((converted, pos, brk))

    return _group(parts, ts=ts, code=code, unit_code=unit_code, slot=slot, OT=OT, t0=t0,
                  table=table, ooff=ooff, names=names, mks=mks, by_market=by_market,
                  half_life=half_life, markets=markets, start=start, end=end)


def _group(parts: list, *, ts: np.ndarray, code: np.ndarray, unit_code: np.ndarray,
           slot: np.ndarray, OT: np.ndarray, t0: int, table: Any, ooff: np.ndarray,
           names: list[str], mks: list[Any], by_market: bool, half_life: float | None,
           markets: list[str] | None, start: str | None, end: str | None) -> pd.DataFrame:
    """Journeys -> path rows: filter, pack paths to integers, group, decode, sort."""
    import pyarrow as pa
    import pyarrow.compute as pc

    need_market = by_market or bool(markets)
    omk_flat, _ = _flat(table.column("omk"))
    odt_flat, _ = _flat(table.column("odt"))
    ov_flat, _ = _flat(table.column("oval"))
    odt = odt_flat.cast(pa.int32()).to_numpy(zero_copy_only=False) if len(odt_flat) else np.zeros(0, np.int32)
    oval = ov_flat.to_numpy(zero_copy_only=False).astype(float) if len(ov_flat) else np.zeros(0)
    odt_ok = ~np.asarray(pc.is_null(odt_flat)) if len(odt_flat) else np.zeros(0, bool)
    market_names = sorted({m for m in mks if m is not None}
                          | ({m for m in omk_flat.to_pylist() if m is not None} if need_market else set()))
    mindex = {m: i for i, m in enumerate(market_names)}
    code_market = np.array([mindex.get(m, -1) if m is not None else -1 for m in mks], dtype=np.int64)
    omk = (np.array([mindex[m] if m is not None else -1 for m in omk_flat.to_pylist()], dtype=np.int64)
           if need_market and len(omk_flat) else np.full(len(odt), -1, np.int64))

    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "first", "length", "conv", "value", "market", "keep", "tokpos", "w", "jstart")}
    n_tok = 0
    for converted, pos, brk in parts:
        starts = np.flatnonzero(brk)
        nj = len(starts)
        if nj == 0:
            continue
        length = np.diff(np.r_[starts, len(pos)])
        first = pos[starts]
        keep = np.ones(nj, dtype=bool)
        if converted:
            o = slot[first]
            day = odt[o]
            if start:
                keep &= odt_ok[o] & (day >= _day(start))
            if end:
                keep &= odt_ok[o] & (day <= _day(end))
            market = omk[o]
            value = oval[o]
        else:
            first_ts = ts[first] + t0
            if start:
                keep &= first_ts >= _day(start) * 86400 * _US
            if end:
                keep &= first_ts < (_day(end) + 1) * 86400 * _US
            market = code_market[code[first]]
            value = np.zeros(nj)
        if markets:
            allowed = np.array([mindex.get(m, -2) for m in markets])
            keep &= np.isin(market, allowed)
        if half_life is not None and converted:
            jid = np.repeat(np.arange(nj), length)
            w = np.power(0.5, (OT[slot[pos]] - ts[pos]) / float(_US_PER_DAY) / float(half_life))
            cols["w"].append((w, jid + len(np.concatenate(cols["conv"])) if cols["conv"] else jid))
        cols["first"].append(first)
        cols["length"].append(length)
        cols["conv"].append(np.full(nj, converted))
        cols["value"].append(value)
        cols["market"].append(market)
        cols["keep"].append(keep)
        cols["tokpos"].append(pos)
        cols["jstart"].append(starts + n_tok)
        n_tok += len(pos)

    if not cols["conv"]:
        return _empty(by_market, half_life is not None)
    length = np.concatenate(cols["length"])
    conv = np.concatenate(cols["conv"])
    value = np.concatenate(cols["value"])
    market = np.concatenate(cols["market"])
    keep = np.concatenate(cols["keep"])
    tokpos = np.concatenate(cols["tokpos"])
    jstart = np.concatenate(cols["jstart"])
    tok = unit_code[tokpos] + 1  # unit codes from 1: leading zeros tell the length

    # 4. a path as one integer: codes packed b bits apiece (exact up to 63 // b units)
    b = max(int(len(names)).bit_length(), 1)
    per_word = 63 // b
    nj = len(length)
    j_of_tok = np.repeat(np.arange(nj), length)
    p_in = np.arange(len(tok)) - jstart[j_of_tok]
    short = length <= per_word
    contrib = np.where(short[j_of_tok], tok << (b * np.minimum(p_in, per_word - 1)), 0)
    key = np.add.reduceat(contrib, jstart) if nj else np.zeros(0, np.int64)
    long_j = np.flatnonzero(~short)
    if long_j.size:
        ids: dict[tuple, int] = {}
        for j in long_j:
            t = tuple(tok[jstart[j]:jstart[j] + length[j]].tolist())
            key[j] = -1 - ids.setdefault(t, len(ids))

    sel = np.flatnonzero(keep)
    gkey = key[sel]
    gid, uniq = pd.factorize(gkey)
    if by_market:
        mk = market[sel] + 1
        gid, uniq = pd.factorize(gid.astype(np.int64) * (len(market_names) + 1) + mk)
    n_groups = len(uniq)
    cv = conv[sel]
    conversions = np.bincount(gid, weights=cv, minlength=n_groups)
    nulls = np.bincount(gid, weights=~cv, minlength=n_groups)
    vals = np.bincount(gid, weights=np.where(cv, value[sel], 0.0), minlength=n_groups)
    # the first journey of each group (codes appear in order of first appearance)
    first_of = np.flatnonzero(gid > np.maximum.accumulate(np.r_[-1, gid[:-1]]))
    rep = sel[first_of]
    g_len = length[rep]
    g_off = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(g_len, out=g_off[1:])
    take = np.repeat(jstart[rep] - g_off[:-1], g_len) + np.arange(g_off[-1])
    names_arr = pa.array(names, pa.string())
    path_list = pa.ListArray.from_arrays(pa.array(g_off, pa.int32() if g_off[-1] < 2**31 else pa.int64()),
                                         names_arr.take(pa.array(tok[take] - 1)))
    out: dict[str, Any] = {}
    if by_market:
        mcode = market[rep]
        out["market"] = pa.array([market_names[m] if m >= 0 else None for m in mcode.tolist()],
                                 pa.string())
    out["path"] = pc.binary_join(path_list, " > ")
    out["total_conversions"] = pa.array(conversions)
    out["total_conversion_value"] = pa.array(vals)
    out["total_null"] = pa.array(nulls)
    if half_life is not None:
        decay, decay_value = _decay(cols["w"], sel, gid, jstart, length, value, g_off, conversions)
        out["decay"], out["decay_value"] = decay, decay_value
    result = pa.table({k: v for k, v in out.items() if k not in ("decay", "decay_value")})
    keys = ([("market", "ascending")] if by_market else []) + [("path", "ascending")]
    order = pc.sort_indices(result, sort_keys=keys).to_numpy()
    df = result.take(pa.array(order)).to_pandas()
    if half_life is not None:
        df["decay"] = [out["decay"][i] for i in order]
        df["decay_value"] = [out["decay_value"][i] for i in order]
    return df


def _decay(ws: list, sel: np.ndarray, gid: np.ndarray, jstart: np.ndarray, length: np.ndarray,
           value: np.ndarray, g_off: np.ndarray, conversions: np.ndarray) -> tuple[list, list]:
    """Per group and position: the sum over its converting journeys of each touch's share of
    the journey's decay weights (and the same times the order value); NA without one (as
    DuckDB's frame has it)."""
    n_groups = len(g_off) - 1
    group_of = np.full(len(length), -1, dtype=np.int64)
    group_of[sel] = gid
    dec = np.zeros(g_off[-1])
    dval = np.zeros(g_off[-1])
    for w, jid in ws:
        g = group_of[jid]
        ok = g >= 0
        wsum = np.add.reduceat(w, np.flatnonzero(np.r_[True, jid[1:] != jid[:-1]]))
        share = w / wsum[np.cumsum(np.r_[True, jid[1:] != jid[:-1]]) - 1]
        pos = np.arange(len(jid)) - jstart[jid]
        at = g_off[g[ok]] + pos[ok]
        dec += np.bincount(at, weights=share[ok], minlength=len(dec))
        dval += np.bincount(at, weights=(share * value[jid])[ok], minlength=len(dec))
    decay = [dec[g_off[i]:g_off[i + 1]] if conversions[i] > 0 else pd.NA for i in range(n_groups)]
    decay_value = [dval[g_off[i]:g_off[i + 1]] if conversions[i] > 0 else pd.NA
                   for i in range(n_groups)]
    return decay, decay_value


def _day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64))


def _empty(by_market: bool, decay: bool) -> pd.DataFrame:
    cols = (["market"] if by_market else []) + ["path", "total_conversions",
                                                 "total_conversion_value", "total_null"]
    cols += ["decay", "decay_value"] if decay else []
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("market", "path", "decay", "decay_value")
                                      else float) for c in cols})


def _arrow(result: Any) -> Any:
    """A DuckDB result as a pyarrow Table (the method's name changed across versions)."""
    for name in ("to_arrow_table", "arrow", "fetch_arrow_table"):
        method = getattr(result, name, None)
        if method is not None:
            table = method()
            return table.read_all() if hasattr(table, "read_all") else table
    raise AttributeError("DuckDB result without an Arrow export")


def main() -> None:
    import argparse
    import os
    import tempfile

    import duckdb

    from adbudget.attribution import parse_windows
    from attribution import make_touch_tables

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--touch-rows", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="attr-numpy-"))
    con = duckdb.connect(str(tmp / "bench.duckdb"))
    con.execute(f"SET threads = {args.threads}")
    make_touch_tables(con, args.touch_rows)
    w = parse_windows("7d-click,1d-view")
    variants = [{}, {"by_market": True, "half_life_days": 7.0}, {"collapse": False},
                {"unit": "campaign", "start": "2025-03-01", "end": "2025-09-30",
                 "markets": ["US", "DE"]}]
    for kw in variants:
        a = con.execute(path_sql(w, **kw)).df()
        b = fast_path_frame(con, w, **kw)
        same = b is not None and list(a.columns) == list(b.columns) and len(a) == len(b) and all(
            (a[c].astype(str) == b[c].astype(str)).all() if c in ("path", "market") else
            np.allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-9)
            for c in a.columns if c not in ("decay", "decay_value"))
        print(f"{kw or 'default'}: same table {same}", flush=True)
    bare = ("SELECT sum(len(l)) FROM (SELECT hash(user_id) AS u, list(epoch_us(ts)) AS l "
            "FROM touchpoints GROUP BY u)")
    for _ in range(args.repeat):
        for name, run in (("bare GROUP BY user", lambda: con.execute(bare).fetchall()),
                          ("statement", lambda: con.execute(path_sql(w)).fetchall()),
                          ("NumPy variant", lambda: fast_path_frame(con, w))):
            c0, t0 = time.process_time(), time.perf_counter()
            run()
            print(f"{name}: CPU {time.process_time() - c0:.2f} s, wall "
                  f"{time.perf_counter() - t0:.2f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    con.close()
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
