"""Write docs/settings.md from the pydantic settings models (run after changing a setting)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from adbudget.config.settings import IngestSettings, MarketSettings, Settings

INTRO = """# Settings reference (`adbudget.toml`)

Generated from the pydantic models by `scripts/settings_doc.py`; `tests/test_docs.py` fails when a
setting is missing here. A wrong value is refused on load with the dotted key and the allowed
values, e.g. `adbudget.toml: markets.US.stage: Input should be 'entry', 'growth' or 'maturity'`.

`adbudget init DIR [--markets US,DE,…] [--base-currency USD]` writes a complete file with the default
catalog: 19 markets (US, CA, GB, DE, FR, IT, ES, NL, SE, ID, TH, VN, PH, MY, SG, SA, AE, BR, MX)
with their ISO 4217 currency and IANA timezone, and the channels meta, tiktok, google_search,
youtube, amazon, shopee, lazada, kol, live_commerce, email, other.
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
