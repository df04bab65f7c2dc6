"""Turn reStructuredText and POD into plain text, and cut text into passages."""
from __future__ import annotations

import math
import re

_RST_ROLE = re.compile(r":[\w:+-]+:`([^`<]*?)(?:\s*<[^`]*>)?`")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^`]*>`_{1,2}")
_RST_LITERAL = re.compile(r"``([^`]+)``")
_RST_REF = re.compile(r"`([^`]+)`_{0,2}")
_RST_EMPH = re.compile(r"\*{1,2}([^*\n]+)\*{1,2}")
_POD_CODE_NESTED = re.compile(r"[A-Z]<{2,}\s+(.*?)\s+>{2,}", re.S)
_POD_CODE = re.compile(r"[A-Z]<([^<>]*)>")


def clean_rst(text: str) -> str:
    """Plain text from rst: directives and labels dropped, roles and links reduced to their text."""
    kept = []
    skipping_options = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(".. "):
            # `.. directive::` keeps its indented content (code, notes), `.. _label:` goes.
            skipping_options = "::" in stripped
            continue
        if skipping_options and re.match(r"^\s+:[\w-]+:", line):
            continue
        skipping_options = False
        kept.append(line)
    out = "\n".join(kept)
    for pattern in (_RST_ROLE, _RST_LINK, _RST_LITERAL, _RST_REF, _RST_EMPH):
        out = pattern.sub(r"\1", out)
    return normalize_space(out)


def _pod_code(match: re.Match) -> str:
    inner = match.group(1)
    if match.group(0).startswith("L"):
        inner = inner.split("|", 1)[0]  # L<text|target> shows `text`
    return inner


def clean_pod(text: str) -> str:
    """Plain text from POD: commands dropped (=item keeps its text), formatting codes unwrapped."""
    kept = []
    in_block = False
    for line in text.splitlines():
        if line.startswith("=begin") or line.startswith("=for"):
            in_block = line.startswith("=begin")
            continue
        if line.startswith("=end"):
            in_block = False
            continue
        if in_block:
            continue
        if line.startswith("=item"):
            kept.append(line[len("=item"):].strip())
        elif not line.startswith("="):
            kept.append(line)
    out = "\n".join(kept)
    out = _POD_CODE_NESTED.sub(_pod_code, out)
    while _POD_CODE.search(out):
        out = _POD_CODE.sub(_pod_code, out)
    return normalize_space(out)


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalize_key(text: str) -> str:
    """A key for near-exact duplicate detection: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def chunk_words(text: str, max_words: int) -> list[str]:
    """Cut `text` into ceil(n / max_words) passages of nearly equal length (all <= max_words)."""
    words = text.split()
    if not words:
        return []
    n_chunks = math.ceil(len(words) / max_words)
    size = math.ceil(len(words) / n_chunks)
    return [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
