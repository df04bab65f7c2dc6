"""Read FAQ entries and documentation sections from Debian's documentation packages.

The sources are listed in `mlrlib.data.faqs` (one `FaqSource` per package: where its FAQ and other
documentation are, their parsers, the licence). A FAQ entry is (question, answer); a doc section
is (heading, body), a distractor. Both are plain text.

Never listed, read or parsed: the zsh and git FAQs (kept for an external check of this project),
the sendmail FAQ (its licence forbids modification), machine translations and duplicate copies.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache

from mlrlib.data.faqs import ALL_SOURCES
from mlrlib.data.faqs.source import FaqSource, is_question, read_text
from mlrlib.data.retrieval_data import DataError

APT_PACKAGES = tuple(dict.fromkeys(s.package for s in ALL_SOURCES))
APT_LINE = "apt-get update && apt-get install -y --no-install-recommends " + " ".join(APT_PACKAGES)


class MissingDocs(DataError):
    """A documentation package the benchmark needs is not installed; the message has the apt-get line."""


@dataclass(frozen=True)
class Entry:
    """A FAQ question with its answer, or a doc section with its heading."""
    source: str  # the source's short name: python | perl | debian | vim | ...
    doc: str  # file the entry comes from, relative to the source's root, e.g. "faq/programming.rst.txt"
    title: str
    body: str


def locate_docs(sources: tuple[FaqSource, ...] = ALL_SOURCES) -> tuple[FaqSource, ...]:
    """The sources, once each one's FAQ files are found; else fail with the apt-get line to run."""
    missing = [s.package for s in sources if not s.files(s.faq_files)]
    if missing:
        raise MissingDocs(f"The offline benchmark is built from Debian documentation packages; "
                          f"missing: {', '.join(dict.fromkeys(missing))}. Install them with:\n    {APT_LINE}")
    return sources


MIN_ANSWER_WORDS = 5  # shorter answers are cross-references ("See 3C.4 above.") or placeholders


@lru_cache(maxsize=4)
def faq_entries(sources: tuple[FaqSource, ...]) -> tuple[Entry, ...]:
    """Every FAQ entry whose heading is a question (`is_question`) and whose answer has at least
    `MIN_ANSWER_WORDS` words."""
    return tuple(e for s in sources for e in _read(s, s.faq_files, s.parse_faq)
                 if is_question(e.title) and len(e.body.split()) >= MIN_ANSWER_WORDS)


@lru_cache(maxsize=4)
def doc_sections(sources: tuple[FaqSource, ...]) -> tuple[Entry, ...]:
    """Every non-empty section of the sources' other documentation (parsed once per process: the
    files do not change while it runs)."""
    return tuple(e for s in sources if s.parse_doc for e in _read(s, s.doc_files, s.parse_doc) if e.body)


def _read(source: FaqSource, patterns, parse) -> list[Entry]:
    return [Entry(source.name, source.relative(path), title, body)
            for path in source.files(patterns) for title, body in parse(read_text(path))]


@lru_cache(maxsize=None)
def package_version(package: str) -> str:
    """The installed version (dpkg-query), or "unknown" off Debian."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"
