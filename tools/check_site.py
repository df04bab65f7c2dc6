"""Load every page of a built site in headless Chromium and fail on what a reader would find broken.

    python tools/check_site.py build/site        # make site-check, after make site

The site is served from a local HTTP server (a free port) and each .html page is opened in Debian's
Chromium (/usr/bin/chromium) driven by Playwright; no browser is downloaded and nothing outside
the machine is reached. A page fails on:
  - an image that did not load (naturalWidth 0 once lazy images were made to load);
  - math left raw: visible text outside pre/code/script that reads $...$ or $$...$$ after MathJax finished;
  - math elements that MathJax did not typeset (no mjx-container), or typeset as a TeX error;
  - a broken local link: the target is not served with status 200, or its #fragment names no element id;
  - a console error, an uncaught exception, a failed request or a response with status >= 400;
  - a request for anything outside the site (a CDN: the site must read offline).
A page with a meta refresh (index.html) is followed to where it leads. Files under _static/ are theme
assets, not pages. One line per page, a summary, exit status 1 on any problem.
"""
from __future__ import annotations

import argparse
import re
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

CHROMIUM = "/usr/bin/chromium"
# the machine's network is closed: no first-run, sync, component update, field trials or QUIC probes
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# theme assets, not pages: the book theme copies Jinja macro files (webpack-macros.html) into _static/
NOT_PAGES = ("_static",)
TIMEOUT_MS = 20_000

# $...$ (no space inside either dollar, not followed by a digit: "$5 and $10" is prices) and $$...$$
REFRESH = re.compile(r"<meta[^>]+http-equiv=[\"']?refresh", re.IGNORECASE)
RAW_MATH = re.compile(r"\$\$[^$]+?\$\$|(?<![\\$])\$(?=[^\s$])[^$\n]*?(?<=[^\s$\\])\$(?![\d$])")

VISIBLE_TEXT_JS = """() => {
  const code = [...document.querySelectorAll('pre, code, kbd, samp, script, style, noscript, textarea, mjx-container')];
  const display = code.map(el => el.style.display);
  code.forEach(el => el.style.setProperty('display', 'none'));
  const text = document.body ? document.body.innerText : '';
  code.forEach((el, i) => el.style.display = display[i]);
  return text;
}"""
LOAD_LAZY_IMAGES_JS = """() => {
  document.querySelectorAll('img[loading="lazy"]').forEach(img => img.loading = 'eager');
  window.scrollTo(0, document.body.scrollHeight);
}"""
IMAGES_DONE_JS = "() => [...document.images].every(img => img.complete)"
BROKEN_IMAGES_JS = """() => [...document.images]
  .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.getAttribute('src'))"""
MATHJAX_DONE_JS = """async () => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
  await MathJax.startup.promise;
  return true;
}"""
MATH_STATE_JS = """() => {
  const math = [...document.querySelectorAll('.math')];
  return {math: math.length,
          untypeset: math.filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 60)),
          containers: document.querySelectorAll('mjx-container').length,
          errors: [...document.querySelectorAll('mjx-merror')].map(el => el.getAttribute('data-mjx-error') || '')};
}"""
LINKS_JS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def serve(site: Path):
    """Serve `site` on a free local port; yields the base URL (ending with /)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_pages(site: Path) -> list[str]:
    """Every .html file of the site, as paths relative to it (POSIX), except theme assets."""
    pages = (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return sorted(p for p in pages if p.split("/", 1)[0] not in NOT_PAGES)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


def element_ids(html: str) -> set[str]:
    """The ids a #fragment can name in this HTML (id attributes, and <a name>)."""
    parser = _Ids()
    parser.feed(html)
    return parser.ids


class LinkTargets:
    """Link targets on the local server, each fetched once: their HTTP status and, for HTML, their ids."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, set[str]]] = {}

    def fetch(self, url: str) -> tuple[int, set[str]]:
        if url not in self._seen:
            try:
                with urllib.request.urlopen(url, timeout=TIMEOUT_MS / 1000) as response:
                    body = response.read()
                    is_html = response.headers.get_content_type() == "text/html"
                    ids = element_ids(body.decode("utf-8", "replace")) if is_html else set()
                    self._seen[url] = (response.status, ids)
            except urllib.error.HTTPError as err:
                self._seen[url] = (err.code, set())
        return self._seen[url]

    def problem(self, href: str) -> str | None:
        """What is wrong with a link to `href` (an absolute URL on the local server), or None."""
        url, fragment = urldefrag(href)
        status, ids = self.fetch(url)
        if status != 200:
            return f"broken link {href}: HTTP {status}"
        if fragment and unquote(fragment) not in ids:
            return f"broken link {href}: no element with id {unquote(fragment)!r}"
        return None


def raw_math(text: str) -> list[str]:
    """Stretches of `text` that read as TeX math between dollars: math a reader sees unrendered."""
    return [match.group(0)[:80] for match in RAW_MATH.finditer(text)]


def outside(url: str, origin: str) -> bool:
    return not url.startswith((origin, "data:", "blob:", "about:"))


def watch(page, origin: str) -> list[str]:
    """Record console errors, uncaught exceptions, failed requests, HTTP errors and requests that leave the
    site (a CDN: the site must read offline) of `page` as they happen."""
    events: list[str] = []
    page.on("request", lambda req: outside(req.url, origin) and events.append(f"request outside the site: {req.url}"))
    page.on("console", lambda msg: msg.type == "error" and events.append(f"console error: {msg.text}"))
    page.on("pageerror", lambda err: events.append(f"uncaught error: {err}"))
    page.on("requestfailed", lambda req: events.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda resp: resp.status >= 400 and events.append(f"HTTP {resp.status}: {resp.url}"))
    return events


def follow_refresh(page, url: str) -> None:
    """Wait until a page with a meta refresh (the site's index.html) has moved on to the page it names."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_MS / 1000) as response:
        refresh = REFRESH.search(response.read().decode("utf-8", "replace"))
    if refresh:
        page.wait_for_url(lambda now: now != url, timeout=TIMEOUT_MS)
        page.wait_for_load_state("load")


def image_problems(page, tally: Counter) -> list[str]:
    page.evaluate(LOAD_LAZY_IMAGES_JS)
    try:
        page.wait_for_function(IMAGES_DONE_JS, timeout=TIMEOUT_MS)
    except Exception:  # reported below as images that did not load
        pass
    tally["images"] += page.evaluate("() => document.images.length")
    return [f"image did not load: {src}" for src in page.evaluate(BROKEN_IMAGES_JS)]


def math_problems(page) -> list[str]:
    has_mathjax = page.evaluate(MATHJAX_DONE_JS)
    state = page.evaluate(MATH_STATE_JS)
    problems = [f"raw math: {text}" for text in raw_math(page.evaluate(VISIBLE_TEXT_JS))]
    if state["math"] and not has_mathjax:
        problems.append(f"{state['math']} math elements but no MathJax on the page")
    elif state["untypeset"]:
        problems.append(f"{len(state['untypeset'])} of {state['math']} math elements not typeset, first: "
                        f"{state['untypeset'][0]}")
    problems += [f"TeX error in math: {error}" for error in state["errors"]]
    return problems


def link_problems(page, origin: str, targets: LinkTargets, tally: Counter) -> list[str]:
    local = [href for href in page.evaluate(LINKS_JS) if href.startswith(origin)]
    tally["links"] += len(local)
    problems = (targets.problem(href) for href in dict.fromkeys(local))
    return [problem for problem in problems if problem]


def check_page(context, url: str, targets: LinkTargets, tally: Counter | None = None) -> list[str]:
    """Open `url` in a new tab of the browser `context`; returns what is wrong with it (empty: nothing)."""
    from playwright.sync_api import Error as PlaywrightError
    tally = Counter() if tally is None else tally
    origin = urljoin(url, "/")
    page = context.new_page()
    events = watch(page, origin)
    try:
        response = page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        follow_refresh(page, url)
        problems = image_problems(page, tally) + math_problems(page)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        problems += link_problems(page, origin, targets, tally)
        if response is None or response.status != 200:
            problems.insert(0, f"page not served: HTTP {response.status if response else '?'}")
    except PlaywrightError as err:
        problems = [f"check did not finish: {err.message.splitlines()[0]}"]
    finally:
        page.close()
    tally["pages"] += 1
    return [problem.replace(origin, "") for problem in dict.fromkeys(problems + events)]  # site-relative URLs


@contextmanager
def browser_context():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_context()
        finally:
            browser.close()


def check_site(site: Path, report=print) -> tuple[dict[str, list[str]], Counter]:
    """Check every page of `site`; returns the problems of each page and the counts of what was checked."""
    results: dict[str, list[str]] = {}
    tally: Counter = Counter()
    targets = LinkTargets()
    with serve(site) as base, browser_context() as context:
        for path in site_pages(site):
            results[path] = check_page(context, base + path, targets, tally)
            report(f"{path}: " + ("OK" if not results[path] else "\n    ".join(["FAIL"] + results[path])))
    return results, tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path, help="a built site (make site: build/site)")
    site = ap.parse_args().site
    if not (site / "index.html").is_file():
        sys.exit(f"{site}/index.html not found: build the site first (make site)")
    results, tally = check_site(site)
    failed = sum(1 for problems in results.values() if problems)
    problems = sum(len(problems) for problems in results.values())
    print(f"site check: {tally['pages']} pages, {tally['images']} images, {tally['links']} local links checked: "
          + ("all OK" if not failed else f"{problems} problems on {failed} pages"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
