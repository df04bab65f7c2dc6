"""Outlines of HTML pages (cut at their heading elements) and the HTML FAQ parsers."""
from __future__ import annotations

import re

import lxml.etree

from mlrlib.data.faqs.outline import Outline, faq_entries
from mlrlib.data.faqs.source import Pairs, parse_html
from mlrlib.data.textclean import normalize_space

_HEADING_LEVEL = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {"p", "div", "li", "pre", "tr", "td", "th", "dt", "dd", "br", "table", "ul", "ol", "dl", "blockquote",
           "section", *_HEADING_LEVEL}
_NOISE = ("//script", "//style", "//nav", "//head", "//a[contains(@class, 'headerlink')]",
          "//a[contains(concat(' ', @class, ' '), ' anchor ')]", "//div[contains(@class, 'sidemenu')]",
          "//div[@class='banner']", "//div[contains(concat(' ', @class, ' '), ' contents ')]", "//div[@id='toc']",
          "//div[@id='footer']", "//p[starts-with(normalize-space(.), 'This document was generated')]",
          "//div[contains(@class, 'sphinxsidebar')]", "//div[@id='sidebar']")
_CONTENT = ("//div[@role='main']", "//div[@id='yui-main']", "//div[@id='content']", "//div[@class='document']")


def html_outline(text: str) -> Outline:
    """Sections of an HTML page: each h1-h6 in the page's main content (the first of `_CONTENT`
    found, else the whole page; navigation, tables of contents, permalinks and footers dropped)
    with the text up to the next heading; level n for hn."""
    root = parse_html(text)
    if root is None:
        return []
    scope = next((found[0] for found in map(root.xpath, _CONTENT) if found), root)
    for noise in scope.xpath(" | ".join(_NOISE)):
        noise.drop_tree()
    outline: list[tuple[int, str, list[str]]] = []
    inside_heading = 0
    for event, node in lxml.etree.iterwalk(scope, events=("start", "end")):
        if not isinstance(node.tag, str):
            continue
        if node.tag in _HEADING_LEVEL:
            if event == "start":
                outline.append((_HEADING_LEVEL[node.tag], normalize_space(node.text_content()), []))
            inside_heading += 1 if event == "start" else -1
        elif outline and not inside_heading:
            if event == "start" and node.text:
                outline[-1][2].append(node.text)
            if event == "end" and node.tag in _BLOCKS:
                outline[-1][2].append(" ")
        if outline and not inside_heading and event == "end" and node.tail and node is not scope:
            outline[-1][2].append(node.tail)
    return [(level, title, normalize_space("".join(body))) for level, title, body in outline]


def html_faq(text: str) -> Pairs:
    """An HTML FAQ whose questions are heading elements, see `html_outline` and `faq_entries`."""
    return faq_entries(html_outline(text))


def nano_faq(text: str) -> Pairs:
    """The nano FAQ (HTML): questions are h3 headings numbered "N.M."; the h3 headings numbered
    "N." are the table of contents and are left out."""
    outline = [s for s in html_outline(text) if s[0] != 3 or re.match(r"\d+\.\d+", s[1])]
    return faq_entries(outline)
