"""The first three sources: the Python FAQ (reStructuredText), perlfaq1-9 (POD) and the Debian FAQ (text).

- python3-doc: `faq/*.rst.txt` under the html `_sources`; one section per question, its answer the
  section's body with its subsections. Distractors: every other rst page but the changelog.
- perl-doc: perlfaq1-9, one `=head2` per question. Distractors: every other pod page but perltoc
  (which only lists headings).
- debian-faq: questions are `N.M.` numbered lines at column 0 (possibly wrapped), answers indented.
"""
from __future__ import annotations

import re

from mlrlib.data.faqs.source import FaqSource, Pairs
from mlrlib.data.textclean import clean_pod, clean_rst, normalize_space

# --- reStructuredText -------------------------------------------------------------

def is_adornment(line: str) -> bool:
    """An rst section adornment: 3 or more of one punctuation character."""
    s = line.rstrip()
    return len(s) >= 3 and len(set(s)) == 1 and s[0] in "=-~^\"'`#*+.:_"


def rst_sections(text: str) -> list[tuple[int, str, str]]:
    """(level, title, raw body) for each section; levels follow the order adornments appear."""
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    heads = []  # (line index of title, index after adornment, level, title)
    i = 0
    while i < len(lines) - 1:
        title, under = lines[i], lines[i + 1]
        over = i > 0 and is_adornment(lines[i - 1]) and lines[i - 1][0] == under[:1]
        if title.strip() and is_adornment(under) and len(under.rstrip()) >= len(title.rstrip()) \
                and not is_adornment(title):
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


def _with_subsections(sections, i) -> str:
    """Body of section i plus the bodies of its deeper subsections."""
    level, _, body = sections[i]
    parts = [body]
    for deeper_level, title, deeper_body in sections[i + 1:]:
        if deeper_level <= level:
            break
        parts += [title, deeper_body]
    return "\n".join(parts)


def python_faq(text: str) -> Pairs:
    sections = rst_sections(text)
    return [(clean_rst(title), clean_rst(_with_subsections(sections, i))) for i, (_, title, _) in enumerate(sections)]


def rst_doc(text: str) -> Pairs:
    return [(clean_rst(title), clean_rst(body)) for _, title, body in rst_sections(text)]


# --- POD ------------------------------------------------------------------------------

_POD_HEAD = re.compile(r"^=head([1-4])\s+(.*)$")


def pod_sections(text: str) -> list[tuple[int, str, str]]:
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


def perl_faq(text: str) -> Pairs:
    return [(clean_pod(title), clean_pod(body)) for level, title, body in pod_sections(text) if level == 2]


def pod_doc(text: str) -> Pairs:
    return [(clean_pod(title), clean_pod(body)) for _, title, body in pod_sections(text)]


# --- Debian FAQ (plain text) ------------------------------------------------------------

_DEB_QUESTION = re.compile(r"^\d+\.\d+\.\s\S")  # the text uses a no-break space
_DEB_CHAPTER = re.compile(r"^(Chapter \d+\.|Appendix [A-Z]\.)")


def debian_faq(text: str) -> Pairs:
    """Questions are numbered `N.M.` headings at column 0 (possibly wrapped); answers are indented."""
    lines = text.splitlines()
    pairs, i = [], 0
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
        pairs.append((normalize_space(" ".join(title)).split(None, 1)[1], normalize_space("\n".join(body))))
    return pairs


SOURCES = [
    FaqSource("python", "python3-doc", "PSF-2.0", "/usr/share/doc/python3*/html/_sources",
              ("faq/*.rst.txt",), python_faq, ("**/*.rst.txt",), rst_doc,
              exclude=("faq/*", "whatsnew/changelog*")),
    FaqSource("perl", "perl-doc", "Artistic or GPL-1+", "/usr/share/perl/*/pod",
              tuple(f"perlfaq{n}.pod" for n in range(1, 10)), perl_faq, ("*.pod",), pod_doc,
              exclude=("perlfaq*.pod", "perltoc.pod")),
    FaqSource("debian", "debian-faq", "SPI permission notice (modified copies allowed)", "/usr/share/doc/debian/FAQ",
              ("debian-faq.en.txt.gz",), debian_faq),
]
