"""The outline rule that picks FAQ entries out of any format.

A parser for each format (`outline_rst`, `outline_html`, `outline_info`, `outline_text`) first cuts a FAQ file into
an outline, a list of (level, heading, own text) sections in file order. `faq_entries` then picks the entries out of
the outline with one rule for all formats:

- the question level is the heading level holding the most questions (`is_question`);
- an entry is a section at that level, or a section at any level whose heading is a question;
- its answer is its own text plus the headings and text of its subsections that are not entries.

`doc_sections` turns an outline of other documentation into (heading, own text) sections.
"""
from __future__ import annotations

import re
from collections import Counter

from mlrlib.data.faqs.source import Pairs, is_question
from mlrlib.data.textclean import normalize_space

Outline = list[tuple[int, str, str]]  # (level, heading, the section's own text), in file order

_NUMBER = re.compile(r"^(?:Q\s*\d*\s*[:.)]|\d+(?:\.\d+)*\.?(?:\s+-)?|[A-Z](?:\.\d+)+\.?)\s+")


def strip_number(heading: str) -> str:
    """A heading without its numbering prefix ("1.5.", "2.1", "Q:", "3 -") or zero-width spaces."""
    return _NUMBER.sub("", normalize_space(heading.replace("\u200b", "")), count=1)


def faq_entries(outline: Outline) -> Pairs:
    """(question, answer) pairs out of an outline, by the rule in the module docstring."""
    outline = [(level, strip_number(title), body) for level, title, body in outline]
    levels = Counter(level for level, title, _ in outline if is_question(title))
    if not levels:
        return []
    top = max(levels.values())
    question_level = min(level for level, n in levels.items() if n == top)
    is_entry = [level == question_level or is_question(title) for level, title, _ in outline]
    entries = []
    for i, (level, title, body) in enumerate(outline):
        if is_entry[i]:
            answer = normalize_space(" ".join([body] + _folded(outline, is_entry, i)))
            if answer and not _lists_entries(answer, outline, is_entry, i):
                entries.append((title, answer))
    return entries


def _lists_entries(answer: str, outline: Outline, is_entry: list[bool], i: int) -> bool:
    """Whether section i's answer is no more than a list of the entries under it (a local table of contents)."""
    below = [title for j, (_, title, _) in enumerate(outline[i + 1:_subtree_end(outline, i)], i + 1) if is_entry[j]]
    for title in sorted(below, key=len, reverse=True):
        answer = answer.replace(title, " ")
    return bool(below) and len(answer.split()) < 3


def _folded(outline: Outline, is_entry: list[bool], i: int) -> list[str]:
    """Headings and texts of section i's subsections, less those of the entries among them."""
    parts, j, level = [], i + 1, outline[i][0]
    while j < len(outline) and outline[j][0] > level:
        if is_entry[j]:
            j = _subtree_end(outline, j)
            continue
        parts += [outline[j][1], outline[j][2]]
        j += 1
    return parts


def _subtree_end(outline: Outline, j: int) -> int:
    k = j + 1
    while k < len(outline) and outline[k][0] > outline[j][0]:
        k += 1
    return k


def doc_sections(outline: Outline) -> Pairs:
    """(heading, text) of the outline's sections that have text, less tables of contents."""
    return [(normalize_space(title), normalize_space(body)) for _, title, body in outline
            if body.strip() and not re.fullmatch(r"(table of )?contents", title.strip(), re.I)]
