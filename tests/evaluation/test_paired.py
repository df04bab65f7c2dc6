import math

import numpy as np
import pytest

from mlrlib.evaluation.paired import holm, minimum_detectable_effect, paired_comparison


def test_paired_comparison_matches_a_hand_computation():
    a = np.array([1, 1, 0, 1, 0, 1, 1, 0], dtype=float)
    b = np.array([0, 1, 0, 0, 0, 1, 0, 0], dtype=float)
    c = paired_comparison(a, b, "Top-5")
    # d = [1,0,0,1,0,0,1,0]: mean 3/8, sd sqrt((3*(5/8)^2 + 5*(3/8)^2) / 7)
    sd = math.sqrt((3 * (5 / 8) ** 2 + 5 * (3 / 8) ** 2) / 7)
    se = sd / math.sqrt(8)
    assert c.n == 8 and c.difference == pytest.approx(0.375)
    assert c.ci_high - c.difference == pytest.approx(2.364624 * se, rel=1e-5)  # t_{0.975, 7}
    t = 0.375 / se
    assert t == pytest.approx(2.0493, rel=1e-4)
    assert c.p == pytest.approx(0.0796, abs=5e-4)  # two-sided t(7) tail of 2.049
    assert not c.significant
    # 80% power at alpha 0.05 needs about (t_0.975 + t_0.8) standard errors, a little more at df = 7
    assert (2.3646 + 0.8960) * se < c.mde < 3.6 * se


def test_mde_approaches_the_normal_formula_for_many_queries():
    assert minimum_detectable_effect(0.4, 10_000) == pytest.approx((1.959964 + 0.841621) * 0.4 / 100, rel=2e-3)
    assert minimum_detectable_effect(0.4, 1200) < minimum_detectable_effect(0.4, 144) / 2.5  # sqrt(1200/144) = 2.9


def test_a_planted_difference_of_the_reported_mde_is_found_about_four_times_in_five():
    rng = np.random.default_rng(0)
    n, p_base = 300, 0.6
    pilot_base = rng.random(n) < p_base
    pilot_sys = np.where(rng.random(n) < 0.8, pilot_base, rng.random(n) < p_base)  # correlated systems
    mde = paired_comparison(pilot_sys.astype(float), pilot_base.astype(float)).mde
    # the same discordance structure, with the system shifted up by `mde` on average
    sd = np.std(pilot_sys.astype(float) - pilot_base, ddof=1)
    hits = 0
    trials = 2000
    for _ in range(trials):
        base = rng.normal(0, 1, n)
        system = base + mde + rng.normal(0, sd, n)
        hits += paired_comparison(system, base).p < 0.05
    assert 0.76 < hits / trials < 0.84
    # and an effect of half the MDE is found far less often
    half = sum(paired_comparison(b + mde / 2 + rng.normal(0, sd, n), b).p < 0.05
               for b in (rng.normal(0, 1, n) for _ in range(500)))
    assert half / 500 < 0.4


def _discordant_pairs(rng, n, wins, losses):
    """0/1 scores of two systems: the system alone hits with probability `wins`, the baseline alone
    with probability `losses`, and otherwise they agree (both hit or both miss, evenly)."""
    u = rng.random(n)
    system = np.where(u < wins, 1.0, np.where(u < wins + losses, 0.0, (u > 0.5 + wins + losses).astype(float)))
    baseline = np.where(u < wins, 0.0, np.where(u < wins + losses, 1.0, system))
    return system, baseline


def test_binary_metrics_with_a_planted_gain_are_detected_at_the_mde_rate():
    """Top-k hits are 0/1: the MDE of a pilot with 6% discordant queries and no true difference,
    then a planted gain of that size (more of the discordant queries won by the system)."""
    rng = np.random.default_rng(1)
    n, discordant, trials = 1200, 0.06, 1000
    mde = paired_comparison(*_discordant_pairs(rng, n, discordant / 2, discordant / 2)).mde
    wins, losses = (discordant + mde) / 2, (discordant - mde) / 2
    found = sum(paired_comparison(*_discordant_pairs(rng, n, wins, losses)).p < 0.05 for _ in range(trials))
    assert 0.74 < found / trials < 0.88


def test_identical_systems_are_not_different_and_have_no_mde():
    c = paired_comparison([1.0, 0.0, 1.0], [1.0, 0.0, 1.0])
    assert c.p == 1.0 and c.difference == 0 and math.isnan(c.mde)


def test_paired_comparison_refuses_misaligned_scores():
    with pytest.raises(ValueError, match="equal-length"):
        paired_comparison([1.0, 0.0], [1.0, 0.0, 1.0])


def test_holm_adjusts_step_down_and_keeps_order():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5]) == [0.5]
    adjusted = holm([0.2, float("nan"), 0.001])
    assert adjusted[0] == pytest.approx(0.2) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.002)


def test_nan_scores_are_refused_and_float_noise_is_no_spread():
    with pytest.raises(ValueError, match="nan"):
        paired_comparison([1.0, float("nan")], [1.0, 0.0])
    c = paired_comparison([0.1, 0.2, 0.3], [0.0, 0.1, 0.2])  # a constant shift, up to float noise
    assert c.p == 0.0 and math.isnan(c.mde) and c.difference == pytest.approx(0.1)
