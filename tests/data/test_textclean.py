from mlrlib.data.textclean import chunk_words, clean_pod, clean_rst, normalize_key


def test_clean_rst_keeps_text_of_roles_links_and_literals():
    rst = (".. _label:\n\nUse :func:`breakpoint` or `pdb <https://x>`_ and ``print``.\n\n"
           ".. note::\n   :class: x\n\n   Kept.")
    assert clean_rst(rst) == "Use breakpoint or pdb and print. Kept."


def test_clean_pod_unwraps_formatting_codes_and_items():
    pod = "=over 4\n\n=item First\n\nSee L<perlop/\"Ops\"> and C<< $x->y >> or L<text|perlfunc>.\n\n=back"
    assert clean_pod(pod) == 'First See perlop/"Ops" and $x->y or text.'


def test_chunks_are_at_most_max_words_and_cover_the_text():
    text = " ".join(f"w{i}" for i in range(250))
    chunks = chunk_words(text, 100)
    assert [len(c.split()) for c in chunks] == [84, 84, 82]
    assert " ".join(chunks) == text
    assert chunk_words("", 100) == []


def test_normalize_key_ignores_case_and_punctuation():
    assert normalize_key("Why is int() broken?") == normalize_key("why is INT broken")
