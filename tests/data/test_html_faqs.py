"""The HTML FAQ parsers (Shorewall, fetchmail, Slurm, Privoxy, PuTTY) on fixtures cut from the real files,
and on the installed files where the packages are there."""
from collections import Counter
from pathlib import Path

import pytest

from mlrlib.data.faqs.html_faqs import (
    SOURCES,
    fetchmail_faq,
    html_doc,
    privoxy_faq,
    putty_faq,
    shorewall_faq,
    slurm_faq,
    underlined_text_doc,
)
from mlrlib.data.faqs.source import is_question, read_text

FIXTURES = Path(__file__).parent / "fixtures"
BY_NAME = {s.name: s for s in SOURCES}


def fixture(name: str) -> str:
    return read_text(FIXTURES / name)


def test_shorewall_faq_skips_pointers_and_keeps_follow_ups_in_the_answer():
    pairs = shorewall_faq(fixture("shorewall_faq.html"))
    assert [q for q, _ in pairs] == [
        "I just installed Shorewall on Debian and the /etc/shorewall directory is almost empty!!!",
        "I just installed Shorewall on Debian and I can't find the sample configurations.",
        "I've installed Shorewall and now I can't ping through the firewall",
        "What is this $FW that I see in the configuration files and documentation?",
    ]  # the contents, the topic titles and the "pseudofaq" pointer give none
    assert pairs[0][1].startswith("Important Once you have installed the .deb package")  # a note's title stays
    assert "Beginning with Shorewall 4.4" not in pairs[0][1]  # the sub-question is an entry of its own
    assert pairs[1][1].startswith("Beginning with Shorewall 4.4, the samples are in the shorewall package")
    assert pairs[3][1].startswith("FW is a shell variable that expands to the name")
    assert "Why was that done? Answer: The firewall zone has special semantics" in pairs[3][1]


def test_fetchmail_faq_skips_the_contents_and_the_footer():
    pairs = fetchmail_faq(fixture("fetchmail_faq.html"))
    assert [q for q, _ in pairs] == [
        "Make coughs and dies when building on FreeBSD.",
        "Lex bombs out while building the fetchmail lexer.",
        'Linux logs "TCP(fetchmail:...): Application bug, race in MSG_PEEK."',
    ]
    assert pairs[0][1] == ("As of release 6.3.0, fetchmail's Makefile[.in] should work flawlessly with BSD's "
                           "portable make used on FreeBSD.")
    assert pairs[1][1].startswith("fetchmail 6.3.0 and newer ship with the lexer and parser in .c formats")
    assert pairs[2][1].endswith("The message can safely be ignored.")  # not the "Back to ..." footer


def test_slurm_faq_answers_stop_at_the_next_audience_and_last_modified():
    pairs = slurm_faq(fixture("slurm_faq.html"))
    assert [q for q, _ in pairs] == [
        "Why should I use Slurm or other Free Open Source Software (FOSS)?",
        'What does "Slurm" stand for?',
        "Why am I being offered an automatic update for Slurm?",
    ]  # the linked list at the top gives none
    assert pairs[0][1].startswith("Free Open Source Software (FOSS) does not mean that it is without cost.")
    assert pairs[1][1].startswith('Nothing. Originally, "SLURM" (completely capitalized) was an acryonym')
    assert pairs[2][1].endswith("from automatic updates. exclude=slurm*")


def test_privoxy_faq_takes_sub_questions_and_skips_empty_parents():
    pairs = privoxy_faq(fixture("privoxy_faq.html"))
    assert [q for q, _ in pairs] == [
        "Can I use Privoxy with other ad-blocking software?",
        "Would you like to participate?",
        "Would you like to donate?",
    ]  # 1.17 "I would like to help you, what can I do?" has no text of its own
    assert pairs[0][1].startswith("Privoxy should work fine with other proxies and other software in general.")
    assert pairs[1][1].startswith("Well, we always need help.")
    assert pairs[2][1].endswith("and for hosting expenses etc.")  # not the navigation footer


def test_putty_faq_strips_numbers_and_the_footer():
    pairs = putty_faq(fixture("putty_faq.html"))
    assert [q for q, _ in pairs] == [
        "Is PuTTY a port of OpenSSH, or based on OpenSSH or OpenSSL?",
        "Where can I buy silly putty?",
        "What does \u2018PuTTY\u2019 mean?",
        "How do I pronounce \u2018PuTTY\u2019?",
    ]
    assert pairs[0][1].startswith("No, it isn't. PuTTY is almost completely composed of code written from scratch")
    assert pairs[3][1] == "Exactly like the English word \u2018putty\u2019, which we pronounce /\u02c8p\u028cti/."


def test_html_doc_cuts_at_every_heading():
    sections = dict(html_doc(fixture("putty_faq.html")))
    assert list(sections)[:3] == ["Appendix A: PuTTY FAQ",  # "A.10 Miscellaneous questions" has no text
                                  "A.10.1 Is PuTTY a port of OpenSSH, or based on OpenSSH or OpenSSL?",
                                  "A.10.2 Where can I buy silly putty?"]
    assert sections["A.10.2 Where can I buy silly putty?"].startswith("You're looking at the wrong web site")
    assert "Feedback page" in sections["A.10.4 How do I pronounce \u2018PuTTY\u2019?"]  # no footer cut in docs


def test_underlined_text_doc_cuts_at_underlined_headings():
    text = ("Fetchmail client-side SSL support\n=================================\n\nPreface\n-------\n\n"
            "Note: there is a separate document.\n\nQuickstart\n----------\n\nUse an up-to-date release.\n")
    assert underlined_text_doc(text) == [("Preface", "Note: there is a separate document."),
                                         ("Quickstart", "Use an up-to-date release.")]


# --- the installed files ---------------------------------------------------------------------------

MINIMUM_QUESTIONS = {"shorewall": 80, "fetchmail": 60, "slurm": 100, "privoxy": 90, "putty": 65}


def installed(name: str):
    source = BY_NAME[name]
    return pytest.mark.skipif(not source.files(source.faq_files), reason=f"{source.package} is not installed")


@pytest.mark.parametrize("name", [pytest.param(n, marks=installed(n)) for n in MINIMUM_QUESTIONS])
def test_installed_faq_parses_into_distinct_answered_questions(name):
    source = BY_NAME[name]
    pairs = [p for path in source.files(source.faq_files) for p in source.parse_faq(read_text(path))]
    questions = [q for q, _ in pairs]
    assert sum(map(is_question, questions)) >= MINIMUM_QUESTIONS[name]
    assert all(answer for _, answer in pairs)
    repeated = sum(n - 1 for n in Counter(questions).values())
    assert repeated <= len(questions) // 50


@pytest.mark.parametrize("name", [pytest.param(n, marks=installed(n)) for n in MINIMUM_QUESTIONS])
def test_installed_docs_give_sections_and_leave_out_the_faq(name):
    source = BY_NAME[name]
    paths = source.files(source.doc_files)
    assert paths and not set(paths) & set(source.files(source.faq_files))
    assert not [p for p in paths if any(f"_{lang}." in p.name for lang in ("fr", "ru"))]
    sections = [s for path in paths[:20] for s in source.parse_doc(read_text(path))]
    assert sections and all(heading and body for heading, body in sections)
