"""Agency mode: many sellers' workspaces, one command, one summary.

An agency folder holds one workspace per seller (each a folder with ``adbudget.toml``).
``sellers.find_sellers`` lists and selects them (by name or glob); ``jobs`` holds what runs
for one seller (status, fit, plan, report) in a worker, returning a plain ``SellerResult``;
``runner.run_sellers`` fans the jobs out — a local process pool by default, Ray or Spark
when configured — and never lets one seller's failure stop the others; ``summary`` turns the
results into the cross-seller table (spend, estimated true profit, plan change, warnings) the
CLI, the report (``report/agency.py``) and the dashboard (``web/agency_view.py``) show, and
keeps the last one in ``<agency>/agency-summary.json``.
"""

from __future__ import annotations

from adbudget.agency.jobs import JOBS, SellerResult
from adbudget.agency.runner import BACKENDS, run_sellers
from adbudget.agency.sellers import Seller, find_sellers
from adbudget.agency.summary import load_summary, save_summary, summary_frame

__all__ = ["BACKENDS", "JOBS", "Seller", "SellerResult", "find_sellers", "load_summary",
           "run_sellers", "save_summary", "summary_frame"]
