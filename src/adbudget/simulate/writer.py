"""Write a world's files (platform exports, shop, analytics, finance, tests) and its truth.

Layout under the output folder::

    finance/fx_rates.csv, finance/margins.csv      (import these first)
    ads/<format>_<market>.csv|tsv                  (Meta, Google Ads, TikTok, Amazon, Shopee, Lazada,
                                                    ad_daily for KOL / live commerce)
    shop/orders.csv, shop/funnel_daily.csv, analytics/touchpoints.csv, experiments/lift_tests.csv
    truth.json, truth/daily_lines.csv, truth/daily_markets.csv, truth/journey_credit.csv
    manifest.json                                  (every importable file, its source and market)

Files are byte-identical for the same seed and size.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from adbudget.simulate.calendar import holidays
from adbudget.simulate.platforms import export_files

if TYPE_CHECKING:
    from adbudget.simulate.world import World

TRUTH_VERSION = 1


@dataclass(frozen=True)
class ManifestEntry:
    """One importable file: relative path, importer source name, kind and market."""

    path: str
    source: str
    kind: str
    market: str | None


@dataclass(frozen=True)
class Manifest:
    """What ``write_world`` wrote, in the order to import it."""

    root: Path
    files: tuple[ManifestEntry, ...]
    truth: str = "truth.json"

    def paths(self) -> list[Path]:
        return [self.root / f.path for f in self.files]


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if len(df) > 20_000:
        table = pa.Table.from_pandas(df, preserve_index=False)
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    else:
        df.to_csv(path, index=False, lineterminator="\n")


def _iso(values: Any) -> Any:
    return pd.DatetimeIndex(values).strftime("%Y-%m-%d")


def _from(df: pd.DataFrame, col: str, since: str | None) -> pd.DataFrame:
    """Rows dated ``since`` or later (all rows without ``since``)."""
    if since is None or df.empty:
        return df
    day = pd.Timestamp(since)
    values = df[col]
    if not pd.api.types.is_datetime64_any_dtype(values):  # ISO text; UTC times end in Z
        values = pd.to_datetime(values.astype(str).str.rstrip("Z"))
    return df[values >= day].reset_index(drop=True)


def write_world(world: World, out: Path, progress: Callable[[str], None] | None = None,
                since: str | None = None) -> Manifest:
    """Write all files of ``world`` under ``out`` and return the manifest. ``since`` (ISO
    date) writes only the rows from that day on: a continued period's exports, to import on
    top of the history (the lift-test file is the history's and is left out)."""
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _step: None)
    entries: list[ManifestEntry] = []

    say("fx")
    fx = _from(world.fx_rates(), "date", since)
    fx_out = pd.DataFrame({"date": _iso(fx["date"]), "currency": fx["currency"],
                           "per_base": [f"{v:.6f}" for v in fx["per_base"]]})
    _write_csv(fx_out, out / "finance" / "fx_rates.csv")
    entries.append(ManifestEntry("finance/fx_rates.csv", "fx_rates", "fx_rates", None))
    _write_csv(world.margins(), out / "finance" / "margins.csv")
    entries.append(ManifestEntry("finance/margins.csv", "margins", "margins", None))

    say("ads")
    rows = _from(world._ad_rows, "date", since)
    for i, m in enumerate(world.spec.markets):
        part = rows[rows["market"] == m.code]
        for f in export_files(part, m.code, m.currency, i):
            path = out / "ads" / f.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
            entries.append(ManifestEntry(f"ads/{f.name}", f.source, "ad_daily", m.code))

    say("orders")
    orders = _from(world.orders(text=True), "order_date", since)
    cols = ["order_id", "customer_id", "ordered_at", "market", "currency", "revenue", "cogs",
            "shipping", "refunded", "first_touch_channel"]
    _write_csv(orders[cols], out / "shop" / "orders.csv")
    entries.append(ManifestEntry("shop/orders.csv", "orders", "orders", None))

    say("funnel")
    funnel = _from(world.funnel_daily(), "date", since)
    funnel["date"] = _iso(funnel["date"])
    _write_csv(funnel, out / "shop" / "funnel_daily.csv")
    entries.append(ManifestEntry("shop/funnel_daily.csv", "funnel", "funnel_daily", None))

    say("touchpoints")
    _write_csv(_from(world.touchpoints(), "ts", since), out / "analytics" / "touchpoints.csv")
    entries.append(ManifestEntry("analytics/touchpoints.csv", "touchpoints", "touchpoints", None))

    say("lift_tests")
    lift = world.lift_tests()
    if len(lift) and since is None:
        lt = lift[["test_id", "market", "channel", "start_date", "end_date", "spend",
                   "baseline_spend", "incremental_revenue", "incremental_revenue_se", "currency", "method"]].copy()
        lt["start_date"] = _iso(lt["start_date"])
        lt["end_date"] = _iso(lt["end_date"])
        _write_csv(lt, out / "experiments" / "lift_tests.csv")
        entries.append(ManifestEntry("experiments/lift_tests.csv", "lift_tests", "lift_tests", None))

    say("truth")
    lines = _from(world.daily_lines(), "date", since)
    lines["date"] = _iso(lines["date"])
    _write_csv(lines.round(6), out / "truth" / "daily_lines.csv")
    markets = _from(world.daily_markets(), "date", since)
    markets["date"] = _iso(markets["date"])
    _write_csv(markets.round(6), out / "truth" / "daily_markets.csv")
    _write_csv(world.true_channel_credit().round(6), out / "truth" / "journey_credit.csv")
    credit_m = pd.concat([world.true_channel_credit(m.code) for m in world.spec.markets])
    _write_csv(credit_m.round(6), out / "truth" / "journey_credit_by_market.csv")
    (out / "truth.json").write_text(
        json.dumps(truth_dict(world), indent=2, ensure_ascii=False, default=_json_default) + "\n",
        encoding="utf-8")
    manifest = Manifest(out, tuple(entries))
    (out / "manifest.json").write_text(json.dumps({
        "seed": world.spec.seed, "size": world.spec.size,
        "files": [asdict(e) for e in entries],
    }, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(root: Path) -> Manifest:
    """The manifest of a folder written by ``write_world``."""
    data = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return Manifest(root, tuple(ManifestEntry(**e) for e in data["files"]))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return str(pd.Timestamp(value).date())
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _r(x: float, nd: int = 6) -> float:
    return float(round(float(x), nd))


def truth_dict(world: World) -> dict[str, Any]:
    """The truth: parameters, true ROAS / marginal ROAS at current spend, over-claim, totals."""
    spec = world.spec
    now = world.current_spend()
    daily = world.daily_lines()
    totals = daily.groupby(["market", "channel"]).agg(
        spend=("spend", "sum"), incremental_revenue=("incremental_revenue", "sum"),
        platform_revenue=("platform_revenue", "sum"), caused_orders=("caused_orders", "sum"),
        platform_conversions=("platform_conversions", "sum"))
    brand_lines = world.brand_lines().set_index(["market", "channel"])  # 12 months, 10 %/yr
    brand_markets = world.brand_truth().set_index("market")
    lines = []
    for i, ln in enumerate(spec.lines):
        t = totals.loc[(ln.market, ln.channel)]
        bl = brand_lines.loc[(ln.market, ln.channel)]
        s = float(now[i])
        lines.append({
            "market": ln.market, "channel": ln.channel, "launch_date": str(
                np.datetime64(spec.start) + ln.launch_day),
            "saturation": ln.saturation, "shape": _r(ln.k), "half_saturation_spend": _r(ln.half),
            "beta_gross": _r(ln.beta), "adstock": ln.adstock, "decay": _r(ln.decay),
            "peak_lag": _r(ln.peak), "effectiveness_follows_demand": _r(ln.rho),
            "platform_claim_factor": _r(ln.claim), "platform_organic_capture": _r(ln.capture),
            "campaigns": list(ln.campaigns),
            "go_dark": list(ln.go_dark) if ln.go_dark else None,
            "heavy_up": [list(h) for h in ln.heavy_up],
            "current_daily_spend": _r(s),
            "true_roas_at_current": _r(world.true_roas(ln.market, ln.channel, max(s, 1e-9))),
            "true_marginal_roas_at_current": _r(world.true_marginal(ln.market, ln.channel, s)),
            "true_roas_history": _r(t["incremental_revenue"] / t["spend"]) if t["spend"] else None,
            "platform_roas_history": _r(t["platform_revenue"] / t["spend"]) if t["spend"] else None,
            "total_spend": _r(t["spend"], 4),
            "total_incremental_revenue": _r(t["incremental_revenue"], 4),
            "caused_orders": int(t["caused_orders"]),
            "platform_conversions": int(t["platform_conversions"]),
            "brand_building_share": _r(bl["brand_share"]),
            "long_term_roas_12m": _r(bl["lt_roas"]),
            "long_term_revenue_12m": _r(bl["lt_revenue"], 4),
        })
    markets = []
    for m in spec.markets:
        years = range(int(spec.start[:4]), int(spec.end[:4]) + 2)
        markets.append({
            "market": m.code, "region": m.region, "currency": m.currency, "timezone": m.timezone,
            "stage": m.stage, "entry_date": str(np.datetime64(spec.start) + m.entry_day),
            "base_revenue_level": _r(m.level), "yearly_growth": _r(m.growth),
            "mean_order_value": _r(m.aov), "repeat_probability": m.repeat_prob,
            "gross_margin_pct": m.gross_margin_pct,
            "shipping_cost_per_order": m.shipping_cost_per_order,
            "return_rate_pct": m.return_rate_pct, "payment_fee_pct": m.payment_fee_pct,
            "profit_per_net_revenue": _r(m.profit_margin()),
            "budget_follows_demand": _r(m.follow),
            "funnel_rates": [_r(r) for r in m.funnel_rates],
            "holidays": [asdict(h) for h in holidays(m.code, m.region, years)],
            "brand": {k: _r(v) for k, v in brand_markets.loc[m.code].items()},
        })
    lift = world.lift_tests()
    periods = {"periods": [
        {"start": str(pd.Timestamp(sc["date"].min()).date()), "end": str(pd.Timestamp(sc["date"].max()).date()),
         "schedule": f"periods/P{i:02d}/schedule.csv"}
        for i, sc in enumerate(getattr(world, "schedules", []), start=1)]} if hasattr(world, "schedules") else {}
    return {
        "truth_version": TRUTH_VERSION,
        "seed": spec.seed, "size": spec.size, "start": spec.start, "end": spec.end,
        "base_currency": spec.base_currency, "brand_mode": spec.brand_mode,
        "definitions": {
            "revenue": "net of refunds, base currency, per day unless named total_*",
            "true_response": "steady daily spend -> expected incremental net revenue per day, "
                             "neutral cost and season (World.true_response(period=None))",
            "profit": "net_revenue * profit_per_net_revenue - spend",
            "spend_base": "local amount as written / per_base as written (same day)",
            "brand": "slow brand stock per market (simulate.brand; brand_mode modest, strong or "
                     "none). Per line: brand_building_share of its spend feeds the stock; "
                     "long_term_roas_12m = discounted net revenue over 12 months (10 %/yr) per "
                     "unit of steady spend on the line through the stock; "
                     "long_term_revenue_12m = what its current spend adds over 12 months vs "
                     "stopping it today. Per market: parameters, stock, share of the last 28 "
                     "days' net revenue the stock builds, lt_roas per unit of brand spend",
        },
        "markets": markets,
        "lines": lines,
        "weak_funnel_step": {"market": spec.weak_step[0], "step": spec.weak_step[1]},
        "lift_tests": [
            {k: (str(v)[:10] if k.endswith("_date") else v) for k, v in r.items()}
            for r in lift.to_dict(orient="records")
        ],
        "journey_credit": world.true_channel_credit().round(6).to_dict(orient="records"),
        "creative_tests": [
            {k: (str(v)[:10] if k in ("start", "end") else v) for k, v in r.items()}
            for r in world.creative_tests().to_dict(orient="records")
        ],
        **periods,
    }


__all__ = ["Manifest", "ManifestEntry", "read_manifest", "truth_dict", "write_world"]
