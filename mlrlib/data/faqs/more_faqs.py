"""FAQs in Info, Markdown, reStructuredText, HTML and plain text from a mix of Debian packages, read through one
outline rule (`outline.faq_entries`) on a parser for each format (`outline_info`, `outline_text`, `outline_rst`,
`outline_html`).

Their other documentation is cut into (heading, own text) sections by the format's doc parser, or, for a package
with documents in several formats, by `plain_doc`.
"""
from __future__ import annotations

from mlrlib.data.faqs.outline import doc_sections
from mlrlib.data.faqs.outline_html import html_faq, html_outline, nano_faq
from mlrlib.data.faqs.outline_info import emacs_doc, info_faq, info_outline
from mlrlib.data.faqs.outline_rst import celery_faq, rst_doc, rst_faq
from mlrlib.data.faqs.outline_text import (
    chrony_faq,
    cryptsetup_faq,
    mc_faq,
    slrn_faq,
    text_outline,
    urxvt_faq,
    wmaker_faq,
)
from mlrlib.data.faqs.source import FaqSource, Pairs


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
