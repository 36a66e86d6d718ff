"""The built site in a real browser: Debian's chromium, driven by Playwright.

Playwright cannot download its own browsers here, so it drives the system chromium
(``/usr/bin/chromium``, installed by ``.ci/run``; another path through
``METAEVIDENCE_CHROMIUM``). A missing browser FAILS these tests: they never skip.

Every page of the repository's site is loaded from ``file://``: no console error, no
failed request, every internal link resolves (file and anchor), every image and inline SVG
has a non-zero rendered size; the forest plot's numbers match the results JSON; the study
table sorts (mouse and keyboard); and screenshots of the index and an analysis page, at
desktop and phone width, are written for review (to ``METAEVIDENCE_SCREENSHOTS`` or a
temporary folder; ``docs/images/site-index.png`` in the README is one of them).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from metaevidence.display.text import present, z_quantile

from .conftest import REPO

CHROMIUM = Path(os.environ.get("METAEVIDENCE_CHROMIUM", "/usr/bin/chromium"))
ANALYSIS = "social-relationships-mortality"  # the analysis with every figure
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

# the strings an SVG draws, in order: its <text> elements (and the comments that sat beside
# glyph paths when text was drawn as paths)
COMMENTS_JS = """svg => {
  const out = [], walker = document.createTreeWalker(svg, NodeFilter.SHOW_COMMENT | NodeFilter.SHOW_ELEMENT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (n.nodeType === Node.COMMENT_NODE) out.push(n.nodeValue.trim());
    else if (n.localName === "text") out.push(n.textContent.trim());
  }
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no browser at {CHROMIUM}: install Debian's chromium (`apt-get install -y chromium`, as .ci/run "
            "does) or set METAEVIDENCE_CHROMIUM; the site's browser tests never skip"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.problems = []
    pg.on(
        "console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: pg.problems.append(f"failed request: {r.url} ({r.failure})"))
    pg.on("response", lambda r: pg.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    yield pg
    pg.close()


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_loads_cleanly_and_every_internal_link_resolves(repo_site, page):
    pages = _pages(repo_site)
    assert len(pages) >= 1 + 8 + 29
    checked_links = 0
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
        assert page.problems == [], f"{path.relative_to(repo_site)}: {page.problems}"
        assert page.locator("h1").count() == 1, path
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in links:
            url = urlparse(href)
            assert url.scheme == "file", f"{path.name}: external or network link {href}"
            target = Path(unquote(url.path))
            assert target.is_file(), f"{path.relative_to(repo_site)}: broken link {href}"
            assert repo_site in target.parents or target == repo_site, (
                f"{path.name}: link leaves the site: {href}"
            )
            if url.fragment and target.suffix == ".html":
                html = target.read_text(encoding="utf-8")
                assert f'id="{url.fragment}"' in html, (
                    f"{path.name}: no anchor #{url.fragment} in {target.name}"
                )
            checked_links += 1
    assert checked_links > 300


def test_every_image_and_svg_renders_with_a_size(repo_site, page):
    n = 0
    for path in _pages(repo_site):
        page.goto(path.as_uri(), wait_until="load")
        for el in page.query_selector_all("main svg, main img"):
            box = el.bounding_box()
            assert box is not None and box["width"] > 50 and box["height"] > 50, f"{path.name}: {box}"
            label = el.get_attribute("aria-labelledby") or el.get_attribute("alt")
            assert label, f"{path.name}: a figure without a text alternative"
            n += 1
        for img in page.query_selector_all("img"):
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), path.name
    forests = sum(1 for p in (REPO / "figures").glob("*/forest.svg"))
    assert n >= forests


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace("-", "\N{MINUS SIGN}")


def test_forest_numbers_match_the_results_json(repo_site, page):
    checked = 0
    for json_path in sorted((REPO / "results").glob("*.json")):
        doc = json.loads(json_path.read_text())
        if doc["analysis"]["kind"] == "overview" or doc.get("pooled") is None:
            continue
        page.goto((repo_site / "analyses" / f"{json_path.stem}.html").as_uri())
        svg = page.query_selector("#figure-forest svg")
        assert svg is not None, json_path.stem
        shown = " ".join(svg.evaluate(COMMENTS_JS))
        t = doc["measure"]["transform"]
        p = doc["pooled"]

        def shown_as(x, t=t):
            return _fmt(present(x, t))

        pooled = f"{shown_as(p['estimate'])} [{shown_as(p['ci_lower'])}, {shown_as(p['ci_upper'])}]"
        assert pooled in shown, (json_path.stem, pooled)
        z = z_quantile(doc["settings"]["level"])
        for r in doc["studies"]["included"]:
            se = math.sqrt(r["vi"])
            study = f"{shown_as(r['yi'])} [{shown_as(r['yi'] - z * se)}, {shown_as(r['yi'] + z * se)}]"
            assert study in shown, (json_path.stem, r["id"], study)
            assert f"{r['weight']:.1f}%" in shown, (json_path.stem, r["id"])
            checked += 1
    assert checked >= 21


def _column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#study-table tbody tr > :nth-child({index})",
        "cells => cells.map(c => c.getAttribute('data-value'))",
    )


def test_the_study_table_sorts_by_mouse_and_keyboard(repo_site, page):
    page.goto((repo_site / "analyses" / f"{ANALYSIS}.html").as_uri())
    heads = page.eval_on_selector_all("#study-table thead th", "hs => hs.map(h => h.textContent.trim())")
    col = next(i for i, h in enumerate(heads, 1) if h.startswith("OR"))
    before = [float(v) for v in _column(page, col)]
    button = page.locator(f"#study-table thead th:nth-child({col}) button")
    button.click()
    assert [float(v) for v in _column(page, col)] == sorted(before)
    assert page.get_attribute(f"#study-table thead th:nth-child({col})", "aria-sort") == "ascending"
    button.focus()
    page.keyboard.press("Enter")
    assert [float(v) for v in _column(page, col)] == sorted(before, reverse=True)
    assert page.get_attribute(f"#study-table thead th:nth-child({col})", "aria-sort") == "descending"
    # the study links move with their rows: the largest effect's row links to its own record
    doc = json.loads((REPO / "results" / f"{ANALYSIS}.json").read_text())
    top = max(doc["studies"]["included"], key=lambda r: r["yi"])
    assert page.get_attribute("#study-table tbody tr:first-child a", "href") == f"../studies/{top['id']}.html"
    year = heads.index("Year ↕") + 1 if "Year ↕" in heads else 2
    page.locator(f"#study-table thead th:nth-child({year}) button").click()
    years = [int(v) for v in _column(page, year)]
    assert years == sorted(years)
    assert page.problems == []


def test_screenshots_for_review(repo_site, browser, tmp_path_factory):
    folder = Path(os.environ.get("METAEVIDENCE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for width_name, (w, h) in VIEWPORTS.items():
        pg = browser.new_page(viewport={"width": w, "height": h})
        for name, rel in (("index", "index.html"), ("analysis", f"analyses/{ANALYSIS}.html")):
            pg.goto((repo_site / rel).as_uri())
            # no horizontal page scroll at phone width: wide tables and figures scroll inside their box
            assert pg.evaluate("document.documentElement.scrollWidth") <= w, (width_name, rel)
            out = folder / f"site-{name}-{width_name}.png"
            pg.screenshot(path=str(out), full_page=(name == "index"))
            assert out.stat().st_size > 10_000
            written.append(out)
        pg.close()
    print("screenshots:", *written, sep="\n  ")


def test_print_stylesheet_leaves_out_navigation_and_downloads(repo_site, page):
    page.goto((repo_site / "analyses" / f"{ANALYSIS}.html").as_uri())
    assert page.is_visible(".site-header") and page.is_visible(".downloads")
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header") and not page.is_visible(".downloads")
    assert page.is_visible("#figure-forest svg") and page.is_visible("#study-table")
    assert len(page.pdf()) > 50_000


def test_keyboard_reaches_the_skip_link_first(repo_site, page):
    page.goto((repo_site / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
