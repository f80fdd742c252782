"""Bucket policy: brand / performance / test / reserve shares per market, explained.

Start from the method's defaults (midpoints of brand 20–30, performance 50–60, test 10–15,
reserve 5–10 %), shift by the market's stage and its region's profile, then apply overrides
(``markets.XX.buckets`` in adbudget.toml, then ``--buckets``). Every shift is recorded with
its cause so the plan can say why a market's split differs from the method's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from adbudget.config.catalog import REGION_PROFILES
from adbudget.errors import SettingsError
from adbudget.i18n import t

BUCKETS = ("brand", "performance", "test", "reserve")
METHOD_DEFAULT: dict[str, float] = {"brand": 25.0, "performance": 55.0, "test": 12.5, "reserve": 7.5}
METHOD_RANGE: dict[str, tuple[float, float]] = {
    "brand": (20.0, 30.0), "performance": (50.0, 60.0), "test": (10.0, 15.0), "reserve": (5.0, 10.0),
}
# percentage points; each row adds to zero
STAGE_SHIFTS: dict[str, dict[str, float]] = {
    "entry": {"brand": -15.0, "test": +12.5, "performance": +2.5},  # validate: test, little brand
    "growth": {"brand": -5.0, "performance": +5.0},  # scale what works
    "maturity": {"brand": +5.0, "test": -5.0},  # brand and retention over exploration
}
REGION_SHIFTS: dict[str, dict[str, float]] = {
    "NA": {"brand": +5.0, "performance": -5.0},  # buyers demand brand and quality
    "SEA": {"performance": +5.0, "brand": -5.0},  # price-driven volume, cheap traffic
    "EU": {"test": +2.5, "performance": -2.5},  # per-country localized creatives to test
    "ME": {},
    "LATAM": {},
}
# regions beyond these five: their profiles in config/catalog.py
REGION_SHIFTS.update({r: dict(p.bucket_shifts) for r, p in REGION_PROFILES.items() if r not in REGION_SHIFTS})


@dataclass(frozen=True)
class Shift:
    """One change to a share: the bucket, points added, and the cause (an i18n key + values)."""

    bucket: str
    points: float
    cause: str  # "stage" | "region" | "settings" | "cli" | "clamp"
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def explain(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, bucket=t(f"plan.bucket.{self.bucket}", lang=lang),
                 points=f"{self.points:+.1f}", **dict(self.values))


@dataclass(frozen=True)
class BucketPolicy:
    """Shares in % (adding to 100) of one market, with the shifts that produced them."""

    market: str
    shares: dict[str, float]
    shifts: tuple[Shift, ...]
    source: str  # "method" | "settings" | "cli"

    def fraction(self, bucket: str) -> float:
        return self.shares[bucket] / 100.0

    def explain(self, lang: str | None = None) -> list[str]:
        return [s.explain(lang) for s in self.shifts]

    def outside_method(self) -> list[str]:
        """Buckets whose share lies outside the method's typical range (a note, not an error)."""
        return [b for b in BUCKETS if not METHOD_RANGE[b][0] <= self.shares[b] <= METHOD_RANGE[b][1]]


def parse_buckets(text: str) -> dict[str, float]:
    """Parse ``brand=25,performance=55,test=12,reserve=8`` (missing buckets are 0)."""
    out = dict.fromkeys(BUCKETS, 0.0)
    seen = set()
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if "=" not in part:
            raise SettingsError(t("plan.error.buckets_syntax", part=part))
        name, _, value = part.partition("=")
        name = name.strip().lower()
        if name not in BUCKETS:
            raise SettingsError(t("plan.error.bucket_unknown", name=name, allowed=", ".join(BUCKETS)))
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            raise SettingsError(t("plan.error.buckets_syntax", part=part)) from None
        if name in seen:
            raise SettingsError(t("plan.error.buckets_syntax", part=part))
        seen.add(name)
        out[name] = number
    return out


def validate_shares(
    shares: Mapping[str, float], limits: Mapping[str, tuple[float, float]], where: str
) -> dict[str, float]:
    """Check that shares add to 100 % and each lies inside its allowed range."""
    full = {b: float(shares.get(b, 0.0)) for b in BUCKETS}
    unknown = [k for k in shares if k not in BUCKETS]
    if unknown:
        raise SettingsError(t("plan.error.bucket_unknown", name=unknown[0], allowed=", ".join(BUCKETS)))
    for bucket, value in full.items():
        lo, hi = limits.get(bucket, (0.0, 100.0))
        if not lo - 1e-9 <= value <= hi + 1e-9:
            raise SettingsError(t("plan.error.bucket_range", where=where, bucket=bucket,
                                  value=f"{value:g}", low=f"{lo:g}", high=f"{hi:g}"))
    total = sum(full.values())
    if abs(total - 100.0) > 1e-6:
        raise SettingsError(t("plan.error.bucket_sum", where=where, total=f"{total:g}"))
    return full


def bucket_policy(
    market: str,
    stage: str,
    region: str,
    *,
    limits: Mapping[str, tuple[float, float]],
    market_override: Mapping[str, float] | None = None,
    cli_override: Mapping[str, float] | None = None,
) -> BucketPolicy:
    """The shares of one market: method default, stage and region shifts, then overrides."""
    shares = dict(METHOD_DEFAULT)
    shifts: list[Shift] = []
    for bucket, pts in STAGE_SHIFTS.get(stage, {}).items():
        shares[bucket] += pts
        shifts.append(Shift(bucket, pts, "stage", f"plan.shift.stage_{stage}"))
    for bucket, pts in REGION_SHIFTS.get(region, {}).items():
        shares[bucket] += pts
        shifts.append(Shift(bucket, pts, "region", f"plan.shift.region_{region}"))
    clamped = {b: max(0.0, v) for b, v in shares.items()}
    if clamped != shares:
        scale = 100.0 / sum(clamped.values())
        shares = {b: v * scale for b, v in clamped.items()}
        shifts.append(Shift("brand", 0.0, "clamp", "plan.shift.clamp"))
    source = "method"
    for cause, override in (("settings", market_override), ("cli", cli_override)):
        if override is None:
            continue
        where = f"markets.{market}.buckets" if cause == "settings" else "--buckets"
        new = validate_shares(override, limits, where)
        for bucket in BUCKETS:
            delta = new[bucket] - shares[bucket]
            if abs(delta) > 1e-9:
                shifts.append(Shift(bucket, delta, cause, f"plan.shift.{cause}",
                                    (("where", where),)))
        shares, source = new, cause
    shares = validate_shares(shares, limits, f"markets.{market}")
    return BucketPolicy(market, shares, tuple(shifts), source)


__all__ = [
    "BUCKETS", "METHOD_DEFAULT", "METHOD_RANGE", "REGION_SHIFTS", "STAGE_SHIFTS",
    "BucketPolicy", "Shift", "bucket_policy", "parse_buckets", "validate_shares",
]
