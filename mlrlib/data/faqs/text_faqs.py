"""Five plain-text FAQs with numbered questions: Vim, lsof, CVS, R and curl.

- vim-doc: `FAQ.gz`, an INDEX of the questions, then `N.M.` questions at column 0 under
  `SECTION N` lines. Distractors: the user manual (`usr_*.html`, the help files rendered as HTML).
- lsof: `00FAQ.gz`, a table of contents, then `N.M[.K]` questions at column 0, their answers
  tab-indented. Distractors: `00QUICKSTART.gz` and the other small text files.
- cvs: `FAQ.gz`, the text dump of a FAQ-O-Matic: `    N. ` questions under `Category:` lines, each
  answer closed by a `Last modified:` line. Distractors: the manual and protocol as text, the notes.
- r-base-core: `FAQ`, makeinfo plain text: underlined `N.M[.K]` section headings. Distractors: NEWS
  and the other text files of `doc/` (the FAQ's HTML copy is not read).
- libcurl4-doc: `FAQ.gz`, a table of contents, then `N.M[.K]` questions between blank lines. Distractors:
  the other text and markdown documents (not THANKS, a list of names).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import lxml.html

from mlrlib.data.faqs.source import FaqSource, Pairs
from mlrlib.data.textclean import normalize_space

Head = tuple[int, int, str, str]  # (line of the heading, first line of its answer, number, question)

_RULE = re.compile(r"^={20,}\s*$")


# --- shared ---------------------------------------------------------------------------

def _wrapped_end(lines: list[str], i: int, continued: Callable[[str], bool]) -> int:
    """Index after the title starting at line i, which goes on over the lines where `continued` holds."""
    j = i + 1
    while j < len(lines) and continued(lines[j]):
        j += 1
    return j


def _heads(lines: list[str], start: int, heading: re.Pattern, continued: Callable[[str], bool]) -> list[Head]:
    """Headings from line `start`: `heading` matches the first line (groups: number, title text)."""
    heads, i = [], start
    while i < len(lines):
        m = heading.match(lines[i])
        if not m:
            i += 1
            continue
        end = _wrapped_end(lines, i, continued)
        heads.append((i, end, m.group(1), normalize_space(" ".join([m.group(2), *lines[i + 1:end]]))))
        i = end
    return heads


def _entries(lines: list[str], heads: list[Head], stops: list[int], nested: bool = False,
             clean: Callable[[str], str] = normalize_space) -> Pairs:
    """(question, answer) per heading. An answer runs to the next heading or stop line (sorted indices);
    with `nested`, headings numbered under it (4.5.1 under 4.5) are part of it."""
    pairs = []
    for k, (_, body_start, number, title) in enumerate(heads):
        later = [h[0] for h in heads[k + 1:] if not (nested and h[2].startswith(number + "."))]
        next_stop = stops[bisect.bisect_left(stops, body_start):][:1]
        end = min(later[:1] + next_stop + [len(lines)])
        answer = clean("\n".join(lines[body_start:end]))
        if answer:
            pairs.append((title, answer))
    return pairs


def _first(lines: list[str], pattern: re.Pattern, start: int = 0) -> int:
    return next((i for i in range(start, len(lines)) if pattern.match(lines[i])), len(lines))


def _matching(lines: list[str], pattern: re.Pattern) -> list[int]:
    return [i for i, line in enumerate(lines) if pattern.match(line)]


def _is_underline(line: str, char_set: str = "=*-~^#+") -> bool:
    s = line.strip()
    return len(s) >= 3 and len(set(s)) == 1 and s[0] in char_set


# --- the FAQs -------------------------------------------------------------------------

_VIM_QUESTION = re.compile(r"^(\d+\.\d+)\.\s+(\S.*)")
_VIM_STOP = re.compile(r"^(SECTION \d+ |={20,})")


def vim_faq(text: str) -> Pairs:
    """The INDEX runs to the first `====` rule; then questions are `N.M.` lines at column 0, wrapped
    over the following non-blank lines; an answer runs to the next question, `SECTION` line or rule."""
    lines = text.splitlines()
    heads = _heads(lines, _first(lines, _RULE), _VIM_QUESTION, str.strip)
    return _entries(lines, heads, _matching(lines, _VIM_STOP))


_LSOF_QUESTION = re.compile(r"^(\d+(?:\.\d+)+)[ \t]+(\S.*)")
_LSOF_TOC = re.compile(r"^Table of Contents")
_LSOF_TOC_END = re.compile(r"^_{20,}\s*$")


def lsof_faq(text: str) -> Pairs:
    """The table of contents runs from "Table of Contents:" to a `____` line; then questions are
    `N.M[.K]` lines at column 0 (a tab after the number), wrapped over the following non-blank lines;
    answers are tab-indented and run to the next numbered line. Group headings (`1.0 General Concepts`,
    `1.10 Language locale support`) have no text of their own and are left out as empty."""
    lines = text.splitlines()
    start = _first(lines, _LSOF_TOC_END, _first(lines, _LSOF_TOC))
    return _entries(lines, _heads(lines, start, _LSOF_QUESTION, str.strip), [])


_CVS_QUESTION = re.compile(r"^ {4}(\d+)\. (\S.*)")
_CVS_STOP = re.compile(r"^(\s*Last modified:|  Category:)")


def cvs_faq(text: str) -> Pairs:
    """Questions are `    N. ` lines (four spaces, numbered within their category), wrapped over the
    following non-blank lines; an answer runs to its `Last modified:` line (the entry's date, left
    out), the next question or the next `Category:` line."""
    lines = text.splitlines()
    return _entries(lines, _heads(lines, 0, _CVS_QUESTION, str.strip), _matching(lines, _CVS_STOP))


_R_SECTION = re.compile(r"^(\d+(?:\.\d+)+) (\S.*)")
_TEXINFO_NOTE = re.compile(r"\*[Nn]ote\s+([^:]+?)::")


def _clean_texinfo(text: str) -> str:
    kept = [line for line in text.splitlines() if not _is_underline(line, "=*-")]
    return normalize_space(_TEXINFO_NOTE.sub(r"\1", "\n".join(kept)))


def r_faq(text: str) -> Pairs:
    """makeinfo plain text: a heading is a line underlined with `*` (chapter), `=` (section) or `-`
    (subsection) of its length. Entries are the numbered sections and subsections (the contents list
    at the top is indented and not underlined); a section's answer takes in its subsections (2.5
    "How can R be installed?" is answered by 2.5.1-2.5.3) and stops at the next chapter."""
    lines = text.splitlines()
    heads = [(i, i + 2, m.group(1), normalize_space(m.group(2))) for i, m in enumerate(map(_R_SECTION.match, lines))
             if m and i + 1 < len(lines) and _is_underline(lines[i + 1], "=-")
             and len(lines[i + 1].rstrip()) == len(lines[i].rstrip())]
    chapters = [i for i in range(len(lines) - 1)
                if lines[i].strip() and _is_underline(lines[i + 1], "*") and not _is_underline(lines[i])]
    return _entries(lines, heads, chapters, nested=True, clean=_clean_texinfo)


_CURL_QUESTION = re.compile(r"^\s{1,4}(\d+\.\d+(?:\.\d+)*)\s+(\S.*)")
_CURL_CHAPTER = re.compile(r"^\d+\.\s+\S")


def curl_faq(text: str) -> Pairs:
    """The table of contents runs to the first `====` rule; then chapters are `N. Title` lines at
    column 0 and questions are indented `N.M[.K]` lines with a blank line before and after (a wrapped
    answer line may start with a number too). A question's answer takes in its subquestions (4.5 "Why
    do I get return code XXX" lists 4.5.1-4.5.6) and runs to the next question or chapter."""
    lines = text.splitlines()

    def blank(i: int) -> bool:
        return not 0 <= i < len(lines) or not lines[i].strip()

    start = _first(lines, _RULE)
    heads = [h for h in _heads(lines, start, _CURL_QUESTION, lambda _: False) if blank(h[0] - 1) and blank(h[0] + 1)]
    chapters = [i for i in _matching(lines, _CURL_CHAPTER) if i > start]
    return _entries(lines, heads, chapters, nested=True)


# --- the other documentation ------------------------------------------------------------

_VIM_TAG = re.compile(r"\*[^*\s|]+\*")
_VIM_LINK = re.compile(r"\|([^|\s]+)\|")
_VIM_BANNER = re.compile(r"For Vim version|VIM (USER|REFERENCE) MANUAL|\svim?:\w+=|^top - main help file$"
                         r"|^\s*(Next chapter|Previous chapter|Table of contents):")


def _help_text(text: str) -> str:
    """A help file's text; from vim-doc's HTML rendering, the text of its <pre> blocks."""
    if not text.lstrip().startswith("<"):
        return text
    root = lxml.html.document_fromstring(text)  # a str: its <meta> charset is not applied again
    return "\n".join(pre.text_content() for pre in root.iter("pre"))


def vim_help_doc(text: str) -> Pairs:
    """Vim help (`doc/*.txt`, or its HTML rendering in vim-doc): sections are the blocks between
    `====` rule lines. A block's heading is its first non-blank line without its *tags* (`*05.1*
    The vimrc file *vimrc-intro*`); the version line, the manual's banner and the modeline are
    dropped, so the first block is headed by the chapter title, and so are the chapter's navigation
    links (`Next chapter: |usr_06.txt|`). |links| keep their text."""
    pairs, block = [], []
    for line in _help_text(text).splitlines() + ["=" * 20]:
        if not _RULE.match(line):
            if not _VIM_BANNER.search(line):
                block.append(_VIM_LINK.sub(r"\1", _VIM_TAG.sub(" ", line)))
            continue
        rows = [row for row in block if row.strip()]
        if rows:
            heading, body = normalize_space(rows[0]), normalize_space("\n".join(rows[1:]))
            if body:
                pairs.append((heading, body))
        block = []
    return pairs


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)[\s#]*$")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]*\)")
_NUMBERED = re.compile(r"^\s{0,4}\d+(\.\d+)*\.?\s+[A-Za-z\"'(]")
_FENCE = re.compile(r"^\s*```")


def _heading(lines: list[str], i: int) -> tuple[str, int] | None:
    """(heading, lines it takes) when line i is a heading of a plain-text document, else None."""
    line, before = lines[i].strip(), (lines[i - 1].strip() if i else "")
    after = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if not line or _is_underline(line):
        return None
    if _is_underline(after) or (_is_underline(after, ".") and len(after) == len(line)):
        return line, 2
    if m := _MD_HEADING.match(lines[i]):
        return m.group(1), 1
    letters = re.sub(r"[^A-Za-z]", "", line)
    short = len(line) <= 100 and not before and not line.endswith((".", ","))
    if short and len(letters) >= 3 and letters.isupper() and len(line.split()) <= 10 and line[0].isalnum():
        return line, 1
    if short and not after and _NUMBERED.match(lines[i]):
        return line, 1
    return None


_TOC_LINE = re.compile(r"^\s*(Appendix [A-Z]|[A-Z](\.\d+)+|[A-Z]\.|\d+(\.\d+)*\.?)\s+\S")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _without_tocs(lines: list[str]) -> list[str]:
    """The lines, with tables of contents blanked: runs of 3 or more numbered lines in a row."""
    kept, run = list(lines), []
    for i, line in enumerate([*lines, ""]):
        if _TOC_LINE.match(line):
            run.append(i)
            continue
        if len(run) >= 3:
            for k in run:
                kept[k] = ""
        run = []
    return kept


def _indent(line: str) -> int:
    expanded = line.expandtabs()
    return len(expanded) - len(expanded.lstrip())


def _at_headings(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(heading, body lines) at each heading; the first has heading "" and holds the text before it."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    i, fenced = 0, False
    while i < len(lines):
        fenced ^= bool(_FENCE.match(lines[i]))
        found = None if fenced or _indent(lines[i]) > 4 else _heading(lines, i)
        if found:
            sections.append((found[0], []))
            i += found[1]
            continue
        sections[-1][1].append("" if _is_underline(lines[i]) else lines[i])
        i += 1
    return sections


def _titled_preamble(sections: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The text before the first heading, headed by its first line with a word (not an ASCII-art banner)."""
    preamble = sections[0][1]
    start = next((k for k, line in enumerate(preamble) if re.search(r"[A-Za-z]{3}", line)), None)
    head = [] if start is None else [(preamble[start], preamble[start + 1:])]
    return head + sections[1:]


def text_doc(text: str) -> Pairs:
    """A plain-text or markdown document cut at its headings (indented at most 4 columns; examples
    are indented more): a line underlined with `=`, `*`, `-`, `~` (makeinfo, setext) or with dots of
    its length (makeinfo's fourth level), a `#` heading at column 0 (outside ``` fences), an ALL-CAPS
    line after a blank line (`NEW FEATURES:`), or a numbered line between blank lines (` 1.5
    Expect-100 meets 417`). Dropped: tables of contents (3 or more numbered lines in a row, or a
    section of only numbered lines), rule lines, HTML comments, index menus (`* Menu:`) and sections
    of under 3 words. Markdown links and makeinfo's `*note X::` keep their text."""
    lines = _without_tocs(_HTML_COMMENT.sub("", text).splitlines())
    sections = [(h, b) for h, b in _titled_preamble(_at_headings(lines))
                if not all(_TOC_LINE.match(line) for line in b if line.strip())]
    pairs = [(normalize_space(h), normalize_space(_MD_LINK.sub(r"\1", _TEXINFO_NOTE.sub(r"\1", "\n".join(b)))))
             for h, b in sections]
    return [(h, b) for h, b in pairs if h and len(b.split()) >= 3 and not b.startswith("* Menu:")]


SOURCES = [
    FaqSource("vim", "vim-doc", "Vim", "/usr/share/doc/vim", ("FAQ.gz",), vim_faq,
              ("html/usr_*.html",), vim_help_doc, exclude=("html/usr_toc.html",)),
    FaqSource("lsof", "lsof", "Purdue", "/usr/share/doc/lsof", ("00FAQ.gz",), lsof_faq,
              ("00QUICKSTART.gz", "00LSOF-L", "examples/00README"), text_doc),
    FaqSource("cvs", "cvs", "GPL-2+", "/usr/share/doc/cvs", ("FAQ.gz",), cvs_faq,
              ("cvs.txt.gz", "cvsclient.txt.gz", "intro.txt", "README.gz", "BUGS.gz", "MINOR-BUGS", "PROJECTS",
               "HACKING.gz", "HACKING.DOCS", "DEVEL-CVS", "RCSFILES.gz", "TODO.gz", "NEWS.gz"), text_doc),
    FaqSource("r", "r-base-core", "GPL-2", "/usr/share/R/doc", ("FAQ",), r_faq,
              ("NEWS", "NEWS.[0-9]", "RESOURCES", "AUTHORS", "THANKS"), text_doc),
    FaqSource("curl", "libcurl4-doc", "curl", "/usr/share/doc/libcurl4", ("FAQ.gz",), curl_faq,
              ("*.md", "*.md.gz", "README", "KNOWN_BUGS.gz", "TODO.gz"), text_doc),
]
