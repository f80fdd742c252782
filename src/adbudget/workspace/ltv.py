"""Workspace methods of the `ltv` area: orders and funnel rows from the store, pure models,
and the fitted LTV model saved in `models` so the planner can read its multipliers cheaply."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from adbudget.errors import InputError, NotFittedError, SettingsError
from adbudget.funnel import FunnelReport, analyze_funnel
from adbudget.i18n import t
from adbudget.ltv import (
    CohortReport,
    LtvReport,
    Margins,
    acquisition_channels,
    cohort_table,
    customer_summary,
    ltv_report,
    order_values,
)
from adbudget.workspace.core import Service

LTV_MODEL = "ltv"
LTV_MODEL_VERSION = "1"


def parse_days(value: str | int | None) -> int | None:
    """'180d', '26w', '6m', '1y' or a number of days -> days."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().lower()
    units = {"d": 1, "w": 7, "m": 30, "y": 365}
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise SettingsError(t("ltv.errors.bad_horizon", value=str(value))) from None


class LtvService(Service):
    """Customer lifetime value, cohorts and the funnel (``ws.customers``); needs only the data
    accessor."""

    # -- inputs ----------------------------------------------------------------------------
    def _ltv_values(self, markets: list[str] | None = None) -> pd.DataFrame:
        for market in markets or []:
            self.settings.market(market)  # a clear error for an unknown code
        orders = self.data.orders(markets=markets)
        if orders.empty:
            raise NotFittedError(t("ltv.errors.no_orders"))
        margins = {
            code: Margins(m.gross_margin_pct, m.shipping_cost_per_order, m.payment_fee_pct)
            for code, m in self.settings.markets.items()
        }
        return order_values(orders, margins)

    def _ltv_touch_channels(self, values: pd.DataFrame) -> dict[str, str]:
        """Acquisition channel from journeys: the customer's first touch up to the first order.

        Used for customers whose orders carry no first_touch_channel.
        """
        missing = values.loc[values["first_touch_channel"].isna(), "customer_id"].unique()
        if len(missing) == 0:
            return {}
        n = self.store.scalar("SELECT count(*) FROM touchpoints")
        if not n:
            return {}
        self.store.con.register("_ltv_missing", pd.DataFrame({"customer_id": missing.astype(str)}))
        try:
            df = self.store.query(
                """WITH first_order AS (
                       SELECT customer_id, min(ordered_at) AS first_at FROM orders
                       WHERE customer_id IN (SELECT customer_id FROM _ltv_missing) GROUP BY ALL)
                   SELECT t.user_id, arg_min(t.channel, t.ts) AS channel
                   FROM touchpoints t JOIN first_order f ON t.user_id = f.customer_id
                   WHERE t.ts <= f.first_at GROUP BY t.user_id""")
        finally:
            self.store.con.unregister("_ltv_missing")
        return dict(zip(df["user_id"].astype(str), df["channel"].astype(str), strict=True))

    def _ltv_channels(self, values: pd.DataFrame) -> pd.Series:
        return acquisition_channels(values, self._ltv_touch_channels(values))

    # -- LTV -------------------------------------------------------------------------------
    def ltv(
        self,
        horizon_days: int | str | None = None,
        calibration_end: str | None = None,
        markets: list[str] | None = None,
        by_channel: bool = True,
        save: bool = True,
    ) -> LtvReport:
        """Fit BG/NBD + Gamma-Gamma per market (pooled) and per market x channel; value customers.

        With ``calibration_end`` before the last order, the later orders are the holdout and the
        report compares predicted with actual repeat purchases there. The default fit (all data,
        all markets) is saved so that :meth:`ltv_value_multipliers` does not refit.
        """
        s = self.settings.ltv
        parsed = parse_days(horizon_days)
        horizon = s.horizon_days if parsed is None else parsed
        if horizon <= 0:
            raise SettingsError(t("ltv.errors.short_horizon"))
        values = self._ltv_values(markets)
        if calibration_end is not None:
            try:
                cal = pd.Timestamp(calibration_end)
            except ValueError:
                raise SettingsError(t("ltv.errors.bad_date", value=str(calibration_end))) from None
            if cal >= values["order_date"].max():
                calibration_end = None
        summary = customer_summary(values, calibration_end, channels=self._ltv_channels(values))
        report = ltv_report(
            summary, horizon_days=horizon, by_channel=by_channel, interval=s.interval,
            draws=s.draws, market_prior_sd=s.market_prior_sd, channel_prior_sd=s.channel_prior_sd,
            min_customers=s.min_market_customers, max_multiplier=s.max_multiplier,
            fit_window_days=s.fit_window_days,
        )
        if save and calibration_end is None and markets is None and by_channel \
                and horizon == s.horizon_days and not self.store.read_only:
            self._ltv_save(report)
        return report

    def _ltv_hashes(self) -> tuple[str, str]:
        row = self.store.query(
            "SELECT count(*) AS n, max(ordered_at) AS last, sum(revenue_base) AS rev, "
            "sum(refunded_base) AS ref, count(first_touch_channel) AS ch FROM orders")
        data = hashlib.sha256(row.astype(str).to_csv(index=False).encode()).hexdigest()[:16]
        cfg = self.settings.ltv.model_dump(mode="json")
        cfg["margins"] = {k: [m.gross_margin_pct, m.shipping_cost_per_order, m.payment_fee_pct]
                          for k, m in self.settings.markets.items()}
        conf = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]
        return data, conf

    def _ltv_save(self, report: LtvReport) -> None:
        data_hash, config_hash = self._ltv_hashes()
        payload = json.dumps({
            "multipliers": [[m, c, v] for (m, c), v in
                            report.multipliers(self.settings.channels).items()],
            "calibration_end": report.calibration_end, "horizon_days": report.horizon_days,
        }).encode()
        with self.store.transaction():
            self.store.execute("DELETE FROM models WHERE name = ?", [LTV_MODEL])
            self.store.execute(
                "INSERT INTO models VALUES (?, ?, ?, ?, ?, ?)",
                [LTV_MODEL, datetime.now(UTC).replace(tzinfo=None), LTV_MODEL_VERSION,
                 data_hash, config_hash, payload])

    def _ltv_load(self) -> dict[tuple[str, str], float] | None:
        row = self.store.query(
            "SELECT model_version, data_hash, config_hash, payload FROM models WHERE name = ?",
            [LTV_MODEL])
        if row.empty:
            return None
        data_hash, config_hash = self._ltv_hashes()
        r = row.iloc[0]
        if (r["model_version"] != LTV_MODEL_VERSION or r["data_hash"] != data_hash
                or r["config_hash"] != config_hash):
            return None
        payload = json.loads(bytes(r["payload"]).decode())
        return {(m, c): float(v) for m, c, v in payload["multipliers"]}

    def ltv_value_multipliers(self) -> dict[tuple[str, str], float]:
        """(market, channel) -> expected horizon profit per acquired customer / first-order profit.

        For the planner: multiply a line's first-order profit by this to value new customers
        by what they will be worth. Channels a market has no customers from get the market's
        multiplier; lines still missing (no orders, non-positive first-order profit) should be
        taken as 1.0. Uses the saved fit when orders and settings are
        unchanged, else refits (and saves when the workspace is writable).
        """
        cached = self._ltv_load()
        if cached is not None:
            return cached
        try:
            return self.ltv().multipliers(self.settings.channels)
        except InputError as exc:
            raise NotFittedError(t("ltv.errors.no_model", reason=str(exc))) from None

    # -- cohorts and funnel ----------------------------------------------------------------
    def cohorts(
        self,
        markets: list[str] | None = None,
        by_channel: bool = True,
        windows: list[int] | None = None,
        as_of: str | None = None,
    ) -> CohortReport:
        """Cohort table: first-order month x market x acquisition channel, value at fixed ages."""
        values = self._ltv_values(markets)
        channels = self._ltv_channels(values) if by_channel else None
        return cohort_table(values, channels, windows=windows or self.settings.ltv.cohort_days,
                            as_of=as_of, by_channel=by_channel)

    def funnel(
        self,
        market: str | None = None,
        by_device: bool = False,
        window_days: int | None = None,
        end: str | None = None,
    ) -> FunnelReport:
        """Funnel step rates, weakest step vs the other markets and own history, and its value."""
        if market is not None:
            self.settings.market(market)
        rows = self.data.funnel_daily()
        if rows.empty:
            raise NotFittedError(t("ltv.errors.no_funnel"))
        s = self.settings.ltv
        window = window_days or s.funnel_window_days
        end_ts = pd.Timestamp(end) if end is not None else pd.Timestamp(rows["date"].max())
        start = end_ts - pd.Timedelta(days=window - 1)
        rev = self.store.query(
            """SELECT market, sum(revenue_base - refunded_base) / count(*) AS rpp FROM orders
               WHERE order_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY market""",
            [str(start.date()), str(end_ts.date())])
        rpp = {m: float(v) for m, v in zip(rev["market"], rev["rpp"], strict=True)
               if v is not None and np.isfinite(float(v))}
        return analyze_funnel(
            rows, window_days=window, history_days=s.funnel_history_days, end=end_ts,
            by_device=by_device, revenue_per_purchase=rpp, interval=s.interval,
            markets=[market] if market else None, min_gap=s.funnel_min_gap,
        )
