"""Screenshots of every dashboard page, en and zh, at 1440 and 390 px (for docs/web/).

    python -m tests.web.screens http://127.0.0.1:8917 docs/web [--widths 1440,390] [page ...]

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
Each image is quantized to 128 colours (Pillow's fast octree keeps the charts' line colours)
to keep the repository small.
"""

from __future__ import annotations

import sys
from pathlib import Path

PAGES = [("overview", "/"), ("plan", "/plan"), ("model", "/model"), ("curves", "/curves"),
         ("attribution", "/attribution"), ("tests", "/tests"), ("rules", "/rules"),
         ("loop", "/loop"), ("brand", "/brand"), ("agency", "/agency"),
         ("ltv", "/ltv"), ("cohorts", "/cohorts"), ("funnel", "/funnel"), ("import", "/import")]
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
PENDING = ".plot:not([data-rendered='1'])"


def shoot(base: str, out: Path, widths: tuple[int, ...] = (1440, 390),
          pages: list[tuple[str, str]] = PAGES) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    files = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for width in widths:
            ctx = browser.new_context(viewport={"width": width, "height": 900})
            page = ctx.new_page()
            for lang in ("en", "zh"):
                for name, path in pages:
                    page.goto(f"{base}{path}?lang={lang}")
                    page.wait_for_selector(PENDING, state="detached", timeout=120_000)
                    f = out / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(f), full_page=True)
                    quantize(f)
                    files.append(f)
            ctx.close()
        browser.close()
    return files


def quantize(path: Path, colours: int = 128) -> None:
    """Rewrite a PNG with a 128-colour palette (about a third of the bytes)."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colours, method=Image.Quantize.FASTOCTREE)
    small.save(path, optimize=True)


if __name__ == "__main__":
    widths = (1440, 390)
    rest = sys.argv[3:]
    if "--widths" in rest:
        i = rest.index("--widths")
        widths = tuple(int(x) for x in rest[i + 1].split(","))
        rest = rest[:i] + rest[i + 2:]
    only = rest
    pages = [p for p in PAGES if not only or p[0] in only]
    for f in shoot(sys.argv[1], Path(sys.argv[2]), widths, pages):
        print(f)
