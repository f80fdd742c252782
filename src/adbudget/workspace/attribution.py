"""Workspace methods of the `attribution` area: read from the store, call the pure package."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from adbudget.errors import InputError, NotFittedError, UsageError
from adbudget.i18n import t
from adbudget.workspace.response import ResponseMixin


class AttributionMixin(ResponseMixin):
    """Mixed into Workspace: attribution over the typed data accessor; incremental attribution
    reads the response model (hence built on its mixin)."""

    # -- inputs ---------------------------------------------------------------------------
    def attribution_windows(self, spec: str | None = None) -> Any:
        """Settings' windows (click/view days, per-channel overrides) with *spec* on top."""
        from adbudget.attribution import parse_windows

        s = self.settings.attribution
        items: list[str] = []
        for channel, rule in s.channel_windows.items():
            items += [f"{channel}:{part.strip()}" for part in rule.split(",") if part.strip()]
        if spec:
            items.append(spec)
        return parse_windows(",".join(items) or None, s.click_window_days, s.view_window_days)

    def _value_expr(self) -> str:
        return "revenue_base - refunded_base" if self.settings.attribution.value == "net" else "revenue_base"

    def attribution_paths(
        self,
        windows: str | None = None,
        by: str = "channel",
        *,
        start: str | None = None,
        end: str | None = None,
        markets: list[str] | None = None,
        collapse: bool | None = None,
        with_decay: bool = False,
        progress: Callable[..., None] | None = None,
    ) -> pd.DataFrame:
        """The aggregated path table built by one SQL statement from touchpoints + orders.

        ``progress(done, total)`` hears DuckDB's own progress of the statement (percent, polled
        from a thread) — on tens of millions of touches it runs for a while; a callback that
        also takes ``label=`` gets a translated name of the step to show.
        """
        import duckdb

        from adbudget.attribution import path_sql

        s = self.settings.attribution

        def build(wide: bool) -> str:
            return path_sql(
                self.attribution_windows(windows),
                unit="campaign" if by == "campaign" else "channel",
                by_market=by == "market",
                collapse=s.collapse_repeats if collapse is None else collapse,
                inactivity_days=s.inactivity_days,
                half_life_days=s.half_life_days if with_decay else None,
                value_expr=self._value_expr(),
                markets=markets, start=start, end=end, wide=wide,
            )

        if self.settings.engine.kind == "spark":  # issue 18: the same statement on Spark
            from adbudget.engine import path_frame_sql

            return path_frame_sql(self.settings.engine, build)
        label = t("attribution.progress_paths")
        try:
            return _query_with_progress(self.store, build(False), progress, label)
        except duckdb.OutOfRangeException:
            # BIGINT touch keys overflow (a very long time span times very many campaigns):
            # the same statement with HUGEINT keys
            return _query_with_progress(self.store, build(True), progress, label)

    def _platform_figures(self, by: str, first_day: Any, last_day: Any,
                          markets: list[str] | None) -> pd.DataFrame:
        from adbudget.attribution import keys_for

        keys = keys_for(by)
        where, params = ["1 = 1"], []
        if first_day is not None and not pd.isna(first_day):
            where.append("date >= ?")
            params.append(first_day)
        if last_day is not None and not pd.isna(last_day):
            where.append("date <= ?")
            params.append(last_day)
        if markets:
            where.append(f"market IN ({', '.join('?' for _ in markets)})")
            params += list(markets)
        cols = ", ".join(keys)
        df = self.store.query(
            f"""SELECT {cols}, sum(spend_base)::DOUBLE AS spend,
                       sum(conversions)::DOUBLE AS platform_conversions,
                       sum(revenue_base)::DOUBLE AS platform_revenue
                FROM ad_daily WHERE {' AND '.join(where)} GROUP BY {cols}""",
            params,
        )
        return df

    # -- the analysis ---------------------------------------------------------------------
    def tracked_share(self, *, start: str | None = None, end: str | None = None,
                      markets: list[str] | None = None) -> dict[str, float]:
        """Share of the period's orders placed by customers the touch data tracks, overall
        (``"*"``) and per market; ``attribution.tracked_share`` overrides the estimate."""
        fixed = self.settings.attribution.tracked_share
        if fixed is not None:
            return {"*": float(fixed)}
        from adbudget.workspace.core import filter_clauses

        where, params = filter_clauses(markets, None, "order_date", start, end)
        where = where or ["1 = 1"]
        rows = self.store.query(
            "SELECT market, count(*) AS orders, "
            "count(*) FILTER (WHERE customer_id IN (SELECT DISTINCT user_id FROM touchpoints)) "
            f"AS tracked FROM orders WHERE {' AND '.join(where)} GROUP BY market", params)
        total, tracked = float(rows["orders"].sum()), float(rows["tracked"].sum())
        shares = {"*": tracked / total if total > 0 and tracked > 0 else 1.0}
        for r in rows.itertuples(index=False):
            if r.orders > 0 and r.tracked > 0:
                shares[str(r.market)] = float(r.tracked) / float(r.orders)
        return shares

    def attribute(
        self,
        model: str | None = None,
        windows: str | None = None,
        by: str = "channel",
        *,
        start: str | None = None,
        end: str | None = None,
        markets: list[str] | None = None,
        paths_file: Path | str | None = None,
        compare_models: bool = False,
        compare_windows: bool = False,
        n_boot: int | None = None,
        seed: int = 0,
        collapse: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
        incremental: bool = False,
    ) -> Any:
        """Attribute orders to channels (markets, campaigns) with one model; optional side-by-side
        comparisons of models and of windows. Returns an :class:`AttributionReport`.

        ``incremental``: rescale each channel's (by market: each market's) credit to the
        revenue the saved response model estimates it caused over the same days (its ROAS x
        the spend), keeping the path model's split within the channel ("incremental
        attribution"); the rest of the orders are organic."""
        from adbudget.attribution import (
            BY_VALUES,
            AttributionReport,
            add_platform,
            credit_frame,
            make_model,
            orders_sql,
            side_by_side,
        )

        s = self.settings.attribution
        if by not in BY_VALUES:
            raise UsageError(t("attribution.bad_by", value=by, allowed=", ".join(BY_VALUES)))
        name = model or s.model
        options = s.model_dump()
        chosen = make_model(name, **options)
        n_boot = s.bootstrap if n_boot is None else n_boot
        need_decay = name == "time_decay" or (compare_models and "time_decay" in s.compare_models)
        win = self.attribution_windows(windows)

        if paths_file is not None:
            from adbudget.ingest.paths import read_path_table

            if by == "market":
                raise UsageError(t("attribution.paths_no_market"))
            if compare_windows:
                raise UsageError(t("attribution.paths_no_windows"))
            paths_df = read_path_table(paths_file)
            if by == "campaign" and not paths_df["path"].str.contains("/").any():
                raise UsageError(t("attribution.paths_no_campaign"))
            orders_total = float(paths_df["total_conversions"].sum())
            value_total = float(paths_df["total_conversion_value"].sum())
            first_day = last_day = None
            source = str(paths_file)
        else:
            paths_df = self.attribution_paths(windows, by, start=start, end=end, markets=markets,
                                              collapse=collapse, with_decay=need_decay,
                                              progress=progress)
            orders = self.store.query(orders_sql(value_expr=self._value_expr(), start=start,
                                                 end=end, markets=markets))
            orders_total = float(orders["orders"].iloc[0] or 0)
            value_total = float(orders["value"].iloc[0] or 0)
            first_day, last_day = orders["first_day"].iloc[0], orders["last_day"].iloc[0]
            source = "store"
        if paths_df.empty or float(paths_df["total_conversions"].sum()) <= 0:
            raise NotFittedError(t("attribution.no_journeys"))

        baseline = 0.0
        if getattr(chosen, "needs_touches", False):
            # time-aware models read touch-level journeys (timestamps), not the path table
            if paths_file is not None:
                raise UsageError(t("attribution.hazard_needs_touches"))
            credit, details, baseline = self._touch_credit(
                chosen, by, paths_df, start=start, end=end, markets=markets, n_boot=n_boot,
                seed=seed, progress=progress)
        else:
            credit, details = credit_frame(paths_df, chosen, by=by, n_boot=n_boot,
                                           level=s.interval_level, seed=seed, progress=progress)
        if paths_file is not None:
            shares = {"*": s.tracked_share or 1.0}
        else:
            shares = self.tracked_share(start=start, end=end, markets=markets)
        unscaled = credit
        credit = scale_to_all_orders(credit, shares)
        if incremental:
            from adbudget.attribution.incremental import scale_to_incremental

            group = "market" if by == "market" else "channel"
            credit = scale_to_incremental(
                credit, self.incremental_revenue(group, first_day, last_day, markets),
                _keys(by))
        platform = self._platform_figures(by, first_day, last_day, markets)
        table = add_platform(credit, platform, by)
        conversions = float(paths_df["total_conversions"].sum())
        journeys = conversions + float(paths_df["total_null"].sum())
        totals = {
            "orders": orders_total,
            "orders_value": value_total,
            "attributed_orders": conversions,
            "attributed_value": float(paths_df["total_conversion_value"].sum()),
            "tracked_share": shares["*"],
            "baseline_orders": baseline / (shares["*"] or 1.0),
            "attributed_orders_scaled": float(table["conversions"].sum()),
            "attributed_value_scaled": float(table["revenue"].sum()),
            "unattributed_orders": max(orders_total - float(table["conversions"].sum()), 0.0),
            "journeys": journeys,
            "paths": float(len(paths_df)),
            "spend": float(table["spend"].sum()),
            "platform_conversions": float(table["platform_conversions"].sum()),
            "platform_revenue": float(table["platform_revenue"].sum()),
        }
        totals["platform_overclaim"] = (
            totals["platform_conversions"] / orders_total if orders_total > 0 else float("nan"))
        totals["roas"] = (
            totals["attributed_value_scaled"] / totals["spend"] if totals["spend"] > 0 else float("nan"))

        models_table = None
        if compare_models:
            frames = {}
            for other in dict.fromkeys([name, *s.compare_models]):
                try:
                    model_other = make_model(other, **options)
                    if getattr(model_other, "needs_touches", False):
                        if paths_file is not None:
                            continue  # a path file has no timestamps
                        frame = (unscaled if other == name else self._touch_credit(
                            model_other, by, paths_df, start=start, end=end, markets=markets,
                            n_boot=0, seed=seed, progress=None)[0])
                        frame = frame.drop(columns=[c for c in frame.columns if c.endswith(("_lo", "_hi"))])
                    else:
                        frame, _ = credit_frame(paths_df, model_other, by=by)
                    frames[other] = scale_to_all_orders(frame, shares)
                except InputError:  # e.g. exact Shapley over too many campaigns
                    continue
            models_table = side_by_side(frames, by)

        windows_table = None
        if compare_windows and not getattr(chosen, "needs_touches", False):
            conv_frames, rev_frames = {}, {}
            for spec in s.compare_windows:
                label = spec
                df = self.attribution_paths(spec, by, start=start, end=end, markets=markets,
                                            collapse=collapse, with_decay=name == "time_decay",
                                            progress=progress)
                if df.empty or float(df["total_conversions"].sum()) <= 0:
                    continue
                frame, _ = credit_frame(df, chosen, by=by)
                frame = scale_to_all_orders(frame, shares)
                conv_frames[label] = frame
                rev_frames[label] = frame
            if conv_frames:
                windows_table = side_by_side(conv_frames, by)
                revenue = side_by_side(rev_frames, by, column="revenue")
                keys = _keys(by)
                windows_table = windows_table.merge(platform[keys + ["spend"]], on=keys, how="left")
                for label in conv_frames:
                    rev = revenue[label].to_numpy()
                    sp = windows_table["spend"].fillna(0).to_numpy()
                    windows_table[f"roas_{label}"] = [r / x if x > 0 else float("nan")
                                                      for r, x in zip(rev, sp, strict=True)]

        totals["incremental"] = bool(incremental)
        return AttributionReport(
            model=name, windows=(t("attribution.touch_horizon", days=s.inactivity_days)
                                 if getattr(chosen, "needs_touches", False) else win.label), by=by, table=table, totals=totals,
            models=models_table, windows_table=windows_table,
            details={"source": source, "model": details, "bootstrap": n_boot,
                     "interval_level": s.interval_level},
        )

    def incremental_revenue(self, group: str, start: Any = None, end: Any = None,
                            markets: list[str] | None = None) -> pd.DataFrame:
        """Revenue each channel (``group="channel"``) or market caused from ``start`` to ``end``
        by the saved response model: each line's ROAS (with its interval) x its spend then."""
        fit = self.response_fit(check=False)
        spend = self.daily_spend(markets)
        if start is not None:
            spend = spend[pd.to_datetime(spend["date"]) >= pd.Timestamp(start)]
        if end is not None:
            spend = spend[pd.to_datetime(spend["date"]) <= pd.Timestamp(end)]
        per_line = spend.groupby(["market", "channel"], as_index=False)["spend"].sum()
        lines = fit.summary[["market", "channel", "roas", "roas_lo", "roas_hi"]].merge(
            per_line, on=["market", "channel"], how="inner")
        for suffix in ("", "_lo", "_hi"):
            lines[f"incremental_revenue{suffix}"] = lines[f"roas{suffix}"] * lines["spend"]
        cols = ["incremental_revenue", "incremental_revenue_lo", "incremental_revenue_hi"]
        return lines.groupby(group, as_index=False)[cols].sum()

    def _touch_credit(self, model: Any, by: str, paths_df: pd.DataFrame, *, start: str | None,
                      end: str | None, markets: list[str] | None, n_boot: int, seed: int,
                      progress: Callable[..., None] | None) -> tuple[pd.DataFrame, dict[str, Any], float]:
        """Credit of a touch-level model (``hazard``) from the store's touch-level journeys:
        one fit, or one per market with ``by="market"`` (its own baseline and effects), with
        bootstrap intervals when ``n_boot`` > 0; ``by="campaign"`` fits one effect per
        ``channel/campaign``. Returns the credit rows (tracked orders, not yet scaled), the
        model's details and the conversions left to the organic baseline."""
        from adbudget.attribution import bootstrap_touches
        from adbudget.attribution.report import plain_details, split_unit

        s = self.settings.attribution
        groups = ([[m] for m in sorted(paths_df["market"].dropna().unique())]
                  if by == "market" and "market" in paths_df.columns else [markets])
        frames, details, baseline = [], {}, 0.0
        for group in groups:
            touches = self.attribution_touches(start=start, end=end, markets=group,
                                               unit="campaign" if by == "campaign" else "channel")
            fitted = model.credit_touches(touches)
            frame = pd.DataFrame({"channel": list(fitted.channels),
                                  "conversions": fitted.conversions, "revenue": fitted.value})
            if n_boot > 0:  # refit on resampled journeys: intervals as for the path models
                iv = bootstrap_touches(model, touches, n_boot=n_boot, level=s.interval_level,
                                       seed=seed, progress=progress)
                frame["conversions_lo"], frame["conversions_hi"] = iv.conversions_lo, iv.conversions_hi
                frame["revenue_lo"], frame["revenue_hi"] = iv.value_lo, iv.value_hi
            key = group[0] if by == "market" and group else "all"
            if by == "market":
                frame.insert(0, "market", key)
            frames.append(frame)
            baseline += float(fitted.baseline)
            details[key] = {**plain_details(fitted.extra, fitted.channels),
                            "baseline": float(fitted.baseline),
                            "baseline_value": float(fitted.baseline_value)}
        credit = pd.concat(frames, ignore_index=True)
        if by == "market":  # channels a market never touched carry no credit there
            credit = credit[credit["conversions"] > 0].reset_index(drop=True)
        if by == "campaign":  # "channel/campaign" units -> channel and campaign columns
            credit = split_unit(credit.rename(columns={"channel": "unit"}), "campaign")
        return credit, details, baseline


def scale_to_all_orders(credit: pd.DataFrame, shares: dict[str, float]) -> pd.DataFrame:
    """Divide attributed orders and revenue (and their intervals) by the tracked share —
    per market when the frame has a market column and the share is known for it."""
    out = credit.copy()
    cols = [c for c in ("conversions", "revenue", "conversions_lo", "conversions_hi",
                        "revenue_lo", "revenue_hi") if c in out.columns]
    if "market" in out.columns:
        share = out["market"].map(lambda m: shares.get(m, shares["*"])).astype(float)
    else:
        share = pd.Series(shares["*"], index=out.index, dtype=float)
    share = share.where(share > 0, 1.0)
    for col in cols:
        out[col] = out[col].astype(float) / share
    return out


def _accepts_label(callback: Callable[..., None]) -> bool:
    try:
        params = inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False
    return "label" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _query_with_progress(store: Any, sql: str, progress: Callable[..., None] | None,
                         label: str, every_s: float = 0.25) -> pd.DataFrame:
    """Run *sql* on the store; while it runs, report DuckDB's percent done to *progress*."""
    if progress is None:
        return store.query(sql)
    con = store.con
    old = con.execute("SELECT current_setting('enable_progress_bar'), "
                      "current_setting('enable_progress_bar_print')").fetchone()
    # DuckDB tracks progress only with its bar on; its own printing stays off
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    with_label = _accepts_label(progress)
    stop = threading.Event()

    def report(done: int) -> None:
        if with_label:
            progress(done, 100, label=label)
        else:
            progress(done, 100)

    def poll() -> None:
        last = -1
        while not stop.wait(every_s):
            try:
                pct = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is best effort, never fails the query
                return
            if pct >= 0 and int(pct) != last:
                last = int(pct)
                report(last)

    thread = threading.Thread(target=poll, name="attribution-progress", daemon=True)
    thread.start()
    try:
        df = store.query(sql)
    finally:
        stop.set()
        thread.join()
        con.execute(f"SET enable_progress_bar = {'true' if old[0] else 'false'}")
        con.execute(f"SET enable_progress_bar_print = {'true' if old[1] else 'false'}")
    report(100)
    return df


def _keys(by: str) -> list[str]:
    from adbudget.attribution import keys_for

    return keys_for(by)
