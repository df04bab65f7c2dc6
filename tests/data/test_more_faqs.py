"""The FAQ parsers of `more_faqs` (Info, Markdown, rst, HTML and numbered text: the `outline_*` modules) on
fixtures cut from the real files, the shared entry rule on small outlines, and every source on the installed
files where they are there."""
from collections import Counter
from pathlib import Path

import pytest

from mlrlib.data.faqs.more_faqs import SOURCES, plain_doc
from mlrlib.data.faqs.outline import faq_entries, strip_number
from mlrlib.data.faqs.outline_html import html_faq, nano_faq
from mlrlib.data.faqs.outline_info import emacs_doc, info_faq
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
from mlrlib.data.faqs.source import is_question, read_text

FIXTURES = Path(__file__).parent / "fixtures"
BY_NAME = {s.name: s for s in SOURCES}


def parse(parser, name: str):
    return parser(read_text(FIXTURES / name))


def questions(pairs) -> list[str]:
    return [q for q, _ in pairs]


# --- the shared rule -------------------------------------------------------------------------------

def test_strip_number_drops_numbering_only():
    assert strip_number("5.24 How do I tell Emacs?") == "How do I tell Emacs?"
    assert strip_number("1.1.  What is slrn ?") == "What is slrn ?"
    assert strip_number("Q: Why?") == "Why?"
    assert strip_number("A URL containing asterisks doesn't work.") == "A URL containing asterisks doesn't work."
    assert strip_number("3 sources online") == "sources online"


def test_faq_entries_take_the_question_level_and_fold_other_subsections():
    outline = [(1, "FAQ", "intro"), (2, "General", ""), (3, "What is X?", "X is a tool."),
               (4, "Details", "More on X."), (4, "Why is X slow?", "It is not."),
               (3, "Frobnicate troubles", "Try again."), (2, "Other", "")]
    assert faq_entries(outline) == [("What is X?", "X is a tool. Details More on X."),
                                    ("Why is X slow?", "It is not."),
                                    ("Frobnicate troubles", "Try again.")]


def test_faq_entries_leave_out_a_heading_whose_text_only_lists_its_questions():
    outline = [(2, "What is a VT220?", "Why a VT220? Why not VT320?"), (3, "Why a VT220?", "Because."),
               (3, "Why not VT320?", "Too new.")]
    assert questions(faq_entries(outline)) == ["Why a VT220?", "Why not VT320?"]


def test_faq_entries_without_questions_give_none():
    assert faq_entries([(1, "Introduction", "Some text.")]) == []


# --- the FAQ parsers on fixtures -------------------------------------------------------------------

def test_info_faq_gives_one_entry_per_question_node():
    pairs = parse(info_faq, "emacs_faq.info")
    assert questions(pairs) == [
        "What are FSF, GNU, RMS, and GPL?",
        "What are appropriate messages for the various Emacs mailing lists?",
        "Where can I read archives for ‘help-gnu-emacs’ and other GNU lists?",
    ]  # the chapter node "2 General questions", the tag table and the local variables give none
    assert pairs[0][1].startswith("FSF Free Software Foundation GNU GNU’s Not Unix")
    assert pairs[1][1].startswith("There are various Emacs mailing lists, described at the Emacs Savannah page")
    assert "Menu:" not in pairs[1][1] and "End Tag Table" not in pairs[2][1]


def test_cryptsetup_faq_reads_bold_numbered_items():
    pairs = parse(cryptsetup_faq, "cryptsetup_faq.md")
    assert questions(pairs) == [
        "My dm-crypt/LUKS mapping does not work! What general steps are there to investigate the problem?",
        "My dm-crypt mapping suddenly stopped when upgrading cryptsetup.",
        "What about the size of the LUKS2 header?",  # the "?" after the closing "**" is kept
        "Does LUKS2 store metadata anywhere except in the header?",
    ]  # the table of sections and the unnumbered "Purpose of this Section" give none
    assert pairs[0][1].startswith("If you get a specific error message, investigate what it claims first.")
    assert pairs[3][1].endswith("nothing gets stored somewhere in the middle or at the end.")


def test_rst_faq_on_borg_keeps_statement_headings_at_the_question_level():
    pairs = parse(rst_faq, "borg_faq.rst")
    assert questions(pairs) == [
        "What is the difference between a repo on an external hard drive vs. repo on a server?",
        '"this is either an attack or unsafe" warning',
        "Which file types, attributes, etc. are not preserved?",
    ]
    assert pairs[0][1].startswith("If Borg is running in client/server mode, the client uses SSH as a transport")
    assert pairs[2][1].startswith("* UNIX domain sockets (because it does not make sense")
    assert "Security" not in pairs[2][1]


def test_rst_faq_on_sqlalchemy_makes_sub_questions_entries_of_their_own():
    pairs = parse(rst_faq, "sqlalchemy_faq.rst")
    assert questions(pairs) == [
        "How do I configure logging?",
        "How do I pool database connections? Are my connections pooled?",
        "Why does SQLAlchemy issue so many ROLLBACKs?",
        "I'm on MyISAM - how do I turn it off?",
        "I'm on SQL Server - how do I turn those ROLLBACKs into COMMITs?",
    ]
    assert pairs[0][1] == "See dbengine_logging."
    assert pairs[2][1].endswith("https://dev.mysql.com/doc/refman/5.1/en/innodb-transaction-model.html")
    assert pairs[4][1].startswith("reset_on_return accepts the values commit, rollback in addition to True")


def test_rst_faq_on_docutils_ignores_titles_inside_literal_blocks():
    pairs = parse(rst_faq, "docutils_faq.rst")
    assert questions(pairs) == [
        "Is there a GUI authoring environment for Docutils?",
        "What is the status of the Docutils project?",
        "How can I indicate the document title? Subtitle?",
    ]
    assert pairs[0][1] == "See the links to editors supporting reStructuredText."  # "editors_" loses its "_"
    assert "This is not a Document Title" in pairs[2][1]  # in a literal block, not a heading


def test_celery_faq_folds_non_question_subsections_and_drops_answer_labels():
    pairs = parse(celery_faq, "celery_faq.rst")
    assert questions(pairs) == ["Does Celery have many dependencies?", "Is Celery heavy-weight?",
                                "Is Celery dependent on pickle?"]
    assert "celery - kombu Kombu is part of the Celery ecosystem" in pairs[0][1]
    assert pairs[2][1].startswith("No, Celery can support any serialization scheme.")


def test_html_faq_on_weechat_uses_the_content_and_strips_numbers():
    pairs = parse(html_faq, "weechat_faq.html")
    assert questions(pairs) == [
        'Where does the name "WeeChat" come from?',
        "Why choose WeeChat? X-Chat and Irssi are so good…",
        "I’ve heard about many GUIs for WeeChat. How can I compile/use them?",
    ]
    assert pairs[0][1].startswith('"Wee" is a recursive acronym and stands for "Wee Enhanced Environment".')
    assert "Version 3.8" not in pairs[2][1]  # the footer is left out


def test_html_faq_on_django_leaves_out_the_sidebar_and_permalinks():
    pairs = parse(html_faq, "django_faq.html")
    assert questions(pairs) == ["What does “Django” mean, and how do you pronounce it?", "Is Django stable?"]
    assert pairs[0][1].startswith("Django is named after Django Reinhardt, a jazz manouche guitarist")
    assert "Table of Contents" not in pairs[1][1] and "¶" not in pairs[1][1]


def test_html_faq_on_lxml_leaves_out_the_contents():
    pairs = parse(html_faq, "lxml_faq.html")
    assert questions(pairs) == ["Why do I get XInclude or DTD lookup failures on some systems but not on others?",
                                "How do namespaces work in lxml?"]
    assert pairs[1][1] == "The same as in ElementTree. See the tutorial."


def test_html_faq_on_getmail_takes_sub_questions_as_entries():
    pairs = parse(html_faq, "getmail_faq.html")
    assert questions(pairs) == ["What platforms/machines does getmail run on?", "Does getmail run on MS Windows?",
                                "Does getmail run on Macintosh systems?", "Does getmail require Unix/Linux?"]
    assert pairs[0][1].startswith("getmail runs on basically any platform.")
    assert pairs[0][1].endswith("porting Python is generally very easy.")
    assert pairs[2][1] == "Yes."


def test_html_faq_on_ffmpeg_drops_anchors_and_the_generator_line():
    pairs = parse(html_faq, "ffmpeg_faq.html")
    assert questions(pairs) == [
        "Why doesn’t FFmpeg support feature [xyz]?",
        "FFmpeg does not support codec XXX. Can you include a Windows DLL loader to support it?",
    ]
    assert pairs[1][1] == ("No. Windows DLLs are not portable, bloated and often slow. Moreover FFmpeg strives to "
                           "support all codecs natively. A DLL loader is not conducive to that goal.")


def test_html_faq_on_xterm():
    pairs = parse(html_faq, "xterm_faq.html")
    assert questions(pairs) == ["What is XTerm?", "What is the latest version?"]
    assert pairs[0][1].startswith("From the manual page: The xterm program is a terminal emulator")
    assert pairs[1][1].endswith("the one that I maintain: source archives")


def test_nano_faq_leaves_out_the_table_of_contents_headings():
    pairs = parse(nano_faq, "nano_faq.html")
    assert questions(pairs) == ["What is GNU nano?", "Why the name change from TIP?",
                                "What is the current version of nano?",
                                "I want to read the man page without having to download the program!"]
    assert pairs[0][1].startswith("GNU nano was designed to be a free replacement for the Pico text editor")
    assert pairs[3][1] == "Jeez, demanding, aren't we? Okay, look here."


def test_chrony_faq_does_not_take_a_numbered_answer_line_for_a_heading():
    pairs = parse(chrony_faq, "chrony_faq.txt")
    assert questions(pairs) == ["How does chrony compare to ntpd?",
                                "I keep getting the error 506 Cannot talk to daemon",
                                "I keep getting the error 501 Not authorised"]
    assert pairs[0][1].startswith("chrony and ntpd are two different implementations of the Network Time Protocol")
    assert pairs[1][1].endswith("UDP port 323. You need to amend the firewall configuration in this case.")


def test_mc_faq_joins_wrapped_questions():
    pairs = parse(mc_faq, "mc_faq.txt")
    assert questions(pairs) == [
        "What is Midnight Commander?",
        "Does it work with my terminal?",
        'Why do I keep getting "Terminal not powerful enough for SLang" or '
        '"Terminal not powerful enough for SLsmg"?',
    ]
    assert pairs[1][1].startswith("Yes, it does. Because GNU Midnight Commander is a full screen program")


def test_slrn_faq_reads_nested_numbers_after_the_contents():
    pairs = parse(slrn_faq, "slrn_faq.txt")
    assert questions(pairs) == ["What is slrn ?", "How can I never mark articles as read?",
                                "How can I get slrn to show both read and unread articles?"]
    assert pairs[0][1].startswith("slrn (``S-Lang read news'') is a Usenet newsreader")
    assert pairs[1][1].startswith("There is an option for it - you just need to set ``auto_mark_article_as_read''")


def test_urxvt_faq_reads_indentation_and_wrapped_questions():
    pairs = parse(urxvt_faq, "urxvt_faq.txt")
    assert questions(pairs) == [
        "My question isn't answered here, can I ask a human?",
        "I use Gentoo, and I have a problem...",
        "Does it support tabs, can I have a tabbed rxvt-unicode?",
        "How do I know which rxvt-unicode version I'm using?",
        "How do I distinguish whether I'm running rxvt-unicode or a regular xterm? "
        "I need this to decide about setting colours etc.",
        "How do I compile the manual pages on my own?",
    ]  # a question without its answer ("I can't get transparency working") gives none
    assert pairs[2][1].startswith("Beginning with version 7.3, there is a perl extension")
    assert "urxvt -pe tabbed" in pairs[2][1]


def test_wmaker_faq_reads_underlined_questions_and_drops_chapter_banners():
    pairs = parse(wmaker_faq, "wmaker_faq.txt")
    assert questions(pairs) == [
        "What is Window Maker?",
        "Where can I get libPropList/proplist.h?",
        "Why do no icons show up after installing Window Maker >= 0.15.x when I've followed all the directions?",
    ]
    assert pairs[0][1].endswith("here for example screenshots.")
    assert pairs[1][1].startswith("starting with Window Maker 0.70.0, libPropList is no longer needed.")


# --- the doc parsers -------------------------------------------------------------------------------

def test_text_outline_cuts_at_underlined_and_hash_headings():
    text = "What is chrony?\n===============\n\nAn NTP daemon.\n\n## Building\n\nRun make.\n"
    assert plain_doc(text) == [("What is chrony?", "An NTP daemon."), ("Building", "Run make.")]


def test_text_outline_without_headings_groups_paragraphs():
    text = "\n\n".join(f"Paragraph {n} " + "word " * 120 for n in range(3))
    outline = text_outline(text)  # 122 words a paragraph: a group is closed once it has 200 or more
    assert [title[:11] for _, title, _ in outline] == ["Paragraph 0", "Paragraph 2"]
    assert len(outline[0][2].split()) == 244 and len(outline[0][1]) <= 80


def test_emacs_doc_reads_outline_headings():
    text = "* Emacs startup failures\n\n** Emacs fails to start, complaining about missing fonts.\n\nInstall them.\n"
    assert emacs_doc(text) == [("Emacs fails to start, complaining about missing fonts.", "Install them.")]


def test_plain_doc_on_html_and_rst_doc():
    html = "<html><body><h1>Title</h1><p>Intro é.</p><h2>Usage</h2><p>Run it.</p></body></html>"
    assert plain_doc(html) == [("Title", "Intro é."), ("Usage", "Run it.")]
    assert rst_doc("Usage\n=====\n\nRun ``borg create``.\n") == [("Usage", "Run borg create.")]


# --- the installed files ---------------------------------------------------------------------------

MINIMUM_QUESTIONS = {"emacs": 115, "cryptsetup": 80, "borg": 52, "weechat": 55, "django": 40, "sqlalchemy": 30,
                     "celery": 40, "lxml": 33, "docutils": 36, "chrony": 35, "nano": 25, "getmail": 40, "mc": 45,
                     "slrn": 48, "ffmpeg": 54, "urxvt": 44, "wmaker": 65, "xterm": 45}


def installed(name: str):
    source = BY_NAME[name]
    return pytest.mark.skipif(not source.files(source.faq_files), reason=f"{source.package} is not installed")


def test_every_source_has_a_minimum():
    assert set(MINIMUM_QUESTIONS) == set(BY_NAME)


@pytest.mark.parametrize("name", [pytest.param(n, marks=installed(n)) for n in MINIMUM_QUESTIONS])
def test_installed_faq_parses_into_distinct_answered_questions(name):
    source = BY_NAME[name]
    pairs = [p for path in source.files(source.faq_files) for p in source.parse_faq(read_text(path))]
    found = questions(pairs)
    assert sum(map(is_question, found)) >= MINIMUM_QUESTIONS[name]
    assert all(answer for _, answer in pairs)
    assert sum(n - 1 for n in Counter(found).values()) <= len(found) // 50


@pytest.mark.parametrize("name", [pytest.param(n, marks=installed(n)) for n in MINIMUM_QUESTIONS])
def test_installed_docs_give_sections_and_leave_out_the_faq(name):
    source = BY_NAME[name]
    paths = source.files(source.doc_files)
    assert paths and not set(paths) & set(source.files(source.faq_files))
    sections = [s for path in paths[:20] for s in source.parse_doc(read_text(path))]
    assert sections and all(heading and body for heading, body in sections)
