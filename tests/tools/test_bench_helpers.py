"""The benchmarks' shared pieces: verdicts against targets, interleaved medians, the matched Gaussian."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from common import Report, interleaved_medians, peak_rss_mib  # noqa: E402
from search import MatchedGaussian  # noqa: E402


def test_checks_compare_against_their_target():
    report = Report("t")
    assert report.check("speed", 1.4, ">=", 1.3) is True
    assert report.check("speed", 1.2, ">=", 1.3) is False
    assert report.check("overhead", 1.06, "<=", 1.05) is False
    assert report.check("informative", 3.0) is None
    assert "NOT MET" in report.table() and report.table().count(" met") == 1


def test_interleaved_medians_times_every_system_after_warmup():
    calls = []
    times = interleaved_medians({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3)
    assert calls.count("a") == calls.count("b") == 4
    assert calls[2:4] == ["b", "a"]  # the order rotates each round
    assert set(times) == {"a", "b"} and times["a"]["repeats"] == 3


def test_matched_gaussian_has_unit_vectors_along_the_real_mean():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((500, 8)).astype(np.float32) * 0.1 + np.array([1, 0, 0, 0, 0, 0, 0, 0], np.float32)
    sample = MatchedGaussian(real).sample(2000, chunk=300)
    assert sample.shape == (2000, 8) and np.allclose(np.linalg.norm(sample, axis=1), 1, atol=1e-5)
    assert sample[:, 0].mean() > 0.9


def test_peak_rss_is_positive():
    assert peak_rss_mib() > 10
