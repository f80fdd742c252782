"""From candidates to actions: cooldowns, conflicts, budget arithmetic, rebalance and reserve.

:func:`evaluate` is the one entry point: rule set + metrics (+ what was applied before) →
:class:`Evaluation` with the actions to apply (each with the metrics that triggered it) and
the candidates that were skipped, with the reason (cooldown, conflict, superseded, no change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from adbudget.rules.actions import ACTIONS, change_values, split_amount
from adbudget.rules.engine import (
    Candidates,
    ScopeIndex,
    find_candidates,
    rule_metric_keys,
    rule_targets,
)
from adbudget.rules.metrics import LineMetrics
from adbudget.rules.spec import Rebalance, ReleaseReserve, RuleSet

ACTION_COLUMNS = [
    "rule", "priority", "line", "market", "channel", "campaign", "bucket", "action",
    "before_status", "after_status", "before_budget", "after_budget", "before_bid", "after_bid",
    "message", "metrics",
]
SKIP_COLUMNS = ["rule", "line", "action", "reason", "winner"]


@dataclass(frozen=True)
class Evaluation:
    """Result of one evaluation: actions (to apply), skipped candidates, state before/after."""

    as_of: date
    actions: pd.DataFrame
    skipped: pd.DataFrame
    state_before: pd.DataFrame
    state_after: pd.DataFrame
    n_rules: int
    n_lines: int
    n_candidates: int


def _param(rules, attr: str) -> np.ndarray:
    out = np.full(len(rules), np.nan)
    for i, rule in enumerate(rules):
        v = getattr(rule.action, attr, None)
        if v is not None:
            out[i] = float(v)
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
    state_before = _state_frame(lines, metrics.paused, metrics.state["daily_budget"], metrics.state["bid"])
    if cands.rule_idx.size == 0:
        return Evaluation(metrics.as_of, _empty(ACTION_COLUMNS), _empty(SKIP_COLUMNS), state_before,
                          state_before.copy(), len(rules), n_lines, 0)

    names = np.array([r.name for r in rules], dtype=object)
    atype = np.array([r.action.type for r in rules], dtype=object)
    family = np.array([ACTIONS[a].family for a in atype], dtype=object)
    safety = np.array([ACTIONS[a].safety for a in atype])
    prio = np.array([r.priority for r in rules])
    cooldown = np.array([r.cooldown_days for r in rules])

    r, ln = cands.rule_idx, cands.line_idx
    skipped: list[pd.DataFrame] = []
    keys = lines["line"].to_numpy(object)

    def skip(mask: np.ndarray, reason: str, winner: np.ndarray | None = None) -> None:
        if mask.any():
            skipped.append(pd.DataFrame({
                "rule": names[r[mask]], "line": keys[ln[mask]], "action": atype[r[mask]],
                "reason": reason,
                "winner": winner[mask] if winner is not None else None,
            }))

    # 1. cooldowns and "already applied for this date"
    keep = np.ones(r.size, dtype=bool)
    if history is not None and len(history):
        h = history.assign(for_date=pd.to_datetime(history["for_date"]).dt.date)
        last = h.groupby(["rule", "line"])["for_date"].max()
        idx = pd.MultiIndex.from_arrays([names[r], keys[ln]])
        prev = last.reindex(idx).to_numpy(object)
        has = pd.notna(prev)
        days = np.array([(metrics.as_of - p).days if ok else 10**6 for p, ok in zip(prev, has, strict=True)])
        same = has & (days == 0)
        cool = has & ~same & (days < cooldown[r]) & (days > 0)
        skip(same, "already_applied")
        skip(cool, "cooldown")
        keep &= ~same & ~cool
    # 2. no-ops: pausing a paused line, resuming an active one
    paused = metrics.paused
    noop = (np.isin(atype[r], ["pause", "pause_today"]) & paused[ln]) | ((atype[r] == "resume") & ~paused[ln])
    skip(keep & noop, "no_change")
    keep &= ~noop
    r, ln = r[keep], ln[keep]

    # 3. conflicts: one winner per line and family
    notify = family[r] == "notify"
    order = np.lexsort((r, safety[r], -prio[r], family[r].astype(str), ln))
    r, ln, notify = r[order], ln[order], notify[order]
    fam = family[r]
    first = np.ones(r.size, dtype=bool)
    first[1:] = (ln[1:] != ln[:-1]) | (fam[1:] != fam[:-1])
    group = np.cumsum(first) - 1
    winner_of_group = r[first]
    lost = ~first & ~notify
    skip(lost, "conflict", names[winner_of_group[group]])
    win = first | notify
    r, ln = r[win], ln[win]

    # 4. a pause supersedes budget and bid changes on the same line
    status_r = np.full(n_lines, -1)
    st = family[r] == "status"
    status_r[ln[st]] = r[st]
    pausing = np.zeros(n_lines, dtype=bool)
    pausing[ln[st & np.isin(atype[r], ["pause", "pause_today"])]] = True
    sup = np.isin(family[r], ["budget", "bid"]) & pausing[ln]
    skip(sup, "superseded", names[status_r[ln]])
    r, ln = r[~sup], ln[~sup]

    # 5. new values
    budget = metrics.state["daily_budget"].copy()
    bid = metrics.state["bid"].copy()
    status = np.where(paused, "paused", "active").astype(object)
    before_budget = budget[ln].copy()
    before_bid = bid[ln].copy()
    before_status = status[ln].copy()
    after_budget = before_budget.copy()
    after_bid = before_bid.copy()
    changed = np.ones(r.size, dtype=bool)

    a = atype[r]
    for what, arr_before, arr_after in (("budget", before_budget, after_budget), ("bid", before_bid, after_bid)):
        sel = np.isin(a, [f"raise_{what}", f"lower_{what}"])
        if sel.any():
            rr = r[sel]
            direction = np.where(a[sel] == f"raise_{what}", 1.0, -1.0)
            new = change_values(
                arr_before[sel], direction,
                _param(rules, "pct")[rr], _param(rules, "amount")[rr], _param(rules, "floor")[rr],
                _param(rules, "cap")[rr], _param(rules, "max_step_pct")[rr],
                _param(rules, "max_step")[rr],
            )
            arr_after[sel] = new
            changed[sel] = ~(np.isnan(new) | (np.abs(new - arr_before[sel]) < 1e-9))
    reb = a == "rebalance"
    if reb.any():
        pct = _param(rules, "pct")[r[reb]]
        after_budget[reb] = before_budget[reb] * (1 - pct / 100.0)
        changed[reb] = np.nan_to_num(before_budget[reb]) > 0
    after_status = before_status.copy()
    after_status[a == "pause"] = "paused"
    after_status[a == "pause_today"] = "paused_today"
    after_status[a == "resume"] = "active"
    skip_nc = ~changed
    if skip_nc.any():
        skipped.append(pd.DataFrame({"rule": names[r[skip_nc]], "line": keys[ln[skip_nc]],
                                     "action": a[skip_nc], "reason": "no_change", "winner": None}))
    rows = pd.DataFrame({
        "r": r, "l": ln, "action": a, "before_status": before_status, "after_status": after_status,
        "before_budget": before_budget, "after_budget": after_budget,
        "before_bid": before_bid, "after_bid": after_bid,
    })[changed].reset_index(drop=True)
    # apply status, budget and bid winners to the running state
    budget_rows = rows[rows["action"].isin(["raise_budget", "lower_budget", "rebalance"])]
    budget[budget_rows["l"].to_numpy()] = budget_rows["after_budget"].to_numpy()
    bid_rows = rows[rows["action"].isin(["raise_bid", "lower_bid"])]
    bid[bid_rows["l"].to_numpy()] = bid_rows["after_bid"].to_numpy()
    st_rows = rows[rows["action"].isin(["pause", "pause_today", "resume"])]
    status[st_rows["l"].to_numpy()] = st_rows["after_status"].to_numpy()

    extra = []
    extra += _rebalance(rules, rows, metrics, budget, status, skipped, names, keys)
    extra += _release(rules, rows, metrics, budget, status, reserve_daily, skipped, names, keys)
    rows = rows[rows["action"] != "release_reserve"]
    if extra:
        rows = pd.concat([rows, *extra], ignore_index=True)

    actions = _assemble(rows, rules, metrics, snapshot)
    state_after = _state_frame(lines, None, budget, bid, status)
    skipped_df = pd.concat(skipped, ignore_index=True) if skipped else _empty(SKIP_COLUMNS)
    return Evaluation(metrics.as_of, actions, skipped_df, state_before, state_after, len(rules),
                      n_lines, int(cands.rule_idx.size))


def _rebalance(rules, rows, metrics, budget, status, skipped, names, keys) -> list[pd.DataFrame]:
    """Give what each rebalance rule took from its donors to the lines in its ``to`` scope."""
    out = []
    donors_all = rows[rows["action"] == "rebalance"]
    if donors_all.empty:
        return out
    scopes = ScopeIndex(metrics.lines)
    for ri, donors in donors_all.groupby("r"):
        act: Rebalance = rules[ri].action
        freed = float((donors["before_budget"] - donors["after_budget"]).sum())
        to = scopes.mask(act.to).copy()
        to[donors["l"].to_numpy()] = False
        to &= status == "active"
        to &= ~np.isnan(budget)
        rec = np.flatnonzero(to)
        if rec.size == 0 or freed <= 0:
            # nothing can receive: undo the donors' cuts
            budget[donors["l"].to_numpy()] = donors["before_budget"].to_numpy()
            skipped.append(pd.DataFrame({"rule": names[ri], "line": keys[donors["l"].to_numpy()],
                                         "action": "rebalance", "reason": "no_recipient", "winner": None}))
            rows.drop(donors.index, inplace=True)
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
        out.append(pd.DataFrame({
            "r": ri, "l": rec, "action": "rebalance_in", "before_status": status[rec],
            "after_status": status[rec], "before_budget": before, "after_budget": budget[rec],
            "before_bid": metrics.state["bid"][rec], "after_bid": metrics.state["bid"][rec],
        }))
    return out


def _release(rules, rows, metrics, budget, status, pool, skipped, names, keys) -> list[pd.DataFrame]:
    """Share the daily reserve between the lines that release rules selected."""
    sel = rows[rows["action"] == "release_reserve"]
    if sel.empty:
        return []
    if pool <= 0:
        skipped.append(pd.DataFrame({"rule": names[sel["r"].to_numpy()], "line": keys[sel["l"].to_numpy()],
                                     "action": "release_reserve", "reason": "no_reserve", "winner": None}))
        return []
    parts = []
    for ri, grp in sel.groupby("r"):
        act: ReleaseReserve = rules[ri].action
        total = act.amount if act.amount is not None else pool * act.pct_of_reserve / 100.0
        li = grp["l"].to_numpy()
        old = np.nan_to_num(budget[li])
        if act.split == "equal":
            w = np.ones(li.size)
        elif act.split == "budget":
            w = old
        else:
            w = metrics.get("roas", "last_7d")[li]
        inc = split_amount(total, w)
        if act.max_step_pct is not None:
            inc = np.minimum(inc, old * act.max_step_pct / 100.0)
        parts.append(pd.DataFrame({"r": ri, "l": li, "inc": inc}))
    req = pd.concat(parts, ignore_index=True)
    total_req = float(req["inc"].sum())
    if total_req > pool:
        req["inc"] *= pool / total_req
    req = req[req["inc"] > 1e-9]
    li = req["l"].to_numpy()
    # several release rules may give to the same line: apply in turn
    running = budget.copy()
    running[np.isnan(running)] = 0.0
    befores, afters = [], []
    for line_i, inc in zip(li, req["inc"].to_numpy(), strict=True):
        befores.append(running[line_i])
        running[line_i] += inc
        afters.append(running[line_i])
    budget[li] = running[li]
    return [pd.DataFrame({
        "r": req["r"].to_numpy(), "l": li, "action": "release_reserve",
        "before_status": status[li], "after_status": status[li],
        "before_budget": befores, "after_budget": afters,
        "before_bid": metrics.state["bid"][li], "after_bid": metrics.state["bid"][li],
    })]


def _assemble(rows: pd.DataFrame, rules, metrics: LineMetrics, snapshot: bool) -> pd.DataFrame:
    if rows.empty:
        return _empty(ACTION_COLUMNS)
    lines = metrics.lines
    ri = rows["r"].to_numpy()
    li = rows["l"].to_numpy()
    out = pd.DataFrame({
        "rule": [rules[i].name for i in ri],
        "priority": [rules[i].priority for i in ri],
        "line": lines["line"].to_numpy(object)[li],
        "market": lines["market"].to_numpy(object)[li],
        "channel": lines["channel"].to_numpy(object)[li],
        "campaign": lines["campaign"].to_numpy(object)[li],
        "bucket": lines["bucket"].to_numpy(object)[li],
        "action": rows["action"].to_numpy(object),
    })
    for col in ("before_status", "after_status", "before_budget", "after_budget", "before_bid", "after_bid"):
        out[col] = rows[col].to_numpy()
    out["message"] = [rules[i].action.message for i in ri]
    if snapshot:
        keys_of = {i: rule_metric_keys(rules[i]) for i in set(ri.tolist())}
        targets_of = {i: rule_targets(rules[i]) for i in keys_of}
        snaps = []
        for i, j in zip(ri, li, strict=True):
            snap = {f"{m}:{w}": _num(metrics.get(m, w)[j]) for m, w in keys_of[i]}
            for t in targets_of[i]:
                snap[t] = _num(metrics.target(t)[j])
            snaps.append(snap)
        out["metrics"] = snaps
    else:
        out["metrics"] = None
    return out.sort_values(["priority", "rule", "line"], ascending=[False, True, True]).reset_index(drop=True)


def _num(x: float) -> float | None:
    x = float(x)
    return None if x != x else round(x, 6)


def _state_frame(lines, paused, budget, bid, status=None) -> pd.DataFrame:
    if status is None:
        status = np.where(paused, "paused", "active")
    return pd.DataFrame({"line": lines["line"].to_numpy(object), "status": status,
                         "daily_budget": budget, "bid": bid})


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


__all__ = ["ACTION_COLUMNS", "Candidates", "Evaluation", "SKIP_COLUMNS", "evaluate"]
