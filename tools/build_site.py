"""Build the companion site from the committed files: nothing is executed.

    python tools/build_site.py --out build/site        # make site; open build/site/index.html

Sphinx + MyST-NB + sphinx-book-theme read the repository root with site/conf.py as the
configuration and only the PAGES below as sources: README.md is the landing page, then the five
notebooks with their committed outputs, the reproduction report, the methods, the benchmark page
and the dataset card. Relative links between them become page links; links to other repository
files become downloads, and a link to a folder (results/<study>/) a copy of its files with a
listing. Math is typeset by a MathJax copy served from the site itself, so the site needs no
network to build or to read. Any Sphinx warning fails the build (-W --keep-going). The site is
built into a temporary sibling of --out and renamed into place only when it succeeded.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "site"

# the site's pages in reading order; README.md is the root document
PAGES = (
    "README.md",
    "notebooks/01_layer_selection.ipynb",
    "notebooks/02_self_contrastive_mlr.ipynb",
    "notebooks/03_md2pr_distillation.ipynb",
    "notebooks/04_early_layer_ce_embeddings.ipynb",
    "notebooks/05_open_questions.ipynb",
    "results/README.md",
    "docs/methods.md",
    "results/benchmarks/README.md",
    "docs/benchmark.md",
)
ROOT_DOC = "README"
REDIRECT = ('<!DOCTYPE html>\n<meta charset="utf-8">\n<title>Redirecting</title>\n'
            '<link rel="icon" href="data:,">\n'  # no request to be cut short by the refresh
            '<meta http-equiv="refresh" content="0; url={target}">\n<a href="{target}">{target}</a>\n')


def docname(page: str) -> str:
    """Sphinx's name of a page: its path without the suffix."""
    return Path(page).with_suffix("").as_posix()


def sphinx_build(html_dir: Path, doctree_dir: Path) -> int:
    from sphinx.cmd.build import build_main
    return build_main(["-b", "html", "-c", str(CONFIG_DIR), "-d", str(doctree_dir), "-E", "-q",
                       "-W", "--keep-going", str(ROOT), str(html_dir)])


def write_index(html_dir: Path) -> None:
    """index.html for the root document, README.html (Sphinx names the page after its source file)."""
    target = f"{ROOT_DOC}.html"
    (html_dir / "index.html").write_text(REDIRECT.format(target=target), encoding="utf-8")


def replace_dir(new: Path, out: Path) -> None:
    """Put the finished site `new` at `out` by renames: `out` is never a half-written site."""
    old = out.with_name(f".old.{out.name}")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def build(out: Path) -> int:
    """Build the site into a temporary sibling of `out`, then move it into place; returns its page count."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".building.{out.name}.", dir=out.parent) as work:
        html_dir, doctree_dir = Path(work) / "html", Path(work) / "doctrees"
        if sphinx_build(html_dir, doctree_dir) != 0:
            sys.exit(f"site build failed: see the warnings above; {out} is unchanged")
        write_index(html_dir)
        replace_dir(html_dir, out)
    return sum(1 for page in PAGES if (out / f"{docname(page)}.html").is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = ap.parse_args()
    start = time.perf_counter()
    pages = build(args.out)
    print(f"site: {pages} pages in {time.perf_counter() - start:.0f} s -> {args.out / 'index.html'}")


if __name__ == "__main__":
    main()
