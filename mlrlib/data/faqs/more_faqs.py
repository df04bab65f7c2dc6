"""FAQs in Info, Markdown, reStructuredText, HTML and plain text from a mix of Debian packages.

Each FAQ file is first cut into an outline, a list of (level, heading, own text) sections in file order,
by a parser for its format (Info nodes, rst adornments, HTML heading elements, numbered text headings).
`faq_entries` then picks the entries out of the outline with one rule for all formats:

- the question level is the heading level holding the most questions (`is_question`);
- an entry is a section at that level, or a section at any level whose heading is a question;
- its answer is its own text plus the headings and text of its subsections that are not entries.

Doc parsers turn the packages' other documentation into (heading, own text) sections.
"""
from __future__ import annotations

import re
from collections import Counter

import lxml.etree
import lxml.html

from mlrlib.data.faqs.core_faqs import is_adornment
from mlrlib.data.faqs.source import FaqSource, Pairs, is_question, parse_html
from mlrlib.data.textclean import clean_rst, normalize_space

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


# --- reStructuredText ------------------------------------------------------------------

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


# --- HTML ----------------------------------------------------------------------------

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


# --- Info ----------------------------------------------------------------------------

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


def plain_doc(text: str) -> Pairs:
    """Any documentation file: HTML pages by heading, Info files by node, other text by `text_outline`."""
    head = text[:1000].lower()
    if "<html" in head or "<!doctype" in head:
        return doc_sections(html_outline(text))
    if "\x1fFile:" in text or "\x1f\nFile:" in text:
        return doc_sections(info_outline(text))
    return doc_sections(text_outline(text))


# --- the sources ---------------------------------------------------------------------

EMACS = FaqSource(
    name="emacs", package="emacs-common", licence="efaq.texi license (free redistribution)",
    root="/usr/share", faq_files=("info/emacs/efaq.info.gz",), parse_faq=info_faq,
    doc_files=("info/emacs/transient.info.gz", "emacs/*/etc/PROBLEMS", "emacs/*/etc/NEWS"), parse_doc=emacs_doc)

CRYPTSETUP = FaqSource(
    name="cryptsetup", package="cryptsetup", licence="CC-BY-SA-3.0",
    root="/usr/share/doc/cryptsetup", faq_files=("FAQ.md.gz",), parse_faq=cryptsetup_faq,
    doc_files=("README.Debian.gz", "README.md.gz", "README.debug", "README.gnupg*", "README.keyctl",
               "README.opensc.gz", "Keyring.txt", "LUKS2-locking.txt", "v*-ReleaseNotes*"),
    parse_doc=plain_doc)

BORG = FaqSource(
    name="borg", package="borgbackup-doc", licence="BSD-3-clause",
    root="/usr/share/doc/borgbackup/html/_sources", faq_files=("faq.rst.txt",), parse_faq=rst_faq,
    doc_files=("*.rst.txt", "deployment/*.rst.txt", "usage/*.rst.txt", "internals/*.rst.txt"), parse_doc=rst_doc,
    exclude=("changes.rst.txt",))

WEECHAT = FaqSource(
    name="weechat", package="weechat-doc", licence="GPL-3+",
    root="/usr/share/doc/weechat-doc/html", faq_files=("weechat_faq.en.html",), parse_faq=html_faq,
    doc_files=("weechat_user.en.html", "weechat_quickstart.en.html", "weechat_scripting.en.html"),
    parse_doc=plain_doc)

DJANGO = FaqSource(
    name="django", package="python-django-doc", licence="BSD-3-Clause",
    root="/usr/share/doc/python-django-doc/html", parse_faq=html_faq, faq_files=tuple(f"faq/{name}.html" for name in (
        "general", "install", "usage", "help", "models", "admin", "contributing", "troubleshooting")),
    doc_files=("topics/*.html", "topics/*/*.html", "howto/*.html", "intro/*.html"), parse_doc=plain_doc,
    exclude=("*/index.html", "*/*/index.html"))

SQLALCHEMY = FaqSource(
    name="sqlalchemy", package="python-sqlalchemy-doc", licence="Expat",
    root="/usr/share/doc/python-sqlalchemy-doc/rst", faq_files=tuple(f"faq/{name}.rst" for name in (
        "installation", "connections", "metadata_schema", "sqlexpressions", "ormconfiguration", "performance",
        "sessions", "thirdparty")), parse_faq=rst_faq,
    doc_files=("core/*.rst", "orm/*.rst", "orm/*/*.rst", "tutorial/*.rst", "dialects/*.rst", "*.rst"),
    parse_doc=rst_doc, exclude=("contents.rst", "copyright.rst"))

CELERY = FaqSource(
    name="celery", package="python-celery-doc", licence="CC-BY-SA-4",
    root="/usr/share/doc/python-celery-doc/html/_sources", faq_files=("faq.rst.txt",), parse_faq=celery_faq,
    doc_files=("userguide/**/*.rst.txt", "getting-started/**/*.rst.txt", "tutorials/*.rst.txt",
               "django/*.rst.txt", "glossary.rst.txt", "contributing.rst.txt"), parse_doc=rst_doc)

LXML = FaqSource(
    name="lxml", package="python-lxml-doc", licence="BSD-3-clause",
    root="/usr/share/doc/python-lxml/html", faq_files=("FAQ.html",), parse_faq=html_faq,
    doc_files=("*.html",), parse_doc=plain_doc,
    exclude=("changes-*.html", "sitemap.html", "index.html", "credits.html"))

DOCUTILS = FaqSource(
    name="docutils", package="docutils-doc", licence="public-domain",
    root="/usr/share/doc/docutils-doc", faq_files=("FAQ.txt",), parse_faq=rst_faq,
    doc_files=("docs/**/*.txt", "README.txt", "BUGS.txt", "RELEASE-NOTES.txt"), parse_doc=rst_doc,
    exclude=("FAQ.html",))

CHRONY = FaqSource(
    name="chrony", package="chrony", licence="GPL-2",
    root="/usr/share/doc/chrony", faq_files=("FAQ.gz",), parse_faq=chrony_faq,
    doc_files=("README.gz", "README.Debian"), parse_doc=plain_doc)

NANO = FaqSource(
    name="nano", package="nano", licence="GPL-3+",
    root="/usr/share/doc/nano", faq_files=("faq.html",), parse_faq=nano_faq,
    doc_files=("nano.html", "README.gz"), parse_doc=plain_doc)

GETMAIL = FaqSource(
    name="getmail", package="getmail6", licence="GPL-2",
    root="/usr/share/doc/getmail6", faq_files=("faq.html",), parse_faq=html_faq,
    doc_files=("configuration.html", "documentation.html", "troubleshooting.html"), parse_doc=plain_doc,
    exclude=("faq.txt.gz",))

MC = FaqSource(
    name="mc", package="mc-data", licence="GPL-3+",
    root="/usr/share/doc/mc-data", faq_files=("FAQ.gz",), parse_faq=mc_faq,
    doc_files=("README.gz",), parse_doc=plain_doc)

SLRN = FaqSource(
    name="slrn", package="slrn", licence="GPL-2+",
    root="/usr/share/doc/slrn", faq_files=("FAQ.gz",), parse_faq=slrn_faq,
    doc_files=("FIRST_STEPS.gz", "README", "README.Debian", "README.SSL", "README.macros.gz", "README.multiuser",
               "score.txt.gz"), parse_doc=plain_doc)

FFMPEG = FaqSource(
    name="ffmpeg", package="ffmpeg-doc", licence="GPL-3+",
    root="/usr/share/doc/ffmpeg/manual", faq_files=("faq.html", "mailing-list-faq.html"), parse_faq=html_faq,
    doc_files=("*.html",), parse_doc=plain_doc, exclude=("*-all.html", "index.html"))

URXVT = FaqSource(
    name="urxvt", package="rxvt-unicode", licence="GPL-2.0+",
    root="/usr/share/doc/rxvt-unicode", faq_files=("README.FAQ.gz",), parse_faq=urxvt_faq,
    doc_files=("README.configure.gz",), parse_doc=plain_doc)

WMAKER = FaqSource(
    name="wmaker", package="wmaker-common", licence="GPL-2+",
    root="/usr/share/doc/wmaker-common", faq_files=("FAQ.gz",), parse_faq=wmaker_faq,
    doc_files=("README.gz", "README.Icons", "README.WPrefs", "README.definable-cursor", "README.menu",
               "README.themes"), parse_doc=plain_doc)

XTERM = FaqSource(
    name="xterm", package="xterm", licence="MIT",
    root="/usr/share/doc/xterm", faq_files=("xterm.faq.html",), parse_faq=html_faq,
    doc_files=("ctlseqs.txt.gz", "README.i18n.gz", "README.Debian"), parse_doc=plain_doc,
    exclude=("xterm.faq.gz",))

SOURCES = [EMACS, CRYPTSETUP, BORG, WEECHAT, DJANGO, SQLALCHEMY, CELERY, LXML, DOCUTILS, CHRONY, NANO, GETMAIL,
           MC, SLRN, FFMPEG, URXVT, WMAKER, XTERM]
