"""Read FAQ entries and documentation sections from Debian's documentation packages.

Sources (installed by `apt-get install python3-doc perl-doc debian-faq`):
- python3-doc: the Python FAQ (`faq/*.rst.txt`) and the rest of the docs' rst sources;
- perl-doc: perlfaq1-9 (`=head2` questions) and the other pod pages;
- debian-faq: the Debian FAQ as plain text (`N.M.` numbered questions).

A FAQ entry is (question, answer); a doc section is (heading, body). Both are plain text.
"""
from __future__ import annotations

import glob
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from mlrlib.data.textclean import clean_pod, clean_rst, normalize_space

APT_LINE = "apt-get update && apt-get install -y python3-doc perl-doc debian-faq"
PYTHON_SOURCES = "/usr/share/doc/python3*/html/_sources"
PERL_PODS = "/usr/share/perl/*/pod"
DEBIAN_FAQ_TXT = "/usr/share/doc/debian/FAQ/debian-faq.en.txt.gz"


class MissingDocs(RuntimeError):
    pass


@dataclass(frozen=True)
class Entry:
    """A FAQ question with its answer, or a doc section with its heading."""
    source: str  # python | perl | debian
    doc: str  # file the entry comes from, e.g. "faq/programming"
    title: str
    body: str


@dataclass(frozen=True)
class DocsLocation:
    python_sources: Path
    perl_pods: Path
    debian_faq: Path


def locate_docs() -> DocsLocation:
    """Find the three packages' files, or fail with the apt-get line that installs them."""
    python = sorted(glob.glob(PYTHON_SOURCES))
    perl = sorted(glob.glob(PERL_PODS))
    debian = Path(DEBIAN_FAQ_TXT)
    missing = [name for name, ok in (("python3-doc", python and glob.glob(f"{python[-1]}/faq/*.rst.txt")),
                                     ("perl-doc", perl and glob.glob(f"{perl[-1]}/perlfaq1.pod")),
                                     ("debian-faq", debian.exists())) if not ok]
    if missing:
        raise MissingDocs(f"The offline benchmark is built from Debian documentation packages; "
                          f"missing: {', '.join(missing)}. Install them with:\n    {APT_LINE}")
    return DocsLocation(Path(python[-1]), Path(perl[-1]), debian)


# --- reStructuredText -------------------------------------------------------------

def _rst_sections(text: str) -> list[tuple[int, str, str]]:
    """(level, title, raw body) for each section; levels follow the order adornments appear."""
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    heads = []  # (line index of title, index after adornment, level, title)
    i = 0
    while i < len(lines) - 1:
        title, under = lines[i], lines[i + 1]
        over = i > 0 and _is_adornment(lines[i - 1]) and lines[i - 1][0] == under[:1]
        if title.strip() and _is_adornment(under) and len(under.rstrip()) >= len(title.rstrip()) \
                and not _is_adornment(title):
            style = (under[0], bool(over))
            if style not in styles:
                styles.append(style)
            heads.append((i - 1 if over else i, i + 2, styles.index(style), title.strip()))
            i += 2
            continue
        i += 1
    sections = []
    for k, (_, body_start, level, title) in enumerate(heads):
        body_end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        sections.append((level, title, "\n".join(lines[body_start:body_end])))
    return sections


def _is_adornment(line: str) -> bool:
    s = line.rstrip()
    return len(s) >= 3 and len(set(s)) == 1 and s[0] in "=-~^\"'`#*+.:_"


def _with_subsections(sections, i) -> str:
    """Body of section i plus the bodies of its deeper subsections."""
    level, _, body = sections[i]
    parts = [body]
    for deeper_level, title, deeper_body in sections[i + 1:]:
        if deeper_level <= level:
            break
        parts += [title, deeper_body]
    return "\n".join(parts)


def python_faq(loc: DocsLocation) -> list[Entry]:
    entries = []
    for path in sorted(loc.python_sources.glob("faq/*.rst.txt")):
        sections = _rst_sections(path.read_text(encoding="utf-8"))
        for i, (_, title, _) in enumerate(sections):
            if title.endswith("?"):
                body = clean_rst(_with_subsections(sections, i))
                entries.append(Entry("python", f"faq/{path.name[:-8]}", clean_rst(title), body))
    return entries


def python_sections(loc: DocsLocation) -> list[Entry]:
    """Every section of the Python docs outside the FAQ (and outside the changelogs)."""
    entries = []
    for path in sorted(loc.python_sources.rglob("*.rst.txt")):
        rel = str(path.relative_to(loc.python_sources))[:-8]
        if rel.startswith(("faq/", "whatsnew/changelog")):
            continue
        for _, title, body in _rst_sections(path.read_text(encoding="utf-8")):
            entries.append(Entry("python", rel, clean_rst(title), clean_rst(body)))
    return entries


# --- POD ------------------------------------------------------------------------------

_POD_HEAD = re.compile(r"^=head([1-4])\s+(.*)$")


def _pod_sections(text: str) -> list[tuple[int, str, str]]:
    sections, current = [], None
    for line in text.splitlines():
        m = _POD_HEAD.match(line)
        if m:
            if current:
                sections.append((current[0], current[1], "\n".join(current[2])))
            current = (int(m.group(1)), m.group(2).strip(), [])
        elif current is not None:
            current[2].append(line)
    if current:
        sections.append((current[0], current[1], "\n".join(current[2])))
    return sections


def perl_faq(loc: DocsLocation) -> list[Entry]:
    entries = []
    for n in range(1, 10):
        path = loc.perl_pods / f"perlfaq{n}.pod"
        for level, title, body in _pod_sections(path.read_text(encoding="utf-8", errors="replace")):
            if level == 2:
                entries.append(Entry("perl", f"perlfaq{n}", clean_pod(title), clean_pod(body)))
    return entries


def perl_sections(loc: DocsLocation) -> list[Entry]:
    """Every section of the Perl pod pages except the FAQ."""
    entries = []
    for path in sorted(loc.perl_pods.glob("*.pod")):
        if path.stem.startswith("perlfaq") or path.stem == "perltoc":  # perltoc only lists headings
            continue
        for _, title, body in _pod_sections(path.read_text(encoding="utf-8", errors="replace")):
            entries.append(Entry("perl", path.stem, clean_pod(title), clean_pod(body)))
    return entries


# --- Debian FAQ (plain text) ------------------------------------------------------------

_DEB_QUESTION = re.compile(r"^\d+\.\d+\.\s\S")  # the text uses a no-break space
_DEB_CHAPTER = re.compile(r"^(Chapter \d+\.|Appendix [A-Z]\.)")


def debian_faq(loc: DocsLocation) -> list[Entry]:
    """Questions are numbered `N.M.` headings at column 0 (possibly wrapped); answers are indented."""
    lines = gzip.open(loc.debian_faq, "rt", encoding="utf-8").read().splitlines()
    entries, i = [], 0
    while i < len(lines):
        if not _DEB_QUESTION.match(lines[i]):
            i += 1
            continue
        title = [lines[i]]
        i += 1
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(" "):
            title.append(lines[i])
            i += 1
        body = []
        while i < len(lines) and not (_DEB_QUESTION.match(lines[i]) or _DEB_CHAPTER.match(lines[i])):
            body.append(lines[i])
            i += 1
        question = normalize_space(" ".join(title)).split(None, 1)[1]
        entries.append(Entry("debian", "debian-faq", question, normalize_space("\n".join(body))))
    return entries


def faq_entries(loc: DocsLocation) -> list[Entry]:
    """All FAQ entries of the three packages whose question is a question (ends with '?')."""
    entries = python_faq(loc) + perl_faq(loc) + debian_faq(loc)
    return [e for e in entries if e.title.endswith("?") and e.body]


def doc_sections(loc: DocsLocation) -> list[Entry]:
    return [e for e in python_sections(loc) + perl_sections(loc) if e.body]
