"""Outlines of reStructuredText files (Sphinx and docutils sources) and the rst FAQ and doc parsers."""
from __future__ import annotations

import re

from mlrlib.data.faqs.core_faqs import is_adornment
from mlrlib.data.faqs.outline import Outline, doc_sections, faq_entries
from mlrlib.data.faqs.source import Pairs
from mlrlib.data.textclean import clean_rst

_RST_BARE_REF = re.compile(r"\b([A-Za-z][\w-]*[A-Za-z0-9])__?(?=[\s.,;:)]|$)")


def _is_title(line: str) -> bool:
    return bool(line.strip()) and not is_adornment(line)


def rst_outline(text: str) -> Outline:
    """Sections of an rst file: a title is a line (at column 0 unless overlined) underlined, or over-
    and underlined, with one repeated punctuation character; levels follow the order in which the
    adornment styles first appear. Titles and texts are cleaned with `clean_rst`, bare references
    ("Docutils_") lose their underscores and anonymous link targets ("__ URL") are dropped."""
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    heads = []  # (first line, first body line, level, title)
    i = 0
    while i < len(lines) - 1:
        line, below = lines[i], lines[i + 1]
        if is_adornment(line) and i + 2 < len(lines) and _is_title(below) \
                and lines[i + 2].rstrip() == line.rstrip():
            style, title, end = (line[0], True), below, i + 3
        elif _is_title(line) and not line[0].isspace() and is_adornment(below) \
                and len(below.rstrip()) >= min(len(line.rstrip()), 4):
            style, title, end = (below[0], False), line, i + 2
        else:
            i += 1
            continue
        if style not in styles:
            styles.append(style)
        heads.append((i, end, styles.index(style), title.strip()))
        i = end
    outline = []
    for k, (_, start, level, title) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        text = "\n".join(line for line in lines[start:stop] if not line.startswith("__ "))
        body = _RST_BARE_REF.sub(r"\1", clean_rst(text))
        title = _RST_BARE_REF.sub(r"\1", re.sub(r"\\(.)", r"\1", clean_rst(title)))
        outline.append((level, title, body))
    return outline


def rst_faq(text: str) -> Pairs:
    """An rst FAQ (Sphinx or docutils source): questions are section titles, see `faq_entries`."""
    return faq_entries(rst_outline(text))


def celery_faq(text: str) -> Pairs:
    """The Celery FAQ (rst, as `rst_faq`): most answers open with "*Answer:*", which is dropped."""
    return [(question, re.sub(r"^Answer:\s*", "", answer)) for question, answer in rst_faq(text)]


def rst_doc(text: str) -> Pairs:
    return doc_sections(rst_outline(text))
