"""From candidates to actions: cooldowns, conflicts, budget arithmetic, rebalance and reserve.

:func:`evaluate` is the one entry point: rule set + metrics (+ what was applied before) →
:class:`Evaluation` with the actions to apply (each with the metrics that triggered it) and
the candidates that were skipped, with the reason (cooldown, conflict, superseded, no change).
Everything is done on index arrays; tables are built once at the end (skipped candidates
only when asked for, since a large rule set can skip millions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from adbudget.rules.actions import ACTIONS, change_values, split_amount
from adbudget.rules.engine import ScopeIndex, find_candidates, rule_metric_keys, rule_targets
from adbudget.rules.metrics import LineMetrics
from adbudget.rules.spec import RuleSet

ACTION_COLUMNS = [
    "rule", "priority", "line", "market", "channel", "campaign", "bucket", "action",
    "before_status", "after_status", "before_budget", "after_budget", "before_bid", "after_bid",
    "message", "metrics",
]
SKIP_COLUMNS = ["rule", "line", "action", "reason", "winner"]
REASONS = ("already_applied", "cooldown", "no_change", "conflict", "superseded", "no_recipient",
           "no_reserve")
_CODE = {"pause": 0, "pause_today": 1, "resume": 2}  # the others: 3 (only these are compared)
_CODE.update({k: 3 for k in ACTIONS if k not in _CODE})
_STATUS = np.array(["active", "paused", "paused_today"], dtype=object)  # codes 0, 1, 2


@dataclass(frozen=True)
class Evaluation:
    """Result of one evaluation: actions (to apply), skipped candidates, state before/after."""

    as_of: date
    actions: pd.DataFrame
    state_before: pd.DataFrame
    state_after: pd.DataFrame
    n_rules: int
    n_lines: int
    n_candidates: int
    skip_data: tuple = ()  # (rule idx, line idx, reason codes, winner idx, names, keys, action types)

    @property
    def n_skipped(self) -> int:
        return int(self.skip_data[0].size) if self.skip_data else 0

    @cached_property
    def skipped(self) -> pd.DataFrame:
        """Skipped candidates: rule, line, action, reason (see :data:`REASONS`), winning rule."""
        if not self.skip_data or self.skip_data[0].size == 0:
            return _empty(SKIP_COLUMNS)
        r, ln, reason, winner, names, keys, atype = self.skip_data
        rule_cat = pd.Index(names, dtype=object)
        act_codes, act_names = pd.factorize(pd.Series(atype, dtype=object))
        return pd.DataFrame({
            "rule": pd.Categorical.from_codes(r, categories=rule_cat),
            "line": pd.Categorical.from_codes(ln, categories=pd.Index(keys, dtype=object)),
            "action": pd.Categorical.from_codes(act_codes[r], categories=pd.Index(act_names, dtype=object)),
            "reason": pd.Categorical.from_codes(reason, categories=pd.Index(REASONS, dtype=object)),
            "winner": pd.Categorical.from_codes(winner, categories=rule_cat),  # -1 = none
        })


class _Skips:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, r, ln, reason: str, winner=None) -> None:
        if r.size:
            w = np.full(r.size, -1) if winner is None else winner
            self.parts.append((r, ln, np.full(r.size, REASONS.index(reason), dtype=np.int8), w))

    def data(self, names, keys, atype) -> tuple:
        if not self.parts:
            return ()
        cols = [np.concatenate([p[i] for p in self.parts]) for i in range(4)]
        return (*cols, names, keys, atype)


def _params(rules) -> dict[str, np.ndarray]:
    out = {k: np.full(len(rules), np.nan) for k in ("pct", "amount", "floor", "cap", "max_step_pct", "max_step")}
    for i, rule in enumerate(rules):
        given = rule.action.__dict__
        for k in out:
            v = given.get(k)
            if v is not None:
                out[k][i] = float(v)
    return out


def evaluate(
    ruleset: RuleSet,
    metrics: LineMetrics,
    *,
    history: pd.DataFrame | None = None,
    reserve_daily: float = 0.0,
    snapshot: bool = True,
) -> Evaluation:
    """Evaluate every rule on every line for ``metrics.as_of`` and resolve what to do.

    *history* (``rule, line, for_date``) lists actions applied before, for cooldowns and so
    that a second run on the same date does not apply a rule twice. *reserve_daily* is the
    reserve money per day that ``release_reserve`` actions share.
    """
    rules = ruleset.rules
    lines = metrics.lines
    n_lines = len(lines)
    cands = find_candidates(ruleset, metrics)
    paused = metrics.paused
    status_before = np.where(paused, 1, 0)
    state_before = _state_frame(lines, status_before, metrics.state["daily_budget"], metrics.state["bid"])
    names = np.array([r.name for r in rules], dtype=object)
    keys = lines["line"].to_numpy(object)
    if cands.rule_idx.size == 0:
        return Evaluation(metrics.as_of, _empty(ACTION_COLUMNS), state_before, state_before.copy(),
                          len(rules), n_lines, 0)

    atype = np.array([r.action.type for r in rules], dtype=object)
    acode = np.array([_CODE[a] for a in atype])
    fam_names = ("status", "budget", "bid", "notify")
    family = np.array([fam_names.index(ACTIONS[a].family) for a in atype])
    safety = np.array([ACTIONS[a].safety for a in atype])
    prio = np.array([r.priority for r in rules])
    cooldown = np.array([r.cooldown_days for r in rules])
    skips = _Skips()
    r, ln = cands.rule_idx, cands.line_idx

    # 1. cooldowns and "already applied for this date"
    if history is not None and len(history):
        h = history.assign(for_date=pd.to_datetime(history["for_date"]))
        last = h.groupby(["rule", "line"])["for_date"].max()
        pos = pd.MultiIndex.from_arrays([names[r], keys[ln]])
        prev = last.reindex(pos).to_numpy().astype("datetime64[D]")
        has = ~np.isnat(prev)
        diff = (np.datetime64(metrics.as_of, "D") - prev).astype(np.int64)
        days = np.where(has, diff, 10**6)
        same = has & (days == 0)
        cool = has & (days > 0) & (days < cooldown[r])
        skips.add(r[same], ln[same], "already_applied")
        skips.add(r[cool], ln[cool], "cooldown")
        keep = ~same & ~cool
        r, ln = r[keep], ln[keep]
    # 2. no-ops: pausing a paused line, resuming an active one
    ac = acode[r]
    noop = ((ac <= 1) & paused[ln]) | ((ac == 2) & ~paused[ln])
    skips.add(r[noop], ln[noop], "no_change")
    r, ln = r[~noop], ln[~noop]

    # 3. conflicts: one winner per line and family (priority, then safety, then rule order);
    #    the winner has the smallest key in its (line, family) group, found without sorting
    fam = family[r]
    prio_rank = pd.factorize(-prio, sort=True)[0]
    n_rules = len(rules)
    key = (prio_rank[r].astype(np.int64) * 4 + safety[r]) * n_rules + r
    gid = ln.astype(np.int64) * 4 + fam
    best = np.full(n_lines * 4, np.iinfo(np.int64).max)
    np.minimum.at(best, gid, key)
    first = key == best[gid]
    notify = fam == 3
    lost = ~first & ~notify
    skips.add(r[lost], ln[lost], "conflict", (best[gid[lost]] % n_rules))
    win = first | notify
    r, ln, fam = r[win], ln[win], fam[win]

    # 4. a pause supersedes budget and bid changes on the same line
    st = fam == 0
    status_rule = np.full(n_lines, -1)
    status_rule[ln[st]] = r[st]
    pausing = np.zeros(n_lines, dtype=bool)
    pausing[ln[st & (acode[r] <= 1)]] = True
    sup = ((fam == 1) | (fam == 2)) & pausing[ln]
    skips.add(r[sup], ln[sup], "superseded", status_rule[ln[sup]])
    r, ln = r[~sup], ln[~sup]

    # 5. new values
    a = atype[r]
    budget = metrics.state["daily_budget"].copy()
    bid = metrics.state["bid"].copy()
    status = status_before.copy()
    b_budget, b_bid, b_status = budget[ln], bid[ln], status[ln]
    a_budget, a_bid, a_status = b_budget.copy(), b_bid.copy(), b_status.copy()
    changed = np.ones(r.size, dtype=bool)
    par = _params(rules)
    for what, before, after in (("budget", b_budget, a_budget), ("bid", b_bid, a_bid)):
        sel = (a == f"raise_{what}") | (a == f"lower_{what}")
        if sel.any():
            rr = r[sel]
            new = change_values(before[sel], np.where(a[sel] == f"raise_{what}", 1.0, -1.0),
                                par["pct"][rr], par["amount"][rr], par["floor"][rr], par["cap"][rr],
                                par["max_step_pct"][rr], par["max_step"][rr])
            after[sel] = new
            changed[sel] = ~(np.isnan(new) | (np.abs(new - before[sel]) < 1e-9))
    reb = a == "rebalance"
    if reb.any():
        a_budget[reb] = b_budget[reb] * (1 - par["pct"][r[reb]] / 100.0)
        changed[reb] = np.nan_to_num(b_budget[reb]) > 0
    a_status[a == "pause"] = 1
    a_status[a == "pause_today"] = 2
    a_status[a == "resume"] = 0
    nc = ~changed
    skips.add(r[nc], ln[nc], "no_change")
    rows = {"r": r[changed], "l": ln[changed], "action": a[changed],
            "b_status": b_status[changed], "a_status": a_status[changed],
            "b_budget": b_budget[changed], "a_budget": a_budget[changed],
            "b_bid": b_bid[changed], "a_bid": a_bid[changed]}
    act = rows["action"]
    sel = np.isin(act, ["raise_budget", "lower_budget", "rebalance"])
    budget[rows["l"][sel]] = rows["a_budget"][sel]
    sel = np.isin(act, ["raise_bid", "lower_bid"])
    bid[rows["l"][sel]] = rows["a_bid"][sel]
    sel = np.isin(act, ["pause", "pause_today", "resume"])
    status[rows["l"][sel]] = rows["a_status"][sel]

    rows = _rebalance(rules, rows, metrics, budget, bid, status, skips)
    rows = _release(rules, rows, metrics, budget, bid, status, reserve_daily, skips)

    actions = _assemble(rows, rules, metrics, snapshot)
    state_after = _state_frame(lines, status, budget, bid)
    return Evaluation(metrics.as_of, actions, state_before, state_after, len(rules), n_lines,
                      int(cands.rule_idx.size), skips.data(names, keys, atype))


def _cat(rows: dict, mask: np.ndarray) -> dict:
    return {k: v[mask] for k, v in rows.items()}


def _append(rows: dict, extra: dict) -> dict:
    return {k: np.concatenate([rows[k], np.asarray(extra[k], dtype=rows[k].dtype)]) for k in rows}


def _rebalance(rules, rows, metrics, budget, bid, status, skips) -> dict:
    """Give what each rebalance rule took from its donors to the lines in its ``to`` scope."""
    donors_all = rows["action"] == "rebalance"
    if not donors_all.any():
        return rows
    scopes = ScopeIndex(metrics.lines)
    drop = np.zeros(rows["r"].size, dtype=bool)
    extras = []
    for ri in np.unique(rows["r"][donors_all]):
        d = donors_all & (rows["r"] == ri)
        act = rules[ri].action
        dl = rows["l"][d]
        freed = float(np.sum(rows["b_budget"][d] - rows["a_budget"][d]))
        to = scopes.mask(act.to).copy()
        to[dl] = False
        to &= (status == 0) & ~np.isnan(budget)
        rec = np.flatnonzero(to)
        if rec.size == 0 or freed <= 0:
            budget[dl] += rows["b_budget"][d] - rows["a_budget"][d]  # nothing can receive: give it back
            drop |= d
            skips.add(np.full(dl.size, ri), dl, "no_recipient")
            continue
        if act.weight == "equal":
            w = np.ones(rec.size)
        elif act.weight == "budget":
            w = budget[rec]
        else:
            w = metrics.get("roas", act.weight_window)[rec]
        inc = split_amount(freed, w)
        before = budget[rec].copy()
        budget[rec] = before + inc
        extras.append({
            "r": np.full(rec.size, ri), "l": rec, "action": np.full(rec.size, "rebalance_in", dtype=object),
            "b_status": status[rec], "a_status": status[rec], "b_budget": before, "a_budget": budget[rec],
            "b_bid": bid[rec], "a_bid": bid[rec]})
    rows = _cat(rows, ~drop)
    for extra in extras:
        rows = _append(rows, extra)
    return rows


def _release(rules, rows, metrics, budget, bid, status, pool, skips) -> dict:
    """Share the daily reserve between the lines that release rules selected."""
    sel = rows["action"] == "release_reserve"
    if not sel.any():
        return rows
    r, li = rows["r"][sel], rows["l"][sel]
    if pool <= 0:
        skips.add(r, li, "no_reserve")
        return _cat(rows, ~sel)
    inc = np.zeros(r.size)
    old = np.nan_to_num(budget[li])
    roas7 = metrics.get("roas", "last_7d")
    for ri in np.unique(r):
        m = r == ri
        act = rules[ri].action
        total = act.amount if act.amount is not None else pool * act.pct_of_reserve / 100.0
        w = np.ones(int(m.sum())) if act.split == "equal" else old[m] if act.split == "budget" else roas7[li[m]]
        part = split_amount(total, w)
        if act.max_step_pct is not None:
            part = np.minimum(part, old[m] * act.max_step_pct / 100.0)
        inc[m] = part
    total_req = float(inc.sum())
    if total_req > pool:
        inc *= pool / total_req
    # several release rules may give to one line: each row starts where the previous one ended
    order = np.lexsort((r, li))
    r, li, inc = r[order], li[order], inc[order]
    start = np.nan_to_num(budget[li])
    cum = pd.Series(inc).groupby(li).cumsum().to_numpy()
    after = start + cum
    before = after - inc
    keep = inc > 1e-9
    skips.add(r[~keep], li[~keep], "no_reserve")  # nothing left for these lines
    budget_new = pd.Series(after).groupby(li).max()
    budget[budget_new.index.to_numpy()] = budget_new.to_numpy()
    rest = _cat(rows, ~sel)
    k = keep
    return _append(rest, {
        "r": r[k], "l": li[k], "action": np.full(int(k.sum()), "release_reserve", dtype=object),
        "b_status": status[li[k]], "a_status": status[li[k]], "b_budget": before[k], "a_budget": after[k],
        "b_bid": bid[li[k]], "a_bid": bid[li[k]]})


def _assemble(rows: dict, rules, metrics: LineMetrics, snapshot: bool) -> pd.DataFrame:
    if rows["r"].size == 0:
        return _empty(ACTION_COLUMNS)
    lines = metrics.lines
    ri, li = rows["r"], rows["l"]
    order = np.lexsort((li, ri, -np.array([r.priority for r in rules])[ri]))  # priority, rule, line
    ri, li = ri[order], li[order]
    rows = {k: v[order] for k, v in rows.items()}
    rule_names = [r.name for r in rules]
    out = pd.DataFrame({
        "rule": pd.Categorical.from_codes(ri, categories=pd.Index(rule_names, dtype=object)),
        "priority": np.array([r.priority for r in rules])[ri],
        "line": _cat_from(lines["line"], li),
        "market": _cat_from(lines["market"], li),
        "channel": _cat_from(lines["channel"], li),
        "campaign": _cat_from(lines["campaign"], li),
        "bucket": _cat_from(lines["bucket"], li),
        "action": rows["action"].astype(object),
        "before_status": _STATUS[rows["b_status"]], "after_status": _STATUS[rows["a_status"]],
        "before_budget": rows["b_budget"], "after_budget": rows["a_budget"],
        "before_bid": rows["b_bid"], "after_bid": rows["a_bid"],
        "message": np.array([r.action.message for r in rules], dtype=object)[ri],
    })
    out["metrics"] = _snapshots(ri, li, rules, metrics) if snapshot else None
    return out


def _cat_from(column: pd.Series, idx: np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(column.astype(object))
    return pd.Categorical.from_codes(codes[idx], categories=pd.Index(uniques, dtype=object))


def _snapshots(ri: np.ndarray, li: np.ndarray, rules, metrics: LineMetrics) -> list[dict]:
    """The metrics each rule read, per action row (rows sorted so each rule's rows are together)."""
    out: list[dict] = []
    bounds = np.flatnonzero(np.diff(ri)) + 1
    for lines_of_rule, rule_i in zip(np.split(li, bounds), ri[np.r_[0, bounds]], strict=True):
        rule = rules[rule_i]
        keys = rule_metric_keys(rule)
        names = [f"{m}:{w}" for m, w in keys]
        cols = [metrics.get(m, w)[lines_of_rule] for m, w in keys]
        for t in rule_targets(rule):
            names.append(t)
            cols.append(metrics.target(t)[lines_of_rule])
        vals = np.round(np.column_stack(cols), 6)
        vals = np.where(np.isnan(vals), None, vals).tolist()
        out.extend(dict(zip(names, row, strict=True)) for row in vals)
    return out


def _state_frame(lines, status_codes, budget, bid) -> pd.DataFrame:
    return pd.DataFrame({"line": lines["line"].to_numpy(object), "status": _STATUS[status_codes],
                         "daily_budget": budget, "bid": bid})


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


__all__ = ["ACTION_COLUMNS", "Evaluation", "REASONS", "SKIP_COLUMNS", "evaluate"]
