"""The companion site's tools: the page list of tools/build_site.py, and tools/check_site.py failing on what it
must, on a handmade site in Debian's headless Chromium (skipped where Chromium or Playwright is missing). The real
site is built and checked by `make site-check`, not here (a build takes too long for the unit tests)."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from build_site import PAGES, docname  # noqa: E402
from check_site import CHROMIUM, check_site, raw_math  # noqa: E402


def test_the_pages_are_readme_the_five_notebooks_in_order_the_report_methods_benchmarks_and_the_card():
    notebooks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("0[1-5]_*.ipynb"))
    assert len(notebooks) == 5
    assert list(PAGES) == ["README.md", *notebooks, "results/README.md", "docs/methods.md",
                           "results/benchmarks/README.md", "docs/benchmark.md"]
    assert [page for page in PAGES if not (ROOT / page).is_file()] == []


def test_the_navigation_lists_every_other_page_in_the_same_order():
    spec = importlib.util.spec_from_file_location("site_conf", ROOT / "site" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.root_doc == "README" and conf.include_patterns == list(PAGES)
    assert conf.NOTEBOOKS + conf.REPORTS == [docname(page) for page in PAGES[1:]]
    assert conf.nb_execution_mode == "off"


@pytest.mark.parametrize("text,found", [
    ("the loss $x^2$ grows", ["$x^2$"]),
    ("display $$\\sum_i a_i$$ here", ["$$\\sum_i a_i$$"]),
    ("one letter $m$ vectors", ["$m$"]),
    ("prices: $5 and $10", []),
    ("a lone $ sign, then US$ 3", []),
])
def test_raw_math_is_tex_between_dollars_not_prices(text, found):
    assert raw_math(text) == found


MATHJAX = '<script>window.MathJax = {options: {processHtmlClass: "math"}}</script>' \
          '<script defer src="mathjax/tex-chtml.js"></script>'
PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{name}</title>' \
       '<link rel="icon" href="data:,"></head>\n<body>\n{body}\n</body></html>\n'
DOT_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'
HANDMADE = {
    "index.html": '<meta http-equiv="refresh" content="0; url=good.html"><a href="good.html">good</a>',
    "good.html": '<h1 id="top">Good</h1><img src="dot.svg" alt="dot" loading="lazy">'
                 '<p>Prices: $5 and $10.</p><pre>echo $HOME $PATH$</pre><code>$x$</code>'
                 '<a href="other.html#there">there</a> <a href="#top">top</a> <a href="dot.svg">the figure</a>',
    "other.html": '<h2 id="there">There</h2><a href="good.html">back</a>',
    "broken_image.html": '<img src="missing.png" alt="missing">',
    "raw_math.html": "<p>The loss is $x^2$ per query.</p>",
    "untypeset_math.html": '<p>The loss is <span class="math">\\(x^2\\)</span>.</p>',
    "typeset_math.html": MATHJAX + '<p>The loss is <span class="math">\\(\\sum_i x_i^2\\)</span>.</p>',
    "tex_error.html": MATHJAX + '<p>The loss is <span class="math">\\(\\frac{x}\\)</span>.</p>',
    "broken_links.html": '<a href="nowhere.html">a missing page</a> <a href="other.html#nowhere">a missing anchor</a>',
    "console_error.html": '<script>console.error("boom")</script>',
    "uncaught_error.html": '<script>throw new Error("bang")</script>',
}


def mathjax_folder() -> Path:
    """The MathJax copy the site's build serves (the sphinx-mathjax-offline package)."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None:
        pytest.skip("sphinx-mathjax-offline is not installed (requirements.txt)")
    return Path(spec.submodule_search_locations[0]) / "static" / "mathjax"


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The problems tools/check_site.py finds on each page of the handmade site."""
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements.txt)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: bash tools/install_browser.sh installs Debian's Chromium")
    site = tmp_path_factory.mktemp("site")
    (site / "dot.svg").write_text(DOT_SVG)
    (site / "mathjax").symlink_to(mathjax_folder())
    for name, body in HANDMADE.items():
        (site / name).write_text(PAGE.format(name=name, body=body))
    results, tally = check_site(site, report=lambda line: None)
    return results, tally


def problems_of(checked, page: str) -> str:
    return "\n".join(checked[0][page])


def test_good_pages_and_the_redirect_to_one_pass(checked):
    results, tally = checked
    assert results["good.html"] == [] and results["other.html"] == [] and results["index.html"] == []
    assert tally["pages"] == len(HANDMADE) and tally["images"] >= 3 and tally["links"] >= 8


def test_an_image_that_does_not_load_fails_its_page(checked):
    assert "image did not load: missing.png" in problems_of(checked, "broken_image.html")
    assert "HTTP 404" in problems_of(checked, "broken_image.html")


def test_math_left_as_dollars_fails_its_page(checked):
    assert "raw math: $x^2$" in problems_of(checked, "raw_math.html")


def test_math_elements_without_mathjax_fail_their_page(checked):
    assert "1 math elements but no MathJax on the page" in problems_of(checked, "untypeset_math.html")


def test_typeset_math_passes_and_a_tex_error_fails_its_page(checked):
    assert checked[0]["typeset_math.html"] == []
    assert "TeX error in math: Missing argument for \\frac" in problems_of(checked, "tex_error.html")


def test_a_link_to_a_missing_page_or_anchor_fails_its_page(checked):
    problems = problems_of(checked, "broken_links.html")
    assert "nowhere.html: HTTP 404" in problems
    assert "other.html#nowhere: no element with id 'nowhere'" in problems


def test_console_errors_and_uncaught_exceptions_fail_their_page(checked):
    assert "console error: boom" in problems_of(checked, "console_error.html")
    assert "uncaught error: " in problems_of(checked, "uncaught_error.html")
    assert "bang" in problems_of(checked, "uncaught_error.html")
