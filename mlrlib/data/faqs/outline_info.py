"""Outlines of Info files (one section per node) and of Emacs outline-mode text, and their parsers."""
from __future__ import annotations

import re

from mlrlib.data.faqs.outline import Outline, doc_sections, faq_entries
from mlrlib.data.faqs.source import Pairs
from mlrlib.data.textclean import normalize_space

_INFO_TITLE = re.compile(r"^(.+)\n([*=\-.])\2+\n", re.M)
_INFO_XREF = re.compile(r"\*[Nn]ote\s+([^:]+?)::|\*[Nn]ote\s+([^:]+?):\s*[^.,]+[.,]")


def info_outline(text: str) -> Outline:
    """Nodes of an Info file: each node starts after a ^_ line with a "File: ..., Node: ..." line; its
    title is the first underlined line (level: the count of numbers in "5.24 Title", 0 for none) and
    its text runs to the node's menu or end; cross-references keep their node name."""
    outline = []
    for node in text.split("\x1f")[1:]:
        if not node.lstrip().startswith("File:"):
            continue
        match = _INFO_TITLE.search(node)
        if not match:
            continue
        title = match.group(1).strip()
        body = node[match.end():].split("\n* Menu:", 1)[0]
        body = _INFO_XREF.sub(lambda m: m.group(1) or m.group(2), body)
        number = re.match(r"(\d+(?:\.\d+)*)\s", title)
        outline.append((number.group(1).count(".") + 1 if number else 0, title, normalize_space(body)))
    return outline


def info_faq(text: str) -> Pairs:
    """An Info FAQ with one node per question ("5.24 How do I ...?"), see `faq_entries`."""
    return faq_entries(info_outline(text))


_ORG_HEADING = re.compile(r"^(\*+)\s+(\S.*)$")


def org_outline(text: str) -> Outline:
    """Sections of an Emacs outline file (etc/PROBLEMS, etc/NEWS): "*", "**", ... headings."""
    outline: list[tuple[int, str, list[str]]] = []
    for line in text.splitlines():
        match = _ORG_HEADING.match(line)
        if match:
            outline.append((len(match.group(1)), match.group(2), []))
        elif outline:
            outline[-1][2].append(line)
    return [(level, title, normalize_space("\n".join(body))) for level, title, body in outline]


def emacs_doc(text: str) -> Pairs:
    """Emacs documentation: Info nodes, or the headings of an outline-mode text file."""
    return doc_sections(info_outline(text) if "\x1fFile:" in text or "\x1f\nFile:" in text else org_outline(text))
