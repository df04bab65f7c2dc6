"""Figures of the studies (matplotlib), saved as PNG and returned for inline display."""
from __future__ import annotations

from pathlib import Path

import matplotlib

if not matplotlib.get_backend().lower().startswith("module://"):  # keep a notebook's inline backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save(fig, path: Path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120, bbox_inches="tight")
    tmp.replace(path)
    return fig


def per_layer(zero_shot, bm25, metrics=("Top-20", "MRR@10"), title="Zero-shot retrieval, layer by layer"):
    """Each layer's [CLS] and mean vector as a retriever, with BM25 as a reference line."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6))
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        for pooling, marker in (("cls", "o"), ("mean", "s")):
            d = zero_shot[(zero_shot.metric == metric) & (zero_shot.pooling == pooling)].sort_values("layer")
            ax.errorbar(d.layer, 100 * d.value, yerr=[100 * (d.value - d.ci_low), 100 * (d.ci_high - d.value)],
                        marker=marker, capsize=2, label=f"[{pooling.upper()}]" if pooling == "cls" else "mean")
        ax.axhline(100 * bm25[metric], color="grey", ls="--", label="BM25")
        ax.set(xlabel="layer (0 = embeddings)", ylabel=f"{metric} (%)", title=metric)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def systems_bar(table, metrics=("Top-5", "Top-20", "MRR@10"), title="Fine-tuned: dual encoder vs MLR"):
    names = list(dict.fromkeys(table.system))
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / len(metrics)
    for k, metric in enumerate(metrics):
        d = table[table.metric == metric].set_index("system").loc[names]
        x = np.arange(len(names)) + k * width
        ax.bar(x, 100 * d.value, width, yerr=[100 * (d.value - d.ci_low), 100 * (d.ci_high - d.value)],
               capsize=2, label=metric)
    ax.set_xticks(np.arange(len(names)) + width * (len(metrics) - 1) / 2, names, rotation=20, ha="right")
    ax.set(ylabel="%", title=title)
    ax.legend()
    fig.tight_layout()
    return fig


def m_sweep(points, metrics=("Top-5", "Top-20", "MRR@10"), title="Accuracy against the number of vectors m"):
    """points: DataFrame with columns m, metric, value, ci_low, ci_high."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for metric in metrics:
        d = points[points.metric == metric].sort_values("m")
        ax.errorbar(d.m, 100 * d.value, yerr=[100 * (d.value - d.ci_low), 100 * (d.ci_high - d.value)],
                    marker="o", capsize=2, label=metric)
    ax.set(xlabel="m (last m layers)", ylabel="%", title=title, xticks=sorted(points.m.unique()))
    ax.legend()
    fig.tight_layout()
    return fig


def heatmaps(matrices: dict, title="Cosine similarity of [CLS] vectors between layers"):
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.2 * len(matrices), 3.8))
    for ax, (name, mat) in zip(np.atleast_1d(axes), matrices.items()):
        im = ax.imshow(mat, vmin=min(0, mat.min()), vmax=1, cmap="viridis")
        for (a, b), val in np.ndenumerate(mat):
            ax.text(b, a, f"{val:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if val < 0.6 else "black")
        ax.set(title=name, xlabel="layer", ylabel="layer")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def lambda_sweep(points, reference: dict, metrics=("Top-5", "Top-20", "MRR@10"),
                 title="Single-vector MLR against the regularizer weight λ"):
    """points: DataFrame with columns lam, metric, value, ci_low, ci_high; reference: {metric: DE value}."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for metric, color in zip(metrics, plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        d = points[points.metric == metric].sort_values("lam")
        ax.errorbar(d.lam, 100 * d.value, yerr=[100 * (d.value - d.ci_low), 100 * (d.ci_high - d.value)],
                    marker="o", capsize=2, color=color, label=metric)
        ax.axhline(100 * reference[metric], color=color, ls="--", lw=1)
    ax.set_xscale("log")
    ax.set(xlabel="λ (log scale); dashed: the dual encoder (λ = 0)", ylabel="%", title=title)
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.tight_layout()
    return fig


def seeds(per_seed, systems, metrics=("Top-5", "Top-20", "MRR@10"), title="Each seed, test split"):
    """One line per seed joining its systems: is the gap larger than the seed-to-seed spread?"""
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.4 * len(metrics), 3.6))
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        d = per_seed[per_seed.metric == metric].pivot(index="seed", columns="system", values="value")[systems]
        for seed, row in d.iterrows():
            ax.plot(range(len(systems)), 100 * row.to_numpy(), "o-", label=f"seed {seed}")
        ax.set_xticks(range(len(systems)), systems, rotation=20, ha="right")
        ax.set(title=metric, ylabel="%", xlim=(-0.4, len(systems) - 0.6))
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def masking(steps: dict, title="False-negative filter during training"):
    """Negatives masked per step (left) and the threshold delta_t (right), one line per filter.
    steps: {name: DataFrame with step, masked, delta}."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, t in steps.items():
        ax1.plot(t.step, t.masked.cumsum(), label=name)
        ax2.plot(t.step, t.delta, label=name)
    ax1.set(xlabel="training step", ylabel="negatives masked (cumulative)")
    ax2.set(xlabel="training step", ylabel="threshold δ_t (teacher score units)")
    ax2.legend(frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def layer_curves(layers, metrics=("Top-20", "MRR@10"), title="Single-text embeddings, layer by layer (test)"):
    """One line per model and pooling (solid: mean, dashed: [CLS]); layers: long table with model/layer/pooling."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.8))
    colors = dict(zip(dict.fromkeys(layers.model), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        for (model, pooling), d in layers[layers.metric == metric].groupby(["model", "pooling"], sort=False):
            d = d.sort_values("layer")
            ax.plot(d.layer, 100 * d.value, marker="o" if pooling == "mean" else "x",
                    ls="-" if pooling == "mean" else "--",
                    color=colors[model], label=f"{model} ({'mean' if pooling == 'mean' else '[CLS]'})")
        ax.set(xlabel="layer (0 = embeddings)", ylabel=f"{metric} (%)", title=metric)
    np.atleast_1d(axes)[-1].legend(fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def layer_curves_by_vectors(layers, metric="MRR@10", title="Single-text embeddings, layer by layer (test)"):
    """Two panels, raw and centred vectors (`layer_analysis.zero_shot_layers(centre=True)`), one line per model and
    pooling (solid: mean, dashed: [CLS]); layers: long table with model/layer/pooling/vectors."""
    fig, axes = plt.subplots(1, 2, figsize=(10.4, 3.8), sharey=True)
    colors = dict(zip(dict.fromkeys(layers.model), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, vectors in zip(axes, ("raw", "centred")):
        d = layers[(layers.metric == metric) & (layers.vectors == vectors)]
        for (model, pooling), g in d.groupby(["model", "pooling"], sort=False):
            g = g.sort_values("layer")
            ax.plot(g.layer, 100 * g.value, marker="o" if pooling == "mean" else "x",
                    ls="-" if pooling == "mean" else "--", color=colors[model],
                    label=f"{model} ({'mean' if pooling == 'mean' else '[CLS]'})")
        ax.set(xlabel="layer (0 = embeddings)", title=f"{vectors} vectors" + (" (corpus mean subtracted)"
                                                                               if vectors == "centred" else ""))
    axes[0].set_ylabel(f"{metric} (%)")
    axes[-1].legend(fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def speed_quality(speed, test, metric="MRR@10", title="Light dual encoders: quality against encoding speed"):
    """Each system at (measured encoding speedup, test metric with its 95% interval), labelled."""
    v = test[test.metric == metric].set_index("system")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for name in speed.index:
        r = v.loc[name]
        ax.errorbar(speed.loc[name, "speedup"], 100 * r.value,
                    yerr=[[100 * (r.value - r.ci_low)], [100 * (r.ci_high - r.value)]], marker="o", capsize=2)
        ax.annotate(name, (speed.loc[name, "speedup"], 100 * r.value), textcoords="offset points", xytext=(6, 4))
    ax.set(xlabel="encoding speedup over the full DE (measured)", ylabel=f"{metric} (%)", title=title)
    fig.tight_layout()
    return fig


def m_curves(points, gamma: float, metric="MRR@10", title="More vectors, with and without decorrelating the layers"):
    """Left: `metric` against m without the penalty (a line through the measured m), and the penalised model at
    weight gamma as a point at each m it was trained at (no line: it was not trained at the m between); right: the
    measured layer correlation. points: `studies.open_questions.m_points` output."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    d = points[(points.metric == metric) & (points.gamma == 0.0)].sort_values("m")
    pen = points[(points.metric == metric) & (points.gamma == gamma)].sort_values("m")
    for frame, label, style in ((d, "MLR", {"marker": "o"}),
                                (pen, f"MLR + decorrelation (γ={gamma:g})", {"marker": "s", "ls": "none"})):
        ax1.errorbar(frame.m, 100 * frame.value, yerr=[100 * (frame.value - frame.ci_low),
                                                       100 * (frame.ci_high - frame.value)],
                     capsize=2, label=label, **style)
        ax2.plot(frame.m[frame.m > 1], frame.layer_correlation[frame.m > 1], label=label, **style)
    ax1.set(xlabel="m (last m layers)", ylabel=f"{metric} (%)", title=f"test {metric}",
            xticks=sorted(points.m.unique()))
    ax2.set(xlabel="m (last m layers)", ylabel="mean cosine between layers",
            title="layer correlation (held-out passages)", xticks=sorted(points.m.unique()))
    ax1.legend(loc="lower left", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def pair_shares(table, title="Which layer pair wins the max (test top 10)"):
    """A heat map of `layer_pairs.pair_table` (percent of the top-10 scores won by each (query, passage) layer
    pair), each cell labelled."""
    fig, ax = plt.subplots(figsize=(4.6, 3.9))
    image = ax.imshow(table.values, cmap="Blues", vmin=0, vmax=max(1.0, float(table.values.max())))
    for (i, j), v in np.ndenumerate(table.values):
        ax.text(j, i, f"{v:.0f}%", ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 * table.values.max() else "black")
    ax.set(xticks=range(table.shape[1]), xticklabels=table.columns, yticks=range(table.shape[0]),
           yticklabels=table.index, xlabel="passage vector", ylabel="query vector", title=title)
    fig.colorbar(image, ax=ax, label="% of top-10 scores")
    fig.tight_layout()
    return fig


def filter_tradeoff(sweep, title="False-negative filters: what they mask against what they should"):
    """Precision against recall of the known false negatives, one line per filter family, thresholds labelled."""
    fig, ax = plt.subplots(figsize=(5.8, 4))
    for kind, d in sweep.groupby("filter", sort=False):
        ax.plot(d.recall, d.precision, marker="o", label=kind)
        for _, r in d.iterrows():
            ax.annotate(f"{r.threshold}\n({100 * r['masked share']:.0f}% masked)", (r.recall, r.precision),
                        textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set(xlabel="recall of known false negatives", ylabel="precision", title=title, xlim=(-0.05, 1.1),
           ylim=(-0.05, 1.1))
    ax.legend()
    fig.tight_layout()
    return fig


def learning_curves(curves: dict, metric="MRR@10", chosen: int | None = None,
                    title="Dual encoder: dev quality along training"):
    """curves: {label: DataFrame with columns step and `metric`}; `chosen`: the step count every compared model
    trains (a dotted line)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for label, curve in curves.items():
        ax.plot(curve.step, 100 * curve[metric], marker="o", label=label)
    if chosen is not None:
        ax.axvline(chosen, color="grey", ls=":", label=f"steps trained: {chosen}")
    ax.set(xlabel="optimizer step", ylabel=f"dev {metric} (%)", title=title)
    ax.legend()
    fig.tight_layout()
    return fig


def premise_curves(curves: dict, column: str, threshold: float,
                   title="MLR's premise along training: do lower layers win the max?"):
    """curves: {label: a multi-vector model's learning curve with `column` (`learning_curve.SHARE`)}: the share of
    dev max-sim scores won by a layer below L at each step, and the premise's `threshold` (dashed): under it the
    max over layers is, for retrieval, the last layer alone."""
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for label, curve in curves.items():
        ax.plot(curve.step, 100 * curve[column], marker="o", label=label)
    ax.axhline(100 * threshold, color="grey", ls="--", label=f"premise threshold ({100 * threshold:g}%)")
    ax.set(xlabel="optimizer step", ylabel="max-sim scores won below L (%)", title=title)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    return fig


def teacher_curve(curve, metric="MRR@10", title="Teacher: dev quality of its re-ranking along training"):
    """`reranking.rerank_curve`'s table: the re-ranked `metric` per teacher step with its 95% interval, and the
    retriever alone (dashed): the teacher is worth distilling where the band clears the line."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    y = 100 * curve[metric]
    ax.plot(curve.step, y, marker="o", label="teacher re-ranks the student's top k")
    low, high = (y + 100 * (curve[side] - curve.difference) for side in ("ci_low", "ci_high"))
    ax.fill_between(curve.step, low, high, alpha=0.2, label="95% CI of the difference")
    ax.axhline(100 * curve.retriever.iloc[0], color="grey", ls="--", label="the student alone")
    ax.set(xlabel="teacher optimizer step", ylabel=f"dev {metric} (%)", title=title)
    ax.legend()
    fig.tight_layout()
    return fig


def teacher_choice(table, metric="MRR@10", title="Teacher candidates: re-ranking the student's dev top k"):
    """`teacher_choice.dev_table`: each candidate's paired dev difference to the student alone with its 95%
    interval (points); a candidate is worth distilling where its interval clears zero."""
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.55 * len(table)))
    y = range(len(table))[::-1]
    diff = 100 * table.difference
    ax.errorbar(diff, y, xerr=[diff - 100 * table.ci_low, 100 * table.ci_high - diff], fmt="o", capsize=4)
    ax.axvline(0, color="grey", ls="--")
    ax.set_yticks(list(y), table.teacher)
    ax.set(xlabel=f"dev {metric}, re-ranked − student alone (points)", title=title)
    fig.tight_layout()
    return fig
