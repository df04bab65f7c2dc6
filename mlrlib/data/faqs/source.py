"""What one documentation package contributes to the benchmark: its FAQ and its other documentation.

A `FaqSource` names the package, where its files are (globs under one root folder), and two
parsers: one turns the text of a FAQ file into (question, answer) pairs, the other turns the text
of any other documentation file of the package into (heading, body) sections, the distractors.
Parsers take text, not paths, so their unit tests run on fixtures cut from the real files.
"""
from __future__ import annotations

import glob
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html

Pairs = list[tuple[str, str]]  # (question or heading, answer or body), both plain text


@dataclass(frozen=True)
class FaqSource:
    name: str                      # short id, used in query ids ("vim" -> "vim-0001")
    package: str                   # the Debian package that ships the files ("vim-doc")
    licence: str                   # the FAQ's licence, as the package's copyright file states it
    root: str                      # folder (a glob; the last match is used) all paths below are relative to
    faq_files: tuple[str, ...]     # globs of the FAQ file(s), relative to root
    parse_faq: Callable[[str], Pairs]  # text of one FAQ file -> (question, answer) pairs, in file order
    doc_files: tuple[str, ...] = ()    # globs of the package's other documentation (distractors)
    parse_doc: Callable[[str], Pairs] | None = None  # text of one doc file -> (heading, body) sections
    exclude: tuple[str, ...] = ()  # globs (relative to root) never read as documentation: translations, copies

    def root_path(self) -> Path | None:
        matches = sorted(glob.glob(self.root))
        return Path(matches[-1]) if matches else None

    def files(self, patterns: tuple[str, ...]) -> list[Path]:
        """The files under root matching `patterns`. For the FAQ's own patterns, every match; for any
        other (the documentation), the matches less `exclude` and less the FAQ files."""
        root = self.root_path()
        if root is None:
            return []
        faq = {p for pattern in self.faq_files for p in root.glob(pattern)}
        excluded = set() if patterns == self.faq_files else faq | {p for g in self.exclude for p in root.glob(g)}
        return sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file() and p not in excluded})

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root_path()))


_UTF8_HTML = lxml.html.HTMLParser(encoding="utf-8")


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """An HTML page's tree (None for an empty page). The text is already decoded (`read_text`), so
    the page's own charset declaration is not applied a second time."""
    return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_UTF8_HTML) if text.strip() else None


def read_text(path: Path) -> str:
    """A documentation file's text: gunzipped when it ends in .gz; UTF-8, else Latin-1."""
    raw = gzip.open(path, "rb").read() if path.suffix == ".gz" else path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_ASKING = ("how", "what", "why", "where", "when", "which", "who", "whom", "whose", "can", "could", "is", "are",
           "was", "were", "do", "does", "did", "should", "shall", "will", "would", "may", "might", "must", "has",
           "have", "am", "isn't", "doesn't", "don't", "can't", "won't", "aren't")


def is_question(heading: str) -> bool:
    """The benchmark's rule for which FAQ headings are queries: a question as written, i.e. ending
    in '?' or opening with an interrogative or auxiliary word ("How to use X with Y" is one,
    "Using X with Y" is not)."""
    words = heading.split()
    return bool(words) and (heading.rstrip().endswith("?") or words[0].lower().strip(",:") in _ASKING)
