"""Every literal message key the web pages and the report use exists in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adbudget.i18n import catalog
from adbudget.report.plan import BUCKETS
from adbudget.report.sections import PAGES

SRC = Path(__file__).resolve().parents[2] / "src" / "adbudget"
FILES = [*(SRC / "web").rglob("*.py"), *(SRC / "web").rglob("*.j2"), *(SRC / "report").rglob("*.py"),
         *(SRC / "report").rglob("*.j2"), SRC / "cli" / "report.py", SRC / "cli" / "web.py",
         SRC / "workspace" / "report.py"]
KEY = re.compile(r"""\bt\(\s*["']((?:web|report)\.[a-z0-9_.]+)["']""")


def _keys() -> set[str]:
    keys = {k for f in FILES for k in KEY.findall(f.read_text(encoding="utf-8"))
            if not k.endswith((".", "_"))}  # prefixes of dynamic keys, listed below
    keys |= {f"report.{p}.title" for p in PAGES} | {f"web.nav.{p}" for p in (*PAGES, "import")}
    keys |= {f"report.bucket.{b}" for b in BUCKETS}
    keys |= {f"web.nav.{p}" for p in ("model", "ltv", "cohorts", "funnel")}
    keys |= {f"web.fit.method_{m}" for m in ("svi", "nuts")}
    keys |= {f"web.fit.stage_{s}" for s in ("preparing", "sampling", "summarising", "done",
                                            "failed")}
    keys |= {f"web.stale.plan_{s}" for s in ("stale", "old_model")}
    keys |= {f"web.plan.mark_{s}" for s in ("best", "breakeven")}
    keys |= {f"web.glossary.{k}.{p}" for k in ("spend", "revenue", "mer", "profit", "overclaim",
                                                "roas", "marginal_roas") for p in ("name", "def")}
    keys |= {f"web.model.{k}_title" for k in ("fit", "contrib", "waterfall", "roas", "share",
                                              "current_planned")}
    keys |= {f"report.status.{s}" for s in ("ok", "not_built", "not_fitted", "empty", "error")}
    keys |= {f"report.{p}.empty" for p in ("attribution", "tests", "rules")}
    return keys


def test_keys_are_found():
    assert len(_keys()) > 100


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_key_exists(lang):
    missing = sorted(k for k in _keys() if k not in catalog(lang))
    assert missing == []


def test_same_placeholders_in_both_languages():
    en, zh = catalog("en"), catalog("zh")
    for key in (k for k in en if k.startswith(("web.", "report."))):
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key
