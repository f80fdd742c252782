"""Ad-platform rows and their native export files (Meta, Google Ads, TikTok, Amazon, Shopee,
Lazada; KOL and live commerce as the canonical ad_daily CSV).

What a platform reports is built unlike the response model's own form, as platforms do it:

* **caused conversions, over-claimed and credited to exposure days**: the conversions that a
  day's spend causes over the following days (the line's carryover) are reported on the day of
  the exposure, within the platform's attribution window (``ATTRIBUTION_WINDOW_DAYS``), times
  the line's over-claim factor ``claim`` (0.4-3x: duplicated credit across platforms pushes it
  up, cross-device journeys and missing pixels pull it below 1);
* **organic buyers the ads reached**: each campaign also claims a share of the market's
  organic orders that grows with its reach, ``1 - exp(-impressions / K)``, so claims keep
  rising with spend where the caused effect has saturated; the share is large for retargeting,
  brand, catalog/shopping and marketplace-search campaigns and small for prospecting
  (``ORGANIC_CAMPAIGN_KINDS``), read from the campaign's kind as a seller's names show it.

``WorldSpec.claims`` switches the claims to ``"organic"`` (following organic demand only) or
``"noise"`` (random), both at the same claimed ROAS on every line: the settings under which a
model that trusts claims must learn they say nothing and fall back to shop revenue.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.simulate.forms import carryover
from adbudget.simulate.orders import money_text
from adbudget.simulate.panel import MarketPanel, kernel

PLATFORM_OF = {  # channel -> export format
    "meta": "meta", "tiktok": "tiktok", "google_search": "google_ads", "youtube": "google_ads",
    "amazon": "amazon", "shopee": "shopee", "lazada": "lazada", "kol": "ad_daily",
    "live_commerce": "ad_daily", "email": "ad_daily", "other": "ad_daily",
}
AD_GROUP = {"meta": "Broad 18-44", "tiktok": "Auto 18-34", "google_search": "Core terms",
            "youtube": "Affinity", "amazon": "Auto targeting", "kol": "Wave 1",
            "live_commerce": "Host A"}
CREATIVE = {"meta": "Video A", "tiktok": "UGC 01", "kol": "Post", "live_commerce": "Stream"}
HAS_AD_GROUP = {"meta", "tiktok", "google_search", "youtube", "amazon", "kol", "live_commerce"}
HAS_CREATIVE = {"meta", "tiktok", "kol", "live_commerce"}
TESTED = ("meta", "tiktok")  # channels whose sellers run creative A/B tests in the simulated world
TEST_DAYS = 35  # creative tests run over the last five weeks of the data
TEST_ARMS = ("current", "ugc", "static")  # the first is the control
# click-through attribution windows (days after the exposure a conversion is still credited)
ATTRIBUTION_WINDOW_DAYS = {"meta": 7, "tiktok": 7, "google_search": 30, "youtube": 30,
                           "amazon": 14, "shopee": 7, "lazada": 7, "kol": 7, "live_commerce": 1}
# campaign kinds that mostly reach people already on their way to buy (retargeting, brand and
# shopping search, catalog ads, marketplace search): they claim many organic orders
ORGANIC_CAMPAIGN_KINDS = ("Retargeting", "Retarget", "Catalog", "Advantage+", "Brand", "Shopping",
                          "SP_Exact", "Search", "Shop")
ORGANIC_WEIGHT, PROSPECTING_WEIGHT = 3.0, 0.4
UNINFORMATIVE_ROAS = 4.0  # what every line claims when claims carry nothing (WorldSpec.claims)


def exposure_credit(panel: MarketPanel, i: int, window: int) -> np.ndarray:
    """Line ``i``'s caused gross revenue credited back to the day of exposure, as platforms
    report it: day t gets the response its spend produces on days t .. t + window - 1.

    The response on a day is split over the past days' spend by their carryover weights
    (``w_k x_(t-k) / carried_t`` of it is due to day t - k); days after the data's end count at
    the last day's response per unit (the report is pulled after the window closed).
    """
    line = panel.lines[i]
    x_in = panel.spend[i] / (panel.cost[i] * line.half)
    w = kernel(line)
    carried = carryover(x_in, w)
    per_unit = np.where(carried > 1e-12, panel.incr_gross[i] / np.maximum(carried, 1e-12), 0.0)
    n = len(x_in)
    extended = np.r_[per_unit, np.full(len(w), per_unit[-1] if n else 0.0)]
    credit = np.zeros(n)
    for k in range(min(window, len(w))):
        credit += w[k] * extended[k:k + n]
    return x_in * credit


def organic_weight(campaign: str) -> float:
    """How much of the organic demand a campaign reaches, by its kind (the name's last part)."""
    kind = campaign.rsplit("_", 1)[-1]
    return ORGANIC_WEIGHT if any(campaign.endswith(k) or kind == k for k in ORGANIC_CAMPAIGN_KINDS) \
        else PROSPECTING_WEIGHT


def expected_claims(panel: MarketPanel, i: int, cidx: np.ndarray, day: np.ndarray,
                    spend_base: np.ndarray, mode: str = "informative") -> np.ndarray:
    """Expected platform-reported conversions of line ``i`` per campaign-day row."""
    m = panel.market
    line = panel.lines[i]
    base_orders = panel.base_gross / m.aov
    line_spend = panel.spend[i, day]
    share = spend_base / np.where(line_spend > 0, line_spend, 1.0)
    caused = exposure_credit(panel, i, ATTRIBUTION_WINDOW_DAYS.get(line.channel, 7))
    impressions = spend_base / (line.cpm * panel.cost[i, day]) * 1000
    reach_unit = max(line.spend0 / line.cpm * 1000, 1e-9)  # impressions of the planned spend
    weights = np.asarray([organic_weight(c) for c in line.campaigns])[cidx]
    organic = base_orders[day] * line.capture * weights * (1 - np.exp(-impressions / reach_unit))
    lam = share * line.claim * caused[day] / m.aov + organic
    if mode == "informative" or not len(lam):
        return lam
    # uninformative claims: every line reports the same ROAS (UNINFORMATIVE_ROAS) over the
    # period, spread over its days by the organic demand ("organic") or at random ("noise")
    total = UNINFORMATIVE_ROAS * float(spend_base.sum()) / m.aov
    if mode == "organic":
        level = share * base_orders[day]
    else:
        rng = np.random.default_rng([int(line.spend0 * 1000) % 2**31, 13])
        level = share * np.exp(rng.normal(0.0, 0.6, len(lam)))
    return level * total / max(level.sum(), 1e-12)


def ad_rows(seed: int, panel: MarketPanel, claims: str = "informative") -> pd.DataFrame:
    """Platform-reported rows per campaign and day, with minor units and base amounts;
    ``claims`` is what the reported conversions carry (``WorldSpec.claims``)."""
    m = panel.market
    rng = np.random.default_rng([seed, 7, zlib.crc32(m.code.encode())])
    scale = 10 ** m.minor_units
    frames = []
    for i, line in enumerate(panel.lines):
        minor = panel.campaign_minor[i]
        cidx, day = np.nonzero(minor > 0)
        spend_minor = minor[cidx, day]
        fx = panel.fx[day]
        spend_base = spend_minor / scale / fx
        impressions = rng.poisson(spend_base / (line.cpm * panel.cost[i, day]) * 1000)
        clicks = rng.binomial(impressions, min(line.ctr, 0.5))
        lam = expected_claims(panel, i, cidx, day, spend_base, claims)
        conversions = rng.poisson(lam)
        value = conversions * m.aov * np.exp(rng.normal(0, 0.15, len(day)))
        revenue_minor = np.round(value * fx * scale).astype(np.int64)
        ch = line.channel
        frames.append(pd.DataFrame({
            "date": panel.dates[day],
            "market": m.code,
            "channel": ch,
            "account": "",
            "campaign": np.asarray(line.campaigns, dtype=object)[cidx],
            "ad_group": AD_GROUP.get(ch, "") if ch in HAS_AD_GROUP else "",
            "creative": CREATIVE.get(ch, "") if ch in HAS_CREATIVE else "",
            "currency": m.currency,
            "spend_minor": spend_minor,
            "impressions": impressions.astype(np.int64),
            "clicks": clicks.astype(np.int64),
            "conversions": conversions.astype(np.int64),
            "revenue_minor": revenue_minor,
            "spend_base": spend_base,
            "revenue_base": revenue_minor / scale / fx,
            "expected_conversions": lam,
        }))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out = _split_test_arms(seed, panel, out).drop(columns="expected_conversions")
    out["spend"] = money_text(out["spend_minor"].to_numpy(), m.minor_units)
    out["revenue"] = money_text(out["revenue_minor"].to_numpy(), m.minor_units)
    return out.sort_values(["date", "channel", "campaign"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class ExportFile:
    """One file as a platform would export it."""

    name: str  # file name (no folder)
    source: str  # importer name
    data: bytes


def creative_tests(seed: int, panel: MarketPanel) -> pd.DataFrame:
    """The market's creative test (one at most): which line and campaign, and each arm's true
    conversion multiplier relative to the control (1.0).

    Every market tests new hooks on its biggest Meta or TikTok line over the last
    ``TEST_DAYS`` days, in that line's first campaign: three creatives share its budget,
    tagged ``[T:<experiment>/<arm>]`` in the ad name (``*`` marks the control) as the
    experiments module reads them. The arms' multipliers are drawn so that some tests have a
    clear winner and some a loser or a tie, as in real creative testing.
    """
    m = panel.market
    rng = np.random.default_rng([seed, 11, zlib.crc32(m.code.encode())])
    n = len(panel.dates)
    start = n - TEST_DAYS
    tested = [i for i, ln in enumerate(panel.lines)
              if ln.channel in TESTED and start > 0 and panel.spend[i, start:].min() > 0]
    multipliers = np.exp(rng.normal(0.0, 0.25, len(TEST_ARMS) - 1))
    if not tested:
        return pd.DataFrame(columns=["market", "channel", "campaign", "experiment", "arm",
                                     "is_control", "multiplier", "start", "end"])
    i = max(tested, key=lambda j: panel.spend[j, start:].sum())
    line = panel.lines[i]
    return pd.DataFrame({
        "market": m.code, "channel": line.channel, "campaign": line.campaigns[0],
        "experiment": f"{m.code.lower()}-{line.channel}-hooks", "arm": list(TEST_ARMS),
        "is_control": [True] + [False] * (len(TEST_ARMS) - 1),
        "multiplier": np.r_[1.0, multipliers],
        "start": panel.dates[start], "end": panel.dates[-1],
    })


def _split_test_arms(seed: int, panel: MarketPanel, rows: pd.DataFrame) -> pd.DataFrame:
    """Replace the tested campaign's rows in the test window by one row per arm.

    Spend (minor units), impressions and clicks are split exactly (they sum to the original
    row); conversions are drawn per arm from the campaign's rate times the arm's multiplier,
    so the platform-reported totals differ from an untested world only by the test's effect.
    Uses its own random stream: every other row is identical to a world without tests.
    """
    tests = creative_tests(seed, panel)
    if tests.empty:
        return rows
    t0 = tests.iloc[0]
    m = panel.market
    rng = np.random.default_rng([seed, 12, zlib.crc32(m.code.encode())])
    hit = ((rows["channel"] == t0["channel"]) & (rows["campaign"] == t0["campaign"])
           & (rows["date"] >= t0["start"])).to_numpy()
    if not hit.any():
        return rows
    base = rows[hit].reset_index(drop=True)
    k = len(tests)
    shares = rng.dirichlet(np.full(k, 30.0), len(base))  # budgets split roughly evenly
    parts = []
    spend_left = base["spend_minor"].to_numpy().copy()
    impr_left = base["impressions"].to_numpy().copy()
    click_left = base["clicks"].to_numpy().copy()
    scale = 10 ** m.minor_units
    mult = tests["multiplier"].to_numpy()
    lam = base["expected_conversions"].to_numpy()  # the campaign's, as ad_rows drew them
    day = np.searchsorted(panel.dates, base["date"].to_numpy().astype("datetime64[D]"))
    for a in range(k):
        last = a == k - 1
        frac = shares[:, a] / np.maximum(shares[:, a:].sum(axis=1), 1e-12)
        spend = spend_left if last else np.floor(spend_left * frac).astype(np.int64)
        impr = impr_left if last else rng.binomial(impr_left, np.clip(frac, 0, 1))
        clicks = click_left if last else rng.binomial(click_left, np.clip(frac, 0, 1))
        spend_left, impr_left, click_left = spend_left - spend, impr_left - impr, click_left - clicks
        conv = rng.poisson(lam * shares[:, a] * mult[a])
        fx = panel.fx[day]
        value = conv * m.aov * np.exp(rng.normal(0, 0.15, len(base)))
        revenue_minor = np.round(value * fx * scale).astype(np.int64)
        tag = f" [T:{tests['experiment'].iloc[a]}/{tests['arm'].iloc[a]}{'*' if a == 0 else ''}]"
        parts.append(base.assign(
            creative=(base["creative"].astype(str) + tag).str.strip(),
            spend_minor=spend, spend_base=spend / scale / fx,
            impressions=impr.astype(np.int64), clicks=clicks.astype(np.int64),
            conversions=conv.astype(np.int64), revenue_minor=revenue_minor,
            revenue_base=revenue_minor / scale / fx,
        ))
    arms = pd.concat(parts, ignore_index=True)
    arms = arms[arms["spend_minor"] > 0]
    return pd.concat([rows[~hit], arms], ignore_index=True)


def _csv(df: pd.DataFrame, sep: str = ",") -> str:
    return df.to_csv(index=False, sep=sep, lineterminator="\n")


def _iso(dates: pd.Series) -> pd.Series:
    return pd.DatetimeIndex(dates).strftime("%Y-%m-%d")


def meta_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    df = pd.DataFrame({
        "Day": _iso(rows["date"]), "Campaign name": rows["campaign"],
        "Ad set name": rows["ad_group"], "Ad name": rows["creative"],
        f"Amount spent ({currency})": rows["spend"], "Impressions": rows["impressions"],
        "Link clicks": rows["clicks"], "Purchases": rows["conversions"],
        "Purchases conversion value": rows["revenue"],
    })
    return ExportFile(f"meta_{market}.csv", "meta", _csv(df).encode("utf-8"))


def google_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    kind = np.where(rows["channel"] == "youtube", "Video",
                    np.where(rows["campaign"].str.contains("Shopping"), "Shopping", "Search"))
    conv = rows["conversions"].to_numpy()
    df = pd.DataFrame({
        "Day": _iso(rows["date"]), "Campaign": rows["campaign"], "Ad group": rows["ad_group"],
        "Campaign type": kind, "Currency code": currency, "Cost": rows["spend"],
        "Impr.": rows["impressions"], "Clicks": rows["clicks"],
        "Conversions": np.where(conv > 0, np.char.add(conv.astype(str), ".00"), "--"),
        "Conv. value": np.where(conv > 0, rows["revenue"], "--"),
    })
    d0, d1 = pd.Timestamp(rows["date"].min()), pd.Timestamp(rows["date"].max())
    title = ["Campaign report", f"{d0:%B} {d0.day}, {d0.year} - {d1:%B} {d1.day}, {d1.year}"]
    totals = pd.DataFrame({
        "Day": ["Total: Account"], "Campaign": ["--"], "Ad group": ["--"], "Campaign type": ["--"],
        "Currency code": [currency],
        "Cost": [money_text(np.asarray([rows["spend_minor"].sum()]), _digits(rows["spend"]))[0]],
        "Impr.": [int(rows["impressions"].sum())], "Clicks": [int(rows["clicks"].sum())],
        "Conversions": [f"{int(conv.sum())}.00"], "Conv. value": ["--"],
    })
    if variant % 2:  # "CSV for Excel": UTF-16 with tabs
        text = "\n".join(title) + "\n" + _csv(df, "\t") + _csv(totals, "\t").split("\n", 1)[1]
        return ExportFile(f"google_ads_{market}.tsv", "google_ads", text.encode("utf-16"))
    buf = io.StringIO()
    buf.write("\n".join(title) + "\n")
    buf.write(_csv(df))
    buf.write(_csv(totals).split("\n", 1)[1])
    return ExportFile(f"google_ads_{market}.csv", "google_ads", buf.getvalue().encode("utf-8"))


def _digits(money: pd.Series) -> int:
    first = str(money.iloc[0]) if len(money) else "0"
    return len(first.split(".")[1]) if "." in first else 0


def tiktok_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    df = pd.DataFrame({
        "By Day": _iso(rows["date"]), "Campaign name": rows["campaign"],
        "Ad group name": rows["ad_group"], "Ad name": rows["creative"], "Currency": currency,
        "Cost": rows["spend"], "Impressions": rows["impressions"],
        "Clicks (destination)": rows["clicks"], "Complete payment": rows["conversions"],
        "Total complete payment value": rows["revenue"],
    })
    return ExportFile(f"tiktok_{market}.csv", "tiktok", _csv(df).encode("utf-8"))


def amazon_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    dates = pd.DatetimeIndex(rows["date"])
    day = dates.strftime("%b %d, %Y") if variant % 2 else dates.strftime("%Y-%m-%d")
    df = pd.DataFrame({
        "Date": day, "Campaign Name": rows["campaign"], "Ad Group Name": rows["ad_group"],
        "Currency": currency, "Impressions": rows["impressions"], "Clicks": rows["clicks"],
        "Spend": rows["spend"], "7 Day Total Sales ": rows["revenue"],
        "7 Day Total Orders (#)": rows["conversions"],
    })
    return ExportFile(f"amazon_{market}.csv", "amazon", _csv(df).encode("utf-8"))


def shopee_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    d0, d1 = pd.Timestamp(rows["date"].min()), pd.Timestamp(rows["date"].max())
    preamble = [
        "Shopee Ads - All Ads Report",
        f"Shop name,{market.lower()}.seller.official",
        f"Period,{d0:%d-%m-%Y} - {d1:%d-%m-%Y}",
        f"Report generated,{d1 + pd.Timedelta(days=1):%d-%m-%Y} 09:00",
        "",
    ]
    df = pd.DataFrame({
        "Date": pd.DatetimeIndex(rows["date"]).strftime("%d-%m-%Y"), "Ad Name": rows["campaign"],
        "Impression": rows["impressions"], "Clicks": rows["clicks"],
        "Orders": rows["conversions"], "GMV": rows["revenue"], "Expense": rows["spend"],
    })
    text = "\n".join(preamble) + "\n" + _csv(df)
    return ExportFile(f"shopee_{market}.csv", "shopee", text.encode("utf-8"))


def lazada_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    df = pd.DataFrame({
        "Date": _iso(rows["date"]), "Campaign Name": rows["campaign"],
        "Impressions": rows["impressions"], "Clicks": rows["clicks"], "Spend": rows["spend"],
        "Orders": rows["conversions"], "Revenue": rows["revenue"],
    })
    return ExportFile(f"lazada_{market}.csv", "lazada", _csv(df).encode("utf-8"))


def generic_file(rows: pd.DataFrame, market: str, currency: str, variant: int) -> ExportFile:
    df = rows[["date", "market", "channel", "account", "campaign", "ad_group", "creative",
               "currency", "spend", "impressions", "clicks", "conversions", "revenue"]].copy()
    df["date"] = _iso(df["date"])
    return ExportFile(f"ad_daily_{market}.csv", "ad_daily", _csv(df).encode("utf-8"))


WRITERS: dict[str, Callable[[pd.DataFrame, str, str, int], ExportFile]] = {
    "meta": meta_file, "google_ads": google_file, "tiktok": tiktok_file, "amazon": amazon_file,
    "shopee": shopee_file, "lazada": lazada_file, "ad_daily": generic_file,
}


def export_files(rows: pd.DataFrame, market: str, currency: str, variant: int) -> list[ExportFile]:
    """All platform files of one market (one file per export format)."""
    if rows.empty:
        return []
    fmt = rows["channel"].map(PLATFORM_OF)
    out = []
    for name, writer in WRITERS.items():
        part = rows[fmt == name]
        if len(part):
            out.append(writer(part.reset_index(drop=True), market, currency, variant))
    return out


__all__ = ["ATTRIBUTION_WINDOW_DAYS", "PLATFORM_OF", "WRITERS", "ExportFile", "ad_rows",
           "expected_claims", "export_files", "exposure_credit"]
