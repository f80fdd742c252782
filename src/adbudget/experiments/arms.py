"""Test arms: which ad rows belong to which arm of which experiment.

Arms come from a tag in the campaign / ad group / ad name (default ``[T:<experiment>/<arm>]``,
``*`` after the arm marks the control; without an experiment id the experiment is
``<market>-<channel>``) or from declarations (a regex on "campaign / ad_group / creative").
A declaration wins over a tag for the rows it matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

ARM_COLUMNS = ["experiment", "arm", "is_control"]
_METRICS = ["spend", "impressions", "clicks", "conversions", "revenue"]


@dataclass(frozen=True)
class ArmDeclaration:
    """One arm declared in settings."""

    experiment: str
    arm: str
    match: str
    market: str | None = None
    channel: str | None = None
    control: bool = False


@dataclass(frozen=True)
class TagRules:
    """How to read arms out of names."""

    pattern: str
    fields: tuple[str, ...] = ("creative", "ad_group", "campaign")
    control_names: tuple[str, ...] = ("control", "ctrl", "baseline")
    declared: tuple[ArmDeclaration, ...] = ()


def parse_tag(name: str, pattern: re.Pattern[str], control_names: Sequence[str] = ()) -> tuple[str | None, str, bool] | None:
    """(experiment or None, arm, is_control) of the first tag in *name*, or None."""
    found = pattern.search(name or "")
    if not found:
        return None
    groups = found.groupdict()
    arm = groups.get("arm")
    if not arm:
        return None
    control = bool(groups.get("control")) or arm.lower() in {c.lower() for c in control_names}
    return groups.get("experiment") or None, arm, control


def tag_rows(ad_daily: pd.DataFrame, rules: TagRules) -> pd.DataFrame:
    """Rows of *ad_daily* that belong to a test arm, with experiment, arm, is_control added."""
    if ad_daily.empty:
        return ad_daily.assign(experiment=pd.Series(dtype=str), arm=pd.Series(dtype=str),
                               is_control=pd.Series(dtype=bool))
    pattern = re.compile(rules.pattern)
    df = ad_daily.reset_index(drop=True)
    n = len(df)
    experiment = np.full(n, None, dtype=object)
    arm = np.full(n, None, dtype=object)
    control = np.zeros(n, dtype=bool)
    # tags: parse each distinct name once
    for field in reversed(rules.fields):  # first field in the list wins: write it last
        if field not in df.columns:
            continue
        values = df[field].astype(str)
        parsed = {v: parse_tag(v, pattern, rules.control_names) for v in values.unique()}
        parsed = {v: p for v, p in parsed.items() if p is not None}
        if not parsed:
            continue
        hit = values.isin(list(parsed)).to_numpy()
        found = values[hit]
        default_exp = df.loc[hit, "market"].astype(str) + "-" + df.loc[hit, "channel"].astype(str)
        exp = found.map({v: p[0] for v, p in parsed.items()})
        experiment[hit] = exp.where(exp.notna(), default_exp).to_numpy(dtype=object)
        arm[hit] = found.map({v: p[1] for v, p in parsed.items()}).to_numpy(dtype=object)
        control[hit] = found.map({v: p[2] for v, p in parsed.items()}).to_numpy(dtype=bool)
    # declarations override tags
    if rules.declared:
        joined = (df.get("campaign", "").astype(str) + " / " + df.get("ad_group", "").astype(str)
                  + " / " + df.get("creative", "").astype(str))
        for dec in rules.declared:
            mask = np.array(joined.str.contains(dec.match, regex=True), dtype=bool)
            if dec.market:
                mask &= np.asarray(df["market"] == dec.market, dtype=bool)
            if dec.channel:
                mask &= np.asarray(df["channel"] == dec.channel, dtype=bool)
            experiment[mask], arm[mask], control[mask] = dec.experiment, dec.arm, dec.control
    out = df.assign(experiment=experiment, arm=arm, is_control=control)
    return out[out["arm"].notna()].reset_index(drop=True)


@dataclass(frozen=True)
class ExperimentData:
    """Daily totals of one experiment's arms as (A, D) arrays (base currency)."""

    experiment: str
    arms: list[str]
    control: int  # index into arms, -1 if none is marked
    dates: list[pd.Timestamp]
    markets: list[str]  # dominant market per arm (by spend)
    channels: list[str]  # dominant channel per arm
    spend: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    revenue: np.ndarray

    @property
    def days_active(self) -> np.ndarray:
        """Days with spend per arm."""
        return (self.spend > 0).sum(-1)


def _base_or_local(df: pd.DataFrame, base: str, local: str) -> pd.Series:
    if base in df.columns:
        values = pd.to_numeric(df[base], errors="coerce")
        if local in df.columns:
            values = values.fillna(pd.to_numeric(df[local], errors="coerce"))
        return values.fillna(0.0).astype(float)
    return pd.to_numeric(df[local], errors="coerce").fillna(0.0).astype(float)


def experiment_data(tagged: pd.DataFrame) -> list[ExperimentData]:
    """Group tagged rows into experiments; one :class:`ExperimentData` per experiment id."""
    if tagged.empty:
        return []
    df = tagged.copy()
    df["spend"] = _base_or_local(df, "spend_base", "spend")
    df["revenue"] = _base_or_local(df, "revenue_base", "revenue")
    for col in ("impressions", "clicks", "conversions"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0).astype(float)
    df["date"] = pd.to_datetime(df["date"])
    out = []
    for exp, rows in df.groupby("experiment", sort=True):
        controls = sorted(rows.loc[rows["is_control"], "arm"].unique())
        arms = controls[:1] + sorted(a for a in rows["arm"].unique() if a not in controls[:1])
        control = 0 if controls else -1  # the control comes first
        dates = sorted(rows["date"].unique())
        daily = rows.groupby(["arm", "date"])[_METRICS].sum()
        full = pd.MultiIndex.from_product([arms, dates], names=["arm", "date"])
        daily = daily.reindex(full, fill_value=0.0)
        arrays = {m: daily[m].to_numpy(dtype=float).reshape(len(arms), len(dates)) for m in _METRICS}
        by_line = rows.groupby(["arm", "market", "channel"])["spend"].sum().reset_index()
        top = by_line.sort_values("spend", ascending=False).drop_duplicates("arm").set_index("arm")
        out.append(ExperimentData(
            experiment=str(exp), arms=[str(a) for a in arms], control=control,
            dates=[pd.Timestamp(d) for d in dates],
            markets=[str(top.at[a, "market"]) for a in arms],
            channels=[str(top.at[a, "channel"]) for a in arms],
            **arrays,
        ))
    return out
