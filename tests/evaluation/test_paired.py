import math

import numpy as np
import pytest
from scipy import stats

from mlrlib.evaluation.paired import (
    holm,
    holm_levels,
    minimum_detectable_effect,
    minimum_detectable_effect_se,
    paired_comparison,
    seeded_comparison,
)


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


def _seeded_scores(shifts, q=1243, spread=0.3, seed=0):
    """(system, baseline) of shape (q, seeds): the baseline's 0/1 hits the same in every seed, the system's
    per-seed mean difference exactly `shifts`."""
    rng = np.random.default_rng(seed)
    base = (rng.random((q, 1)) < 0.6).astype(float).repeat(len(shifts), 1)
    noise = rng.normal(0, spread, (q, len(shifts)))
    return base + np.asarray(shifts) + noise - noise.mean(0), base


def test_three_disagreeing_seeds_are_not_significant():
    # the issue's case: notebook 05's penalty at m=6, per-seed differences -12.2, -8.4 and -4.5 points
    system, baseline = _seeded_scores([-0.122, -0.084, -0.045])
    c = seeded_comparison(system, baseline)
    assert c.seeds == 3 and c.difference == pytest.approx(-0.0837, abs=1e-4)
    assert not c.significant and 0.05 < c.p < 0.08
    assert c.df == pytest.approx(2, abs=0.1)  # the seed term has two degrees of freedom
    assert c.ci_low == pytest.approx(-0.179, abs=0.003) and c.ci_high == pytest.approx(0.012, abs=0.003)
    # averaging each query over the seeds first (the old test) hides the seeds' disagreement
    assert paired_comparison(system.mean(1), baseline[:, 0]).p < 1e-30


def test_three_near_identical_seeds_keep_the_query_level_power():
    system, baseline = _seeded_scores([-0.03])
    rng = np.random.default_rng(1)
    three = system.repeat(3, 1) + rng.normal(0, 1e-4, (len(system), 3))
    one, c = paired_comparison(system[:, 0], baseline[:, 0]), seeded_comparison(three, baseline.repeat(3, 1))
    assert (c.ci_high - c.ci_low) / (one.ci_high - one.ci_low) == pytest.approx(1, abs=0.1)
    assert c.mde == pytest.approx(one.mde, rel=0.1) and c.significant


def test_one_seed_is_the_paired_t_test():
    rng = np.random.default_rng(2)
    a, b = rng.random(50), rng.random(50)
    c, ref = seeded_comparison(a[:, None], b[:, None]), stats.ttest_rel(a, b)
    assert c.p == pytest.approx(ref.pvalue) and c.df == 49
    with pytest.raises(ValueError, match="queries, seeds"):
        seeded_comparison(a, b)


def test_the_mde_grows_at_a_holm_step_and_with_seed_variance():
    assert holm_levels([0.01, 0.04, 0.03]) == pytest.approx([0.05 / 3, 0.05, 0.05 / 2])
    c = paired_comparison(*_discordant_pairs(np.random.default_rng(3), 1200, 0.04, 0.03))
    stricter = c.at_level(0.05 / 4)
    # the α of the first of four Holm steps: the MDE is (t_{1-α/8} + t_{0.8}) / (t_{0.975} + t_{0.8}) larger
    ratio = (stats.norm.ppf(1 - 0.05 / 8) + stats.norm.ppf(0.8)) / (stats.norm.ppf(0.975) + stats.norm.ppf(0.8))
    assert stricter.mde / c.mde == pytest.approx(ratio, rel=0.01) and stricter.alpha == 0.05 / 4
    system, baseline = _seeded_scores([-0.122, -0.084, -0.045])
    assert seeded_comparison(system, baseline).mde > 4 * paired_comparison(system[:, 0], baseline[:, 0]).mde


def test_the_mde_stays_finite_where_the_noncentral_t_gives_up():
    # two seeds of a tiny rehearsal: df near 1 and a Holm level of α/8 (the noncentral t returns nan inside the bracket)
    for df, alpha in [(1.0, 0.05 / 8), (1.2, 0.05 / 6), (2.0, 0.05 / 8)]:
        mde = minimum_detectable_effect_se(0.1, df, alpha)
        assert np.isfinite(mde) and mde > 0.1 * (stats.t.ppf(1 - alpha / 2, df))
