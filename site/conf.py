"""Sphinx configuration of the companion site; built by tools/build_site.py (make site), which holds the page list.

The source folder is the repository root and only the listed pages are read. The navigation (two hidden
toctrees in reading order) is added to README.md's text as Sphinx reads it, so the file itself stays plain
Markdown for GitHub.
"""
import html
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from build_site import PAGES, ROOT_DOC, docname  # noqa: E402

logger = logging.getLogger(__name__)

project = "Multi-layer representations for dense retrieval"
author = "mlrlib"
root_doc = ROOT_DOC
include_patterns = list(PAGES)
# not needed to select the pages, but keeps Sphinx from walking these trees
exclude_patterns = [".git", ".cache", "build", ".venv", ".whl", "**/.ipynb_checkpoints"]

extensions = ["myst_nb", "sphinx-mathjax-offline"]

# the notebooks show their committed outputs (the laptop run); nothing executes
nb_execution_mode = "off"
# no widget outputs are committed, and the widget manager's default scripts come from a CDN
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
# `docs/methods.md#verdicts` and the like: GitHub-style anchors down to ### headings
myst_heading_anchors = 4
# `$$...$$` inside a paragraph (docs/methods.md has one in a list item) is display math, as on GitHub
myst_dmath_double_inline = True

# remote images the site shows from a copy of its own; any other remote image fails the build
STATIC = Path(__file__).resolve().parent / "_static"
LOCAL_COPIES = {"https://mybinder.org/badge_logo.svg": STATIC / "binder-badge.svg"}

html_theme = "sphinx_book_theme"
html_title = "mlrlib: a runnable companion"
# a page without an icon makes the browser ask for /favicon.ico, a 404 in the console
html_favicon = "_static/favicon.svg"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
# the theme's mode before a reader picks one; left empty, its script logs a console error on a first visit
html_context = {"default_mode": "auto"}
html_show_sphinx = False

NOTEBOOKS = [docname(p) for p in PAGES if p.endswith(".ipynb")]
REPORTS = [docname(p) for p in PAGES if p.endswith(".md") and docname(p) != ROOT_DOC]


def toctree(caption: str, docnames: list[str]) -> str:
    entries = "\n".join(docnames)
    return f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{entries}\n```\n"


def add_navigation(app, docname_read: str, source: list[str]) -> None:
    if docname_read == ROOT_DOC:
        source[0] += toctree("Notebooks", NOTEBOOKS) + toctree("Results and methods", REPORTS)


class LocalImages(SphinxTransform):
    """Swap a remote image for its local copy, so that reading the site fetches nothing from the internet."""
    default_priority = 500  # before DoctreeReadEvent (880), where Sphinx collects the images

    def apply(self, **kwargs) -> None:
        for image in self.document.findall(nodes.image):
            uri = image["uri"]
            if uri in LOCAL_COPIES:
                doc_folder = Path(self.env.doc2path(self.env.docname)).parent
                image["uri"] = os.path.relpath(LOCAL_COPIES[uri], doc_folder)
            elif "://" in uri and not uri.startswith("data:"):
                logger.warning(f"remote image {uri}: add a local copy to LOCAL_COPIES", location=image)


class FolderLinks(SphinxTransform):
    """Point a link to a repository folder (`results/<study>/`) at the file listing that build-finished writes."""
    default_priority = 500

    def apply(self, **kwargs) -> None:
        for xref in list(self.document.findall(addnodes.pending_xref)):
            target = xref.get("reftarget", "")
            if xref.get("reftype") != "myst" or xref.get("refdomain") or not target or "#" in target:
                continue
            folder_rel, folder_abs = self.env.relfn2path(target, self.env.docname)
            if not Path(folder_abs).is_dir():
                continue
            link = nodes.reference("", "", *xref.children, refuri=target.rstrip("/") + "/index.html", internal=True)
            xref.replace_self(link)
            folders = getattr(self.env, "site_folders", set())
            folders.add(folder_rel)
            self.env.site_folders = folders


LISTING_STYLE = "<style>body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.6 }</style>"


def folder_listing(folder_rel: str, files: list[str]) -> str:
    up = "../" * len(Path(folder_rel).parts)
    home = f"{up}{ROOT_DOC}.html"
    items = "\n".join(f'<li><a href="{quote(name)}">{html.escape(name)}</a></li>' for name in files)
    title = html.escape(f"{folder_rel}/")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f'<link rel="icon" href="{up}_static/favicon.svg">\n{LISTING_STYLE}\n<h1>{title}</h1>\n'
            f'<p>The files of this folder, as in the repository. <a href="{home}">{html.escape(project)}</a></p>\n'
            f'<ul>\n{items}\n</ul>\n</html>\n')


def write_folder_listings(app, exception) -> None:
    """Copy each linked folder's files (not its subfolders: those hold other presets' runs) with an index.html."""
    if exception is not None:
        return
    for folder_rel in sorted(getattr(app.env, "site_folders", ())):
        source, out = Path(app.srcdir) / folder_rel, Path(app.outdir) / folder_rel
        files = sorted(f.name for f in source.iterdir() if f.is_file() and not f.name.startswith("."))
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(source / name, out / name)
        (out / "index.html").write_text(folder_listing(folder_rel, files), encoding="utf-8")


def setup(app):
    app.connect("source-read", add_navigation)
    app.add_transform(LocalImages)
    app.add_transform(FolderLinks)
    app.connect("build-finished", write_folder_listings)
