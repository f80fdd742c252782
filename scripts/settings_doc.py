"""Write docs/settings.md from the pydantic settings models (run after changing a setting)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from adbudget.config.settings import IngestSettings, MarketSettings, Settings

INTRO = """# Settings reference (`adbudget.toml`)

Generated from the pydantic models by `scripts/settings_doc.py`; `tests/test_docs.py` fails when a
setting is missing here. A wrong value is refused on load with the dotted key and the allowed
values, e.g. `adbudget.toml: markets.US.stage: Input should be 'entry', 'growth' or 'maturity'`.

`adbudget init DIR [--markets JP,AU,KR,…] [--base-currency USD]` writes a complete file. Any ISO
3166-1 country works (codes or names in English or Chinese: `--markets Japan,澳大利亚,KR`); each
gets its region, ISO 4217 currency and IANA time zone from the catalog (`adbudget markets` lists all
249, `--region EA` one region). Without `--markets` the default is 19 markets (US, CA, GB, DE, FR,
IT, ES, NL, SE, ID, TH, VN, PH, MY, SG, SA, AE, BR, MX). Channels: meta, tiktok, google_search,
youtube, amazon, shopee, lazada, kol, live_commerce, email, other.

Regions (the World Bank's, East Asia & Pacific split in three): NA North America, EU Europe &
Central Asia (Türkiye included), ME Middle East & North Africa, LATAM Latin America & Caribbean,
SEA Southeast Asia, EA East Asia, SAS South Asia, OCE Oceania, AF Sub-Saharan Africa. Each has a
profile in `config/catalog.py` (`REGION_PROFILES`): bucket shifts, the channels tested first, entry
platforms, the CPM assumed without data (`plan.default_cpm`); EU adds the compliance and
localization line (`plan.eu_compliance_pct`). A market's region can be changed in its table.
"""


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("|", "\\|")


def _default(field) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "(table)"
    else:
        value = field.default
    text = repr(value)
    if "PydanticUndefined" in text:
        return "required"
    return f"`{text}`".replace("|", "\\|") if len(text) < 80 else "(see code)"


def table(model: type[BaseModel], prefix: str = "") -> str:
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        desc = (field.description or "").replace("\n", " ")
        lines.append(f"| `{prefix}{name}` | {_type_name(field.annotation)} | {_default(field)} | {desc} |")
    return "\n".join(lines)


def render() -> str:
    """The whole reference page."""
    parts = [INTRO, "## Top level\n", table(Settings), "",
             "## `[markets.XX]` (one table per market)\n", table(MarketSettings), "",
             "## `[ingest]`\n", table(IngestSettings), ""]
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and name not in ("ingest",):
            parts += [f"## `[{name}]`\n", table(annotation, f"{name}."), ""]
    return "\n".join(parts)


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
