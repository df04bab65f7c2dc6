"""FAQs written in HTML: Shorewall, fetchmail, Slurm, Privoxy and PuTTY (lxml).

Each FAQ marks its questions with a different element (a DocBook section title, a labelled `h2`, a bold
anchor, ...). A parser names two predicates: the elements that open an entry (their text is the question)
and the elements that close one (chapter headings, footers); `cut_page` walks the page in document order
and gives each opening element the text that follows it, up to the next opening or closing element.

- shorewall-doc: `html/FAQ.htm` (DocBook); every `h3`/`h4` section title is a question, "(FAQ 17)" labelled.
- fetchmail: `fetchmail-FAQ.html`; every `h2` labelled "G1."-style is a question.
- slurm-wlm-doc: `html/faq.html`; every `<p><a id=...><b>question</b></a>` opens an entry.
- privoxy: `faq/*.html` (DocBook, one page per chapter); numbered "1.2." section titles are questions.
- putty-doc: `AppendixA.html` (Halibut); every `h3` ("A.1.1 ...") is a question.
Distractors: the packages' other HTML pages cut at every heading (`html_doc`), and for fetchmail also its
READMEs, plain text with underlined headings (`underlined_text_doc`).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html

from mlrlib.data.faqs.source import FaqSource, Pairs, parse_html
from mlrlib.data.textclean import normalize_space

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

Predicate = Callable[[lxml.html.HtmlElement], bool]

_SKIPPED = frozenset(("script", "style", "head", "nav", "header"))
_BLOCKS = frozenset(("address", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
                     "hr", "li", "ol", "p", "pre", "table", "td", "th", "tr", "ul"))


# --- walking a page ------------------------------------------------------------------------

class _Cutter:
    """Collects (heading, text parts) while visiting a tree; text outside any entry is dropped."""

    def __init__(self, opens: Predicate, closes: Predicate):
        self.opens, self.closes = opens, closes
        self.entries: list[tuple[str, list[str]]] = []
        self.parts: list[str] | None = None

    def add(self, text: str | None) -> None:
        if self.parts is not None and text:
            self.parts.append(text)

    def visit(self, node) -> None:
        if not isinstance(node.tag, str) or node.tag in _SKIPPED:
            pass
        elif self.opens(node):
            self.entries.append((normalize_space(node.text_content()), []))
            self.parts = self.entries[-1][1]
        elif self.closes(node):
            self.parts = None
        else:
            gap = " " if node.tag in _BLOCKS else ""
            self.add(gap)
            self.add(node.text)
            for child in node:
                self.visit(child)
            self.add(gap)
        self.add(node.tail)


def cut_page(text: str, opens: Predicate, closes: Predicate) -> Pairs:
    """(heading, body) for each element of the page for which `opens` is true, its body the page's text
    from there to the next such element or to one for which `closes` is true. Empty ones are left out."""
    root = parse_html(text)
    if root is None:
        return []
    cutter = _Cutter(opens, closes)
    cutter.visit(root)
    pairs = [(heading, normalize_space("".join(parts))) for heading, parts in cutter.entries]
    return [(heading, body) for heading, body in pairs if heading and body]


def _unlabel(pairs: Pairs, question_label: re.Pattern, answer_label: re.Pattern | None = None) -> Pairs:
    """Pairs with the FAQ's numbering taken off the questions (and its "Answer:" off the answers)."""
    out = []
    for question, answer in pairs:
        if answer_label is not None:
            answer = answer_label.sub("", answer, count=1)
        out.append((question_label.sub("", question, count=1), answer))
    return [(q, a) for q, a in out if q and a]


def _text(node) -> str:
    return normalize_space(node.text_content())


def _is_heading(node) -> bool:
    return node.tag in HEADINGS


# --- Shorewall (DocBook XSL) -------------------------------------------------------------------

_SHOREWALL_LABEL = re.compile(r"^\(FAQ\s*[\d.\s]+[a-z]?\)\s*")
_ANSWER_LABEL = re.compile(r"^Answer\s*:\s*")


def _is_section_title(node) -> bool:
    """A DocBook section's title, as opposed to a note's or an example's."""
    return _is_heading(node) and bool(node.xpath("ancestor::div[@class='titlepage'][parent::div[@class='section']]"))


def _shorewall_opens(node) -> bool:
    if node.tag not in ("h3", "h4") or not _is_section_title(node):
        return False
    if any(anchor.startswith("pseudo") for anchor in node.xpath("./a/@id")):
        return False
    return node.tag == "h3" or bool(_SHOREWALL_LABEL.match(_text(node)))


def _shorewall_closes(node) -> bool:
    return _is_section_title(node) and node.tag != "h4"


def shorewall_faq(text: str) -> Pairs:
    """FAQ.htm nests DocBook sections: `h2` titles are topics, `h3` and `h4` titles questions, most labelled
    "(FAQ 17)" or "(FAQ 17a)". An entry's answer is its section's own text, its sub-questions being entries of
    their own; an unlabelled `h4` ("Why was that done?") is a follow-up kept inside its parent's answer. The
    "pseudofaq" sections only point to the real entry ("Please see FAQ 17") and are left out. Answers lose
    their leading "Answer:"."""
    return _unlabel(cut_page(text, _shorewall_opens, _shorewall_closes), _SHOREWALL_LABEL, _ANSWER_LABEL)


# --- fetchmail ------------------------------------------------------------------------------------

_FETCHMAIL_LABEL = re.compile(r"^[A-Z]\d+\.\s*")


def _fetchmail_opens(node) -> bool:
    return node.tag == "h2" and bool(_FETCHMAIL_LABEL.match(_text(node)))


def _fetchmail_closes(node) -> bool:
    return node.tag in ("h1", "h2", "hr")


def fetchmail_faq(text: str) -> Pairs:
    """The page is flat: `hr` + `h1` per chapter, then one `h2` per question labelled "G1." (letter of the
    chapter, number). The answer runs to the next `h2`, `h1` or `hr` (the last `hr` precedes the footer); the
    contents at the top list the questions as links under unlabelled `h2` chapter names, so they give no entry.
    Questions struck out as obsolete (`<strike>`) are entries like the others."""
    return _unlabel(cut_page(text, _fetchmail_opens, _fetchmail_closes), _FETCHMAIL_LABEL)


# --- Slurm ------------------------------------------------------------------------------------------

def _slurm_opens(node) -> bool:
    return node.tag == "a" and node.get("id") is not None and node.find("b") is not None \
        and node.getparent() is not None and node.getparent().tag == "p"


def _slurm_closes(node) -> bool:
    return node.tag in ("h1", "h2") or (node.tag == "p" and _text(node).startswith("Last modified"))


def slurm_faq(text: str) -> Pairs:
    """faq.html lists all questions as links under `h2` audiences ("For Users"), then repeats each as
    `<p><a id="name"><b>question</b></a><br>` followed by its answer, running to the next such anchor, the
    next `h2` or the closing "Last modified" paragraph."""
    return cut_page(text, _slurm_opens, _slurm_closes)


# --- Privoxy (DocBook DSSSL) ---------------------------------------------------------------------------

_PRIVOXY_LABEL = re.compile(r"^\d+(\.\d+)+\.\s*")


def _privoxy_opens(node) -> bool:
    parent = node.getparent()
    return _is_heading(node) and parent is not None and parent.get("class", "").upper() in ("SECT2", "SECT3") \
        and bool(_PRIVOXY_LABEL.match(_text(node)))


def _privoxy_closes(node) -> bool:
    return _is_heading(node) or node.get("class", "").upper() == "NAVFOOTER"


def privoxy_faq(text: str) -> Pairs:
    """Each FAQ page is one chapter (`DIV class=SECT1` with an `h1`); each question is the numbered title
    ("3.12.") of a `SECT2` (or `SECT3` sub-question) section. The answer is the section's text up to the next
    section title or the page's navigation footer."""
    return _unlabel(cut_page(text, _privoxy_opens, _privoxy_closes), _PRIVOXY_LABEL)


# --- PuTTY (Halibut) ---------------------------------------------------------------------------------------

_PUTTY_LABEL = re.compile(r"^[A-Z]\.\d+\.\d+\s+")


def _putty_closes(node) -> bool:
    return node.tag in ("h1", "h2", "hr")


def putty_faq(text: str) -> Pairs:
    """AppendixA.html is flat: a contents list, the `h1` title, an `h2` per topic ("A.2 Features supported")
    and an `h3` per question ("A.2.1 Does PuTTY support SSH-2?"). The answer runs to the next heading or the
    `hr` before the footer."""
    return _unlabel(cut_page(text, lambda node: node.tag == "h3", _putty_closes), _PUTTY_LABEL)


# --- other documentation ------------------------------------------------------------------------------------

def _is_footer(node) -> bool:
    return node.tag in ("footer", "address") or node.get("class", "").lower() == "navfooter"


def html_doc(text: str) -> Pairs:
    """Any HTML page cut at every heading (`h1`-`h6`): (heading, text up to the next heading), the page's
    navigation footer left out."""
    return cut_page(text, _is_heading, _is_footer)


_UNDERLINE = re.compile(r"^\s*([=\-~*])\1{2,}\s*$")


def underlined_text_doc(text: str) -> Pairs:
    """Plain text whose headings are lines underlined with `===` or `---`: (heading, text up to the next)."""
    lines = text.splitlines()
    heads = [i for i in range(len(lines) - 1)
             if lines[i].strip() and _UNDERLINE.match(lines[i + 1]) and not _UNDERLINE.match(lines[i])]
    sections = []
    for k, i in enumerate(heads):
        end = heads[k + 1] if k + 1 < len(heads) else len(lines)
        body = normalize_space("\n".join(lines[i + 2:end]))
        if body:
            sections.append((normalize_space(lines[i]), body))
    return sections


def html_or_text_doc(text: str) -> Pairs:
    """`html_doc` for an HTML page, `underlined_text_doc` for a plain text file."""
    return html_doc(text) if text.lstrip().startswith("<") else underlined_text_doc(text)


# --- the sources -------------------------------------------------------------------------------------------------

def _all_but(folder: str, stem: str, suffix: str) -> tuple[str, ...]:
    """Globs that together match every `folder*suffix` file except `folder + stem + suffix` (a source's
    `exclude` also applies to its FAQ files, so doc globs must leave the FAQ out themselves): a name either
    differs from `stem` at some position, or is a proper prefix of it, or has it as a proper prefix."""
    differing = [f"{folder}{stem[:i]}[!{stem[i]}]*{suffix}" for i in range(len(stem))]
    prefixes = [f"{folder}{stem[:i]}{suffix}" for i in range(1, len(stem))]
    return (*differing, *prefixes, f"{folder}{stem}?*{suffix}")


SHOREWALL = FaqSource(
    name="shorewall", package="shorewall-doc", licence="GFDL-1.2+",
    root="/usr/share/doc/shorewall-doc",
    faq_files=("html/FAQ.htm",), parse_faq=shorewall_faq,
    doc_files=(*_all_but("html/", "FAQ", ".htm"), "html/*.html", "manpages/*.html"), parse_doc=html_doc,
    exclude=("html/FAQ_*", "html/*_fr.htm*", "html/*_ru.htm*", "html/GnuCopyright.htm"),
)

FETCHMAIL = FaqSource(
    name="fetchmail", package="fetchmail", licence="GPL-2+",
    root="/usr/share/doc/fetchmail",
    faq_files=("fetchmail-FAQ.html",), parse_faq=fetchmail_faq,
    doc_files=("fetchmail-features.html", "design-notes.html", "todo.html", "README.SSL.gz", "README.Debian.gz"),
    parse_doc=html_or_text_doc,
)

SLURM = FaqSource(
    name="slurm", package="slurm-wlm-doc", licence="GPL-2+",
    root="/usr/share/doc/slurm-wlm/html",
    faq_files=("faq.html",), parse_faq=slurm_faq,
    doc_files=_all_but("", "faq", ".html"), parse_doc=html_doc,
)

PRIVOXY = FaqSource(
    name="privoxy", package="privoxy", licence="GPL-2+",
    root="/usr/share/doc/privoxy",
    faq_files=tuple(f"faq/{page}.html" for page in ("general", "installation", "configuration", "misc", "trouble")),
    parse_faq=privoxy_faq,
    doc_files=("user-manual/*.html", "developer-manual/*.html", "man-page/*.html", "faq/contact.html",
               "faq/copyright.html"),
    parse_doc=html_doc,
    exclude=("*/index.html",),
)

PUTTY = FaqSource(
    name="putty", package="putty-doc", licence="Expat",
    root="/usr/share/doc/putty-doc",
    faq_files=("AppendixA.html",), parse_faq=putty_faq,
    doc_files=("Chapter*.html", "Appendix[B-Z].html"), parse_doc=html_doc,
)

SOURCES = [SHOREWALL, FETCHMAIL, SLURM, PRIVOXY, PUTTY]
