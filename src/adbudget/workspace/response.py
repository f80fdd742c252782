"""Workspace methods of the `response` area: read from the store, call the pure package, save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from adbudget.errors import InputError, NotFittedError
from adbudget.i18n import t
from adbudget.workspace.core import WorkspaceData

MODEL_NAME = "response"


class ResponseMixin(WorkspaceData):
    """Mixed into Workspace: the response model's methods over the typed data accessor."""

    # -- inputs --------------------------------------------------------------------------------
    def _response_inputs(self, markets: list[str] | None) -> dict[str, Any]:
        revenue = self.daily_revenue(markets)
        spend = self.daily_spend(markets)
        claims = None
        if not spend.empty:
            from adbudget.response.claims import net_of_refunds

            claims = net_of_refunds(spend.rename(columns={"platform_revenue": "claimed_revenue",
                                                          "conversions": "claimed_conversions"})[
                ["date", "market", "channel", "claimed_revenue", "claimed_conversions"]],
                self._net_share())
            spend = spend[["date", "market", "channel", "spend"]]
        lift = self._lift_in_base(self.lift_tests())
        if markets and not lift.empty:
            lift = lift[lift["market"].isin(markets)]
        regions = {code: m.region for code, m in self.settings.markets.items()}
        return {"revenue": revenue, "spend": spend, "lift_tests": lift, "market_regions": regions,
                "claims": claims, "campaign_spend": self._campaign_spend(markets)}

    def _net_share(self) -> dict[str, float]:
        """Per market, the share of gross order value the shop keeps after refunds."""
        frame = self.store.query(
            """SELECT market, CAST(SUM(revenue_base - refunded_base) AS DOUBLE) AS net,
                      CAST(SUM(revenue_base) AS DOUBLE) AS gross
               FROM orders GROUP BY market""")
        return {str(r.market): float(r.net) / float(r.gross) for r in frame.itertuples()
                if r.gross and r.gross > 0 and r.net is not None}

    def _campaign_spend(self, markets: list[str] | None) -> pd.DataFrame:
        """Spend per market x channel x campaign (base currency): campaign names tell the
        model which lines mostly reach buyers already on their way (retargeting, brand)."""
        from adbudget.workspace.core import filter_clauses

        where, params = filter_clauses(markets=markets, date_column=None)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        frame = self.store.query(
            f"""SELECT market, channel, campaign, CAST(SUM(spend_base) AS DOUBLE) AS spend
                FROM ad_daily {clause} GROUP BY ALL""", params)
        return frame

    def _lift_in_base(self, lift: pd.DataFrame) -> pd.DataFrame:
        """Lift tests with spend and incremental revenue converted to the base currency."""
        if lift.empty:
            return lift
        base = self.settings.base_currency
        foreign = lift["currency"] != base
        if not foreign.any():
            return lift
        fx = self.fx_rates()
        out = lift.copy()
        for i in out.index[foreign]:
            row = out.loc[i]
            rates = fx[(fx["currency"] == row["currency"]) &
                       (pd.to_datetime(fx["date"]) <= pd.Timestamp(row["end_date"]))]
            if rates.empty:
                raise InputError(t("response.no_fx", test=row["test_id"], currency=row["currency"],
                                   date=str(row["end_date"])))
            per_base = float(rates.iloc[-1]["per_base"])
            for col in ("spend", "baseline_spend", "incremental_revenue", "incremental_revenue_se"):
                if col in out.columns:
                    out.loc[i, col] = float(row[col]) / per_base
        return out

    def _response_hashes(self, inputs: dict[str, Any], markets: list[str]) -> tuple[str, str]:
        from adbudget.response.serde import config_hash, frame_hash

        data_hash = frame_hash(inputs["revenue"], inputs["spend"], inputs["lift_tests"],
                               inputs.get("claims"))
        config = {
            "response": self.settings.response.model_dump(mode="json"),
            "base_currency": self.settings.base_currency,
            "regions": {m: inputs["market_regions"].get(m) for m in sorted(markets)},
        }
        return data_hash, config_hash(config)

    # -- fitting -------------------------------------------------------------------------------
    def fit(
        self,
        method: str | None = None,
        draws: int | None = None,
        chains: int | None = None,
        markets: list[str] | None = None,
        progress: Callable[[str], None] | None = None,
        warmup: int | None = None,
        seed: int | None = None,
        granularity: str | None = None,
    ):
        """Fit the response model on the shop's revenue and the ad spend, save it, return it.

        ``granularity`` ("auto", "daily", "weekly") overrides ``[response] granularity`` for
        this fit, like ``method``: e.g. "weekly" sums noisy daily data per week. The saved
        fit records its period (``diagnostics["period_days"]``); its curves are per day.
        """
        from adbudget.response.fit import fit_model
        from adbudget.response.serde import to_bytes
        from adbudget.workspace import compile_cache

        compile_cache.enable()  # same shapes next time: the sampler loads instead of compiling

        inputs = self._response_inputs(markets)
        if inputs["revenue"].empty:
            raise NotFittedError(t("response.no_revenue"))
        settings = self.settings.response
        if granularity:
            settings = settings.model_copy(update={"granularity": granularity})
        result = fit_model(settings=settings, markets=markets, method=method,
                           draws=draws, chains=chains, warmup=warmup, seed=seed,
                           progress=progress, **inputs)
        data_hash, cfg_hash = self._response_hashes(
            self._response_inputs(result.markets), result.markets)
        self.store.execute("DELETE FROM models WHERE name = ?", [MODEL_NAME])
        self.store.execute(
            "INSERT INTO models VALUES (?, ?, ?, ?, ?, ?)",
            [MODEL_NAME, datetime.now(UTC).replace(tzinfo=None), result.model_version, data_hash,
             cfg_hash, to_bytes(result)],
        )
        return result

    def response_fit(self, check: bool = True):
        """The saved fit; refuses (NotFittedError) when none exists or data/settings changed."""
        from adbudget.response.results import MODEL_VERSION
        from adbudget.response.serde import from_bytes

        row = self.store.query(
            "SELECT model_version, data_hash, config_hash, payload FROM models WHERE name = ?",
            [MODEL_NAME])
        if row.empty:
            raise NotFittedError(t("response.not_fitted"))
        rec = row.iloc[0]
        if rec["model_version"] != MODEL_VERSION:
            raise NotFittedError(t("response.old_version", found=rec["model_version"],
                                   expected=MODEL_VERSION))
        result = from_bytes(bytes(rec["payload"]))
        if check:
            data_hash, cfg_hash = self._response_hashes(
                self._response_inputs(result.markets), result.markets)
            if data_hash != rec["data_hash"]:
                raise NotFittedError(t("response.stale_data"))
            if cfg_hash != rec["config_hash"]:
                raise NotFittedError(t("response.stale_config"))
        return result

    def response_curves(self, markets: list[str] | None = None):
        """Posterior response curves of the saved fit (``ResponseCurves``)."""
        curves = self.response_fit().curves()
        return curves.subset(markets=markets) if markets else curves

    def curves_table(self, market: str | None = None, channel: str | None = None,
                     points: int = 25) -> pd.DataFrame:
        """Spend grid with mean and credible band of daily incremental revenue, per line."""
        table = self.response_fit().curves_table(points=points)
        if market:
            table = table[table["market"] == market]
        if channel:
            table = table[table["channel"] == channel]
        if table.empty:
            raise InputError(t("response.no_line", market=market or "*", channel=channel or "*"))
        return table.reset_index(drop=True)

    def incrementality(self) -> tuple[pd.DataFrame, float, bool] | None:
        """Per line, what the platform claims next to what the saved fit estimates it caused
        (``FitResult.summary``'s claims columns), the fit's interval and whether the fit is
        current (data and settings unchanged); None without a fit of this version."""
        from adbudget.response.results import CLAIM_COLUMNS

        try:  # one read on the usual path: the current fit
            fit, current = self.response_fit(check=True), True
        except NotFittedError:
            try:
                fit, current = self.response_fit(check=False), False
            except NotFittedError:
                return None
        columns = ["market", "channel", "roas", "roas_lo", "roas_hi", *CLAIM_COLUMNS]
        summary = fit.summary[[c for c in columns if c in fit.summary.columns]]
        return summary, fit.interval, current

    def response_arviz(self):
        """The saved fit as ``arviz.InferenceData`` (needs arviz installed): posterior by
        chain and observed data; while the fit is current (data and settings unchanged) also
        the pointwise log-likelihood and posterior predictive, recomputed from the saved
        latent draws on the rebuilt model (``az.loo`` runs on it)."""
        from types import SimpleNamespace

        from adbudget.response.arviz import to_arviz
        from adbudget.response.data import prepare_data
        from adbudget.response.model import make_spec

        try:
            fit, current = self.response_fit(check=True), True
        except NotFittedError:  # the data or settings moved on (or no fit: raised below)
            fit, current = self.response_fit(check=False), False
        latent = getattr(fit, "saved_latent", None)
        if latent is None or not current:  # the draws alone
            return to_arviz(fit)
        settings = self.settings.response
        inputs = self._response_inputs(fit.markets)
        data = prepare_data(settings=settings, markets=fit.markets, **inputs)
        spec = make_spec(data, settings)
        same_period = data.period_days == int(fit.diagnostics.get("period_days") or data.period_days)
        if spec.n_latent != latent.shape[-1] or not same_period:
            return to_arviz(fit)
        draws = SimpleNamespace(samples={"z": latent}, chains=int(latent.shape[0]))
        return to_arviz(fit, spec, draws, data)
