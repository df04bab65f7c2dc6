"""`python -m mlrlib layers`: its numbers are notebook 01's (`zero_shot_layers`, `lower_layer_share`), and bad input
(a negative length, an undecodable byte) is one line, never a traceback."""
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import write_beir

TOPICS = {
    "apt": ["Debian packages are installed with apt-get install followed by the package name.",
            "apt-get remove deletes a package but keeps its configuration files.",
            "Run apt-get update to refresh the list of available packages."],
    "python": ["Python tuples cannot be changed after they are created.",
               "A Python list is a mutable sequence that can grow and shrink.",
               "Python dictionaries map hashable keys to values."],
    "perl": ["Perl hashes store scalar values under string keys.",
             "Regular expressions in Perl are applied with the =~ operator.",
             "The Perl function chomp removes a trailing newline."],
    "vim": ["In Vim, press i to enter insert mode and Escape to leave it.",
            "Type :wq in Vim to write the file and quit.",
            "Vim searches forward with a slash and backward with a question mark."],
    "ssh": ["ssh-keygen creates a new key pair for SSH authentication.",
            "Copy your public key to a server with ssh-copy-id.",
            "The SSH daemon reads its settings from /etc/ssh/sshd_config."],
    "git": ["git commit records the staged changes in the repository.",
            "git branch lists, creates or deletes branches.",
            "Use git stash to put uncommitted changes aside."],
    "cron": ["cron runs commands at scheduled times from the crontab.",
             "Edit your crontab with crontab -e.",
             "Five time fields in a crontab line give minute, hour, day, month and weekday."],
    "disk": ["df shows how much space is free on each mounted file system.",
             "du reports the disk usage of files and folders.",
             "fsck checks and repairs a file system."],
    "net": ["ping sends ICMP echo requests to test whether a host is reachable.",
            "ip addr shows the addresses of the network interfaces.",
            "traceroute prints the routers a packet passes on its way."],
    "users": ["adduser creates a new user account with a home folder.",
              "passwd changes a user's password.",
              "Add a user to a group with usermod -aG group user."],
}
QUERIES = {"apt": "how do I install a package on Debian", "python": "can a python tuple be modified",
           "perl": "what does a perl hash store", "vim": "how do I save and quit in vim",
           "ssh": "how to generate an ssh key", "git": "how to save uncommitted changes for later in git",
           "cron": "how do I edit my crontab", "disk": "how much free disk space do I have",
           "net": "check whether a host is reachable", "users": "how to change a user's password"}
RELEVANT = {"apt": 0, "python": 0, "perl": 0, "vim": 1, "ssh": 0, "git": 2, "cron": 1, "disk": 0, "net": 0,
            "users": 1}
ENC = {"batch_size": 16, "q_max_len": 64, "p_max_len": 64, "bf16": False}


def tiny_beir(folder):
    """30 passages (3 per topic), 10 queries with one relevant passage each: a BEIR folder."""
    corpus = [{"_id": f"{t}{i}", "title": "", "text": text} for t, texts in TOPICS.items()
              for i, text in enumerate(texts)]
    queries = [{"_id": f"q-{t}", "text": q} for t, q in QUERIES.items()]
    return write_beir(folder, corpus, queries, [(f"q-{t}", f"{t}{i}", 1) for t, i in RELEVANT.items()])


def cli(*args):
    return subprocess.run([sys.executable, "-m", "mlrlib", *args], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """(folder, the JSON `main(["layers", ..., "--json"])` printed, the --output file's JSON)."""
    from mlrlib.runtime.cli import main
    folder = tiny_beir(tmp_path_factory.mktemp("layers") / "beir")
    out = folder.parent / "layers.json"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        rc = main(["layers", "--data", f"beir:{folder}", "--model", "minilm", "--max-length", "64",
                   "--batch-size", "16", "--output", str(out), "--json"])
    assert rc == 0
    return folder, json.loads(stdout.getvalue()), json.loads(out.read_text())


def test_layers_gives_notebook_01s_numbers(probed):
    from mlrlib.data import load_data
    from mlrlib.evaluation.layer_analysis import zero_shot_layers
    from mlrlib.evaluation.premises import lower_layer_share
    from mlrlib.methods.encoders import MultiLayerEncoder
    folder, result, written = probed
    assert written == result
    encoder, data = MultiLayerEncoder("minilm"), load_data(f"beir:{folder}")
    L = encoder.num_layers
    table, corpus = zero_shot_layers(encoder, data, "test", ENC)
    assert result["num_layers"] == L and len(result["per_layer"]) == L + 1
    assert result["queries"] == 10 and result["passages"] == 30
    cls = table[table.pooling == "cls"].set_index(["layer", "metric"]).value
    for row in result["per_layer"]:
        for metric, value in row["raw"].items():
            assert value == pytest.approx(cls[(row["layer"], metric)], abs=1e-9)
    queries = encoder.encode(data.split("test").texts, [L], batch_size=16, max_length=64, normalize=True)["cls"]
    sets = {s["name"]: s for s in result["premise"]["sets"]}
    assert sets["last 4"]["layers"] == [L - 3, L - 2, L - 1, L] and sets["{L-1, L}"]["layers"] == [L - 1, L]
    for s in sets.values():
        share = lower_layer_share(queries[:, 0], corpus["cls"][:, s["layers"]], s["layers"], L)
        assert s["lower_layer_share"] == pytest.approx(share, abs=1e-12)
        assert result["premise"]["threshold"] == 0.05 and s["at_least_threshold"] == (share >= 0.05)


def test_centred_differs_metrics_are_shares_cosine_has_a_unit_diagonal(probed):
    from mlrlib.runtime.cli import layers_table
    _, result, _ = probed
    rows = result["per_layer"]
    assert any(r["raw"] != r["centred"] for r in rows)
    assert all(0 <= v <= 1 for r in rows for variant in ("raw", "centred") for v in r[variant].values())
    cosine = np.array(result["layer_cosine"])
    assert cosine.shape == (len(rows), len(rows))
    assert np.allclose(np.diag(cosine), 1, atol=1e-5) and np.allclose(cosine, cosine.T, atol=1e-6)
    assert all(0 <= s["lower_layer_share"] <= 1 for s in result["premise"]["sets"])
    table = layers_table(result)
    assert "MLR premise" in table and len(table.splitlines()) == 3 + len(rows) + 3 + len(rows) + 2 + 2


@pytest.mark.parametrize("command, argument", [("layers", "--max-length"), ("evaluate", "--max-length"),
                                               ("layers", "--batch-size"), ("evaluate", "--batch-size")])
def test_a_negative_length_is_refused_when_parsing(command, argument, tmp_path):
    folder = tiny_beir(tmp_path / "beir")
    r = cli(command, "--data", f"beir:{folder}", argument, "-3", "--json")
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if "error:" in line]
    assert errors == [r.stderr.splitlines()[-1]]
    assert f"argument {argument}: must be a positive integer (got '-3')" in errors[0]


@pytest.mark.parametrize("name, line", [("corpus.jsonl", 7), ("queries.jsonl", 3)])
def test_an_undecodable_byte_names_the_file_and_the_line(name, line, tmp_path):
    folder = tiny_beir(tmp_path / "beir")
    lines = (folder / name).read_bytes().splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(b'"text": "', b'"text": "caf\xe9 ')
    (folder / name).write_bytes(b"".join(lines))
    r = cli("layers", "--data", f"beir:{folder}", "--json")
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert f"{folder / name}, line {line}: byte 0xe9" in r.stderr and "must be UTF-8" in r.stderr


def test_zero_shot_layers_centred_gives_the_probes_centred_numbers_and_the_same_raw_ones(probed):
    from mlrlib.data import load_data
    from mlrlib.evaluation.layer_analysis import zero_shot_layers
    from mlrlib.methods.encoders import MultiLayerEncoder
    folder, result, _ = probed
    encoder, data = MultiLayerEncoder("minilm"), load_data(f"beir:{folder}")
    plain, corpus = zero_shot_layers(encoder, data, "test", ENC)
    runs: dict = {}
    both, unit = zero_shot_layers(encoder, data, "test", ENC, runs, centre=True)
    raw = both[both.vectors == "raw"].drop(columns="vectors").reset_index(drop=True)
    assert raw.equals(plain.reset_index(drop=True))  # the same searches, bit for bit
    assert all(np.array_equal(unit[p], corpus[p]) for p in ("cls", "mean"))
    cls = both[(both.pooling == "cls") & (both.vectors == "centred")].set_index(["layer", "metric"]).value
    for row in result["per_layer"]:
        for metric, value in row["centred"].items():
            assert value == pytest.approx(cls[(row["layer"], metric)], abs=1e-9)
    L = encoder.num_layers
    assert {("mean", L), ("mean", L, "centred"), ("cls", 0, "centred")} <= set(runs)
