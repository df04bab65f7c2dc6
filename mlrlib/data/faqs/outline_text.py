"""Outlines of plain-text and Markdown files and the parsers of the FAQs written in them: numbered headings
(chrony, mc, slrn, Window Maker), indentation (rxvt-unicode), bold Markdown items (cryptsetup), and underlined or
"#" headings for any other text (`text_outline`)."""
from __future__ import annotations

import re

from mlrlib.data.faqs.outline import Outline, faq_entries
from mlrlib.data.faqs.source import Pairs
from mlrlib.data.textclean import normalize_space

# --- Markdown (cryptsetup) -----------------------------------------------------------

_MD_ITEM = re.compile(r"^\s*\*\s+\*\*(\d+\.\d+)\s+(.*?)\*\*(.*)$")
_MD_SECTION = re.compile(r"^#\s+(.*)$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def cryptsetup_faq(text: str) -> Pairs:
    """The cryptsetup FAQ (Markdown): chapters are "# N. Title" lines, questions are bullet items in
    bold, "* **N.M Question**" (a "?" may follow the closing "**"), answers the lines up to the next
    item or chapter."""
    outline: list[tuple[int, str, list[str]]] = []
    for line in text.splitlines():
        item, section = _MD_ITEM.match(line), _MD_SECTION.match(line)
        if item:
            outline.append((2, item.group(2) + item.group(3).strip(), []))
        elif section:
            outline.append((1, section.group(1), []))
        elif outline:
            outline[-1][2].append(_MD_LINK.sub(r"\1", line).replace("```", ""))
    return faq_entries([(level, title, normalize_space("\n".join(body))) for level, title, body in outline])


# --- plain text ----------------------------------------------------------------------

def _follows(previous: tuple[int, ...], number: tuple[int, ...]) -> bool:
    """Whether heading `number` can come after heading `previous` ("2.3" after "2.2", "3" or "3.1"
    after "2.9", "2.1" after "2"), allowing a gap of up to two numbers at each level."""
    if not previous:
        return all(n <= 3 for n in number)
    for depth in range(len(previous)):
        if number[:depth] == previous[:depth] and len(number) > depth \
                and 0 < number[depth] - previous[depth] <= 3 and all(n <= 3 for n in number[depth + 1:]):
            return True
    return len(number) > len(previous) and number[:len(previous)] == previous \
        and all(n <= 3 for n in number[len(previous):])


def numbered_outline(text: str, heading: re.Pattern, underlined: bool = False) -> Outline:
    """Sections of a text file with numbered headings: `heading` matches a heading's first line (groups:
    the number "2.1", the title); the title goes on to the next blank line (or, when `underlined`, to a
    line of dashes); a match counts only if its number can follow the previous heading's (`_follows`),
    so that a numbered line inside an answer is not taken for a heading. Level: count of numbers."""
    lines = text.splitlines()
    outline: list[tuple[int, str, list[str]]] = []
    previous: tuple[int, ...] = ()
    i = 0
    while i < len(lines):
        match = heading.match(lines[i])
        number = tuple(int(n) for n in match.group(1).split(".") if n) if match else ()
        if not match or not _follows(previous, number):
            if outline:
                outline[-1][2].append(lines[i])
            i += 1
            continue
        title, i = match.group(2).strip(), i + 1
        while i < len(lines) and lines[i].strip() and not (underlined and re.match(r"^-{3,}\s*$", lines[i])):
            title = _join_wrapped(title, lines[i].strip())
            i += 1
        if underlined:
            i += 1
        outline.append((len(number), normalize_space(title), []))
        previous = number
    return [(level, title, normalize_space("\n".join(body))) for level, title, body in outline]


def _join_wrapped(line: str, more: str) -> str:
    """Two lines of a wrapped title joined, undoing a hyphenation ("expres-" + "sions")."""
    if re.search(r"[a-z]-$", line) and more[:1].islower():
        return line[:-1] + more
    return f"{line} {more}"


_CHRONY_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.\s+(\S.*)$")
_MC_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\s+(\S.*)$")
_SLRN_HEADING = re.compile(r"^  (\d+(?:\.\d+)*)\.  (\S.*)$")
_WMAKER_HEADING = re.compile(r"^(\d+\.\d+)\.?\s+(\S.*)$")
_WMAKER_CHAPTER = re.compile(r"^(?:-=)+-?\s*\n[^\n]*\n(?:-=)+-?\s*$", re.M)


def chrony_faq(text: str) -> Pairs:
    """The chrony FAQ (text from asciidoc): "N." chapters and "N.M." questions at column 0, the title
    wrapped up to a blank line; the table of contents above is indented and so left out."""
    return faq_entries(numbered_outline(text, _CHRONY_HEADING))


def mc_faq(text: str) -> Pairs:
    """The Midnight Commander FAQ (text): "N" chapters and "N.M" questions at column 0 (wrapped lines
    indented), answers indented; the table of contents above is indented and so left out."""
    return faq_entries(numbered_outline(text, _MC_HEADING))


def slrn_faq(text: str) -> Pairs:
    """The slrn FAQ (linuxdoc text): headings "  N.M.  Title" (two spaces on both sides of the number,
    which the table of contents does not have), nested to "N.M.K."."""
    return faq_entries(numbered_outline(text, _SLRN_HEADING))


def wmaker_faq(text: str) -> Pairs:
    """The Window Maker FAQ (text): questions "N.M Title" at column 0, maybe wrapped, underlined with
    dashes; chapters are "-=-=-" banners, dropped; the indented summary of contents is left out."""
    return faq_entries(numbered_outline(_WMAKER_CHAPTER.sub("", text), _WMAKER_HEADING, underlined=True))


def urxvt_faq(text: str) -> Pairs:
    """The rxvt-unicode FAQ (pod2text): chapters are indented 2 spaces, questions 3 (a long one wraps
    on to lines at column 0), answers 4 or more."""
    outline: list[tuple[int, str, list[str]]] = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent in (2, 3):
            outline.append((indent - 1, line.strip(), []))
        elif line.strip() and indent == 0 and outline and outline[-1][0] == 2 and not outline[-1][2]:
            outline[-1] = (2, f"{outline[-1][1]} {line.strip()}", [])
        elif outline:
            outline[-1][2].append(line)
    return faq_entries([(level, title, normalize_space("\n".join(body))) for level, title, body in outline])


_SETEXT = re.compile(r"^[=\-~^*]{3,}\s*$")
_ATX = re.compile(r"^#{1,6}\s+(\S.*?)\s*#*\s*$")


def text_outline(text: str) -> Outline:
    """Sections of a plain-text or Markdown document: a heading is a line underlined with =, -, ~, ^
    or * or a "#" Markdown heading (text above the first heading is left out); a file without headings
    is cut into groups of paragraphs of about 200 words, each headed by its first line."""
    lines = text.splitlines()
    outline: list[tuple[int, str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        atx = _ATX.match(line)
        if atx:
            outline.append((1, atx.group(1), []))
        elif line.strip() and i + 1 < len(lines) and _SETEXT.match(lines[i + 1]) and not _SETEXT.match(line):
            outline.append((1, line.strip(), []))
            i += 1
        elif outline:
            outline[-1][2].append(line)
        i += 1
    if not outline:
        return _paragraph_groups(text)
    return [(level, title, normalize_space("\n".join(body))) for level, title, body in outline]


def _paragraph_groups(text: str, words: int = 200) -> Outline:
    groups: list[list[str]] = [[]]
    for paragraph in re.split(r"\n\s*\n", text):
        if paragraph.strip():
            if sum(len(p.split()) for p in groups[-1]) >= words:
                groups.append([])
            groups[-1].append(paragraph)
    return [(1, normalize_space(group[0].strip().splitlines()[0])[:80], normalize_space("\n".join(group)))
            for group in groups if group]
