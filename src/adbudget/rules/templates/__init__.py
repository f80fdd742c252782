"""Rule templates from the method, shipped as TOML files in this package.

``stop_loss`` (test arms), ``scale_winners``, ``judge_7d`` (judge ROI on 7-day windows, not
same-day), ``reserve_at_peak`` (release reserve on cost surges) and ``pacing_guard``.
"""

from __future__ import annotations

from importlib import resources

from adbudget.rules.loader import parse_rules
from adbudget.rules.spec import RuleSet


def template_names() -> list[str]:
    """Names of the packaged templates (file names without .toml)."""
    folder = resources.files(__name__)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def template_text(name: str) -> str:
    """The TOML text of one template (KeyError if there is none of that name)."""
    if name not in template_names():
        raise KeyError(name)
    return resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_template(name: str) -> RuleSet:
    """One template as a validated rule set."""
    return parse_rules(template_text(name), f"{name}.toml")


__all__ = ["load_template", "template_names", "template_text"]
