"""The figures whose reading the notebooks state in words: what they draw, where."""
import numpy as np
import pandas as pd

from mlrlib.evaluation import figures
from mlrlib.evaluation.layer_pairs import pair_table


def test_the_penalised_model_is_a_point_at_the_m_it_was_trained_at_not_a_line_from_the_de():
    rows = [(1, 0.0, 0.70, np.nan), (4, 0.0, 0.72, 0.6), (6, 0.0, 0.71, 0.55), (6, 1.0, 0.69, 0.3)]
    points = pd.DataFrame([{"system": f"{m}/{g}", "m": m, "gamma": g, "metric": "MRR@10", "value": v,
                            "ci_low": v - 0.01, "ci_high": v + 0.01, "layer_correlation": c} for m, g, v, c in rows])
    fig = figures.m_curves(points, 1.0)
    plain, penalised = (line for line in fig.axes[0].get_lines() if len(line.get_xdata()) and line.get_marker() != "_")
    assert list(plain.get_xdata()) == [1, 4, 6] and list(penalised.get_xdata()) == [6]
    assert penalised.get_linestyle() == "None"


def test_the_pair_heat_map_labels_every_cell_with_its_share():
    shares = np.array([[0.1, 0.2], [0.3, 0.4]])
    fig = figures.pair_shares(pair_table(shares, [5, 6]))
    labels = sorted(t.get_text() for t in fig.axes[0].texts)
    assert labels == ["10%", "20%", "30%", "40%"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["layer 5", "layer 6"]


def test_layer_curves_by_vectors_draw_raw_and_centred_panels():
    layers = pd.DataFrame([{"model": m, "pooling": p, "vectors": v, "layer": l, "metric": "MRR@10", "value": 0.1 * l}
                           for m in ("CE", "DE") for p in ("mean", "cls") for v in ("raw", "centred")
                           for l in range(3)])
    fig = figures.layer_curves_by_vectors(layers)
    assert [ax.get_title().split()[0] for ax in fig.axes[:2]] == ["raw", "centred"]
    assert all(len(ax.get_lines()) == 4 for ax in fig.axes[:2])
