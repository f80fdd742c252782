"""Tables and figures for the dashboard and the offline HTML report (shared by both)."""

from adbudget.report.curves import curves_section
from adbudget.report.model import Column, Figure, Kpi, Section, Table
from adbudget.report.overview import UnitEconomics, overview_section, profit_frame
from adbudget.report.plan import LINE_FIELDS, lines_frame, plan_csv, plan_section
from adbudget.report.render import environment, fmt, plotly_js, render_report
from adbudget.report.sections import PAGES, build

__all__ = [
    "LINE_FIELDS", "PAGES", "Column", "Figure", "Kpi", "Section", "Table", "UnitEconomics",
    "build", "curves_section", "environment", "fmt", "lines_frame", "overview_section",
    "plan_csv", "plan_section", "plotly_js", "profit_frame", "render_report",
]
