"""The documentation packages the offline benchmark is built from, one `FaqSource` each.

Each module holds the parsers for one family of file formats and its `SOURCES`: `core_faqs` (the
Python FAQ, perlfaq, the Debian FAQ), `text_faqs` (plain-text FAQs), `html_faqs` (HTML FAQs) and
`more_faqs` (info, markdown, reStructuredText and HTML FAQs read through one outline rule: `outline`, with a
parser for each format in `outline_info`, `outline_text`, `outline_rst` and `outline_html`).
`ALL_SOURCES` is their union in a fixed order (query ids and splits depend on it).
"""
from __future__ import annotations

from mlrlib.data.faqs import core_faqs, html_faqs, more_faqs, text_faqs
from mlrlib.data.faqs.source import FaqSource


def _all_sources() -> tuple[FaqSource, ...]:
    sources = [*core_faqs.SOURCES, *text_faqs.SOURCES, *html_faqs.SOURCES, *more_faqs.SOURCES]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ValueError(f"two sources share a name: {names}")
    return tuple(sources)


ALL_SOURCES = _all_sources()
