"""The plain-text FAQ parsers (Vim, lsof, CVS, R, curl) on fixtures cut from the real files, and on the
installed files where the packages are there."""
from collections import Counter
from pathlib import Path

import pytest

from mlrlib.data.faqs.source import is_question, read_text
from mlrlib.data.faqs.text_faqs import SOURCES, curl_faq, cvs_faq, lsof_faq, r_faq, text_doc, vim_faq, vim_help_doc

FIXTURES = Path(__file__).parent / "fixtures"
BY_NAME = {s.name: s for s in SOURCES}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_vim_faq_skips_the_index_and_joins_wrapped_questions():
    pairs = vim_faq(fixture("vim_faq.txt"))
    assert [q for q, _ in pairs] == [
        "Where can the FAQ be found?",
        "What if I don't find an answer in this FAQ?",
        "I have a patch for implementing a Vim feature. Where can I send this patch?",
        "I have a Vim tip or developed a new Vim syntax/indent/filetype/compiler plugin or developed a new "
        "script or a colorscheme. Is there a public website where I can upload this?",
    ]
    assert pairs[0][1] == "The FAQ can be found at VimOnline (vim.sf.net). Other places will be decided in the future."
    assert pairs[2][1].endswith("For more information, read :help vim-dev")
    assert pairs[3][1].endswith("The site is at http://vim.sourceforge.net")  # not the SECTION 3 line


def test_lsof_faq_skips_the_contents_and_empty_group_headings():
    pairs = lsof_faq(fixture("lsof_faq.txt"))
    assert [q for q, _ in pairs] == [
        "Why can't I get the sum(1) result reported in README.lsof_<revision>?",
        "Why won't gpg accept the lsof-signing PGP public key?",
    ]  # "1.0 General Concepts" has no text of its own
    assert pairs[0][1].startswith('The "Security" section of the README.lsof_<revision> file found inside')
    assert pairs[1][1].endswith("$ gpg --allow-non-selfsigned-uid --import Victor_A_Abell.pgp")


def test_cvs_faq_answers_stop_at_last_modified():
    pairs = cvs_faq(fixture("cvs_faq.txt"))
    assert [q for q, _ in pairs] == [
        "Adding a new category ?",
        "Do I really have to know the name of the branch I'm working on?",
        "How do I refer to the revision where I branched so I can see what changed since the Branch Point "
        "on another branch?",
    ]
    assert pairs[0][1] == "try to get bug-cvs@nongnu.org to help you."
    assert pairs[2][1].startswith("Given the current <branch_tag> format, there is no direct way")
    assert all("Last modified" not in a and "Category:" not in a for _, a in pairs)


def test_r_faq_sections_take_in_their_subsections_and_stop_at_chapters():
    pairs = dict(r_faq(fixture("r_faq.txt")))
    assert list(pairs) == ["How can R be obtained?", "How can R be installed?", "How can R be installed (Windows)",
                           "How can R be installed (Mac)"]  # the contents list gives none
    assert pairs["How can R be obtained?"].startswith(
        'Sources, binaries and documentation for R can be obtained via CRAN, the "Comprehensive R Archive '
        'Network" (see What is CRAN?).')
    installed = pairs["How can R be installed?"]
    assert installed.startswith("2.5.2 How can R be installed (Windows) The 'bin/windows' directory")
    assert "2.5.3 How can R be installed (Mac)" in installed and "---" not in installed
    assert pairs["How can R be installed (Mac)"].endswith("packages at <https://mac.R-project.org>.")


def test_curl_faq_keeps_subquestions_inside_their_question():
    pairs = curl_faq(fixture("curl_faq.txt"))
    assert [q for q, _ in pairs] == [
        "Why do I get return code XXX from an HTTP server?", '"400 Bad Request"', '"401 Unauthorized"',
        '"403 Forbidden"', '"404 Not Found"', '"405 Method Not Allowed"', '"301 Moved Permanently"',
        "Can you tell me what error code 142 means?",
    ]
    codes = pairs[0][1]
    assert codes.startswith("RFC2616 clearly explains the return codes. This is a short transcript.")
    assert '4.5.6 "301 Moved Permanently"' in codes and "142" not in codes
    assert pairs[-1][1].endswith("describes how we could go ahead and repeat this.")  # not "5. libcurl Issues"


def test_vim_help_doc_reads_the_html_rendering():
    pairs = vim_help_doc(fixture("vim_usr_05.html"))
    assert [h for h, _ in pairs] == ["Set your settings", "The vimrc file"]
    assert pairs[0][1].startswith("Vim can be tuned to work like you want it to.")
    assert pairs[1][1].startswith("You probably got tired of typing commands")
    assert "vimrc-intro" not in pairs[1][1] and "main help file" not in pairs[1][1]
    help_file = ("*usr_05.txt*\tFor Vim version 9.0.\n\n\t\tTitle\n\nBody |text|.\n" + "=" * 78
                 + "\n*05.1*\tNext *tag*\nMore.\n")
    assert vim_help_doc(help_file) == [("Title", "Body text."), ("Next", "More.")]


@pytest.mark.parametrize("name, headings, start", [
    ("lsof_quickstart.txt", ["1. Introduction", "2. Finding Uses of a Specific Open File"],
     "Agreed, the lsof man page is dense"),
    ("r_news.txt", ["R News", "C-LEVEL FACILITIES:", "BUG FIXES:"], "CHANGES IN R 4.2.2 patched:"),
    ("curl_http3.md", ["Resources", "QUIC libraries", "Experimental", "Build with OpenSSL"],
     "HTTP/3 Explained - the online free book"),
])
def test_text_doc_cuts_at_underlined_capital_and_markdown_headings(name, headings, start):
    pairs = text_doc(fixture(name))
    assert [h for h, _ in pairs] == headings
    assert pairs[0][1].startswith(start)
    assert all(b for _, b in pairs)


def test_text_doc_drops_tables_of_contents():
    intro = dict(text_doc(fixture("lsof_quickstart.txt")))["1. Introduction"]
    assert "Finding Listening Sockets" not in intro and "Selection Options" not in intro


# --- the installed files ---------------------------------------------------------------

MINIMUM_QUESTIONS = {"vim": 350, "lsof": 280, "cvs": 260, "r": 70, "curl": 65}


def installed(name: str) -> bool:
    source = BY_NAME[name]
    return bool(source.files(source.faq_files))


@pytest.mark.parametrize("name", sorted(MINIMUM_QUESTIONS))
def test_installed_faq(name):
    if not installed(name):
        pytest.skip(f"{BY_NAME[name].package} is not installed")
    source = BY_NAME[name]
    pairs = [p for path in source.files(source.faq_files) for p in source.parse_faq(read_text(path))]
    questions = [q for q, _ in pairs if is_question(q)]
    assert len(questions) >= MINIMUM_QUESTIONS[name]
    assert all(a for _, a in pairs)
    repeated = sum(n - 1 for n in Counter(questions).values())
    assert repeated <= 2


@pytest.mark.parametrize("name", sorted(MINIMUM_QUESTIONS))
def test_installed_docs(name):
    if not installed(name):
        pytest.skip(f"{BY_NAME[name].package} is not installed")
    source = BY_NAME[name]
    paths = source.files(source.doc_files)
    assert paths and not set(paths) & set(source.files(source.faq_files))
    sections = [s for path in paths for s in source.parse_doc(read_text(path))]
    assert len(sections) >= 2 * len(paths) // 3
    assert all(h and b for h, b in sections)
