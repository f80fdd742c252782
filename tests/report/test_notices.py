"""Fit notices read in the page's language with codes by name (report.mmm.fit_notices)."""

from __future__ import annotations

from types import SimpleNamespace as NS

from adbudget.report.mmm import fit_notices


def test_a_fit_method_in_a_notice_is_named_not_coded():
    fit = NS(notices=[NS(key="response.notice.claims_method", values={"method": "laplace"})])
    en, = fit_notices(fit, "en")
    zh, = fit_notices(fit, "zh")
    assert en.startswith("fitted with the Laplace approximation (")
    assert zh.startswith("使用 拉普拉斯近似 拟合") and "laplace" not in zh
    other = NS(notices=[NS(key="response.notice.claims_method", values={"method": "svi"})])
    assert fit_notices(other, "en")[0].startswith("fitted with SVI (")
