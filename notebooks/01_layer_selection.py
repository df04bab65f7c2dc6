# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Which layers should represent a passage? (MLR, layer selection)
#
# *Investigating Multi-layer Representations for Dense Passage Retrieval* (MLR, arXiv 2509.23861) argues that a
# dual encoder throws information away by keeping only the last layer's `[CLS]` vector. Its
# multi-vector variant represents a passage by the vectors of a layer set $S$,
#
# $$D(d) = \{\,v_l(d) : l \in S\,\},\qquad s(q,d) = \max_{l\in S}\ \langle v_L(q),\ v_l(d)\rangle ,$$
#
# trained with InfoNCE over in-batch negatives on that max-sim score, and searched exactly with
# $m=|S|$ vectors per passage in one exact index (the paper's §3; layer sets in its §4.2.1). The paper's $v_l$ is
# layer $l$'s `[CLS]` vector. No official code exists; the formulas are the ones fixed in
# [`docs/methods.md`](../docs/methods.md#mlr), *reconstructed from the paper's description*.
#
# The model here, all-MiniLM-L6-v2, was trained with **mean** pooling, so this notebook runs MLR with both
# poolings: $v_l$ = layer $l$'s `[CLS]` vector (the paper's literal setting) and $v_l$ = the mean of layer $l$'s
# token vectors (this model's own). Each is compared with the dual encoder (DE) of the same pooling; the headline
# uses the pooling whose DE is stronger on dev.
#
# The questions, on the offline benchmark (3,064 real FAQ questions from 31 of Debian's documentation packages:
# [`docs/benchmark.md`](../docs/benchmark.md)):
# 1. **Zero-shot**: how well does each layer's `[CLS]` and mean vector retrieve, before any training?
# 2. **How long to train**: where does the DE's dev curve flatten? Every compared model then trains that many steps,
#    on the same batches.
# 3. **Fine-tuned**: does multi-vector MLR beat the DE, and which layer sets work ("last few" vs "uniform")? Three
#    seeds for the headline comparison.
# 4. **m sweep**: does accuracy fall when more layers are added?
# 5. **Correlation**: how similar are the layers' vectors?
#
# Presets: `smoke` (CI, about two minutes), `laptop` (default, 2 CPU cores, about 35 minutes), `paper` (BERT-base on
# SQuAD from the hub, for a GPU).

# %% tags=["parameters"]
preset = None  # None: laptop, or smoke on Binder (the first output says which, and why) | smoke | laptop | paper
seed = 0
_declared, _before = {"preset", "seed"}, set(globals())  # the parameters; the names so far

# %%
from mlrlib.runtime.notebook import start_study

# papermill injects its cell before this one: a name it added that is not declared is an error
cfg, prov, OUT = start_study("01_layer_selection", preset, seed, set(globals()) - _before, _declared)

import numpy as np
import pandas as pd
from IPython.display import display

from mlrlib.evaluation import figures as plots
from mlrlib.evaluation.comparison import evaluate as evaluate_models
from mlrlib.evaluation.claims import ClaimsTable
from mlrlib.evaluation.claims_store import write_claims
from mlrlib.evaluation.comparison import seed_summary
from mlrlib.evaluation.experiment import train_all
from mlrlib.evaluation.layer_analysis import cross_passage_cosine, held_out_passages, layer_cosine, zero_shot_layers
from mlrlib.evaluation.learning_curve import curve_steps, learning_curve, plateau_step, plateau_text
from mlrlib.evaluation.metrics import bm25_run, evaluate_runs, metric_table, run_of
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.losses import info_nce, max_sim_scores, mlr_multi_vector_loss
from mlrlib.methods.search import agrees_with_brute_force
from mlrlib.runtime.cache import atomic_write_csv, atomic_write_json, atomic_write_text
from mlrlib.runtime.notebook import check_all, load_study_data, show_source
from mlrlib.studies import layer_selection as study
from mlrlib.studies.layer_selection import DE, HEADLINE_MLR, POOLING_LABEL

enc, train = cfg["encode"], cfg["train"]
seeds = [seed, *[s for s in cfg["seeds"] if s != seed]][:len(cfg["seeds"])]

# %% [markdown]
# ## The data
#
# Queries are FAQ questions exactly as written; every chunk of a question's answer is relevant; the
# corpus adds distractor passages cut the same way from the rest of the documentation. Splits are by
# groups of questions sharing any text, so no question or answer is shared between train and test.
# Training pairs are the training questions plus weakly supervised (heading, section) pairs from the
# documentation itself (rules in `mlrlib/data/benchmark.py` and the README). Under `laptop` the corpus is the one
# notebooks 02-05 search as well.

# %%
data = load_study_data(cfg)
print("passage length (words):", {k: round(v) for k, v in data.summary()["passage_words"].items()})

# %% [markdown]
# ## 1. Zero-shot: every layer as a retriever
#
# One forward pass over the corpus gives all layers; each layer's `[CLS]` and mean vector retrieves on
# its own (cosine, queries encoded with the same layer and pooling). BM25 is the dashed reference line.
# Error bars are 95% bootstrap intervals over queries.

# %%
encoder = MultiLayerEncoder(cfg["model"])
L = encoder.num_layers
zero_shot, corpus_zs = zero_shot_layers(encoder, data, "test", enc)
bm25_test = bm25_run(data, "test")
bm25 = evaluate_runs(data.split("test").qrels, [bm25_test]).set_index("metric").value
atomic_write_csv(zero_shot, OUT / "zero_shot_layers.csv", index=False)
fig = plots.save(plots.per_layer(zero_shot, bm25), OUT / "zero_shot_layers.png")
best = zero_shot[zero_shot.metric == "Top-20"].sort_values("value").iloc[-1]
print(f"best zero-shot vector: {best.pooling} of layer {best.layer}, Top-20 {100 * best.value:.1f}%; "
      f"BM25 Top-20 {100 * bm25['Top-20']:.1f}%")

# %% [markdown]
# ## 2. How long to train: the dual encoder's learning curve
#
# The DE ($S=\{L\}$, so $m=1$ and the max is a single inner product) trains with InfoNCE over the batch: query $i$'s
# positive is passage $i$, every other passage of the batch is a negative, and with cosine scores a temperature
# $\tau$ sharpens the softmax,
#
# $$\mathcal{L} = -\frac{1}{B}\sum_{i=1}^{B}\log\frac{\exp(s(q_i,d_i)/\tau)}{\sum_{j}\exp(s(q_i,d_j)/\tau)} .$$
#
# The code, exactly as it runs (the max-sim score, InfoNCE, and the loss that combines them):

# %%
_ = show_source(max_sim_scores, info_nce, mlr_multi_vector_loss)

# %% [markdown]
# One run per pooling is evaluated on dev (MRR@10) before training and at evenly spaced steps up to the preset's
# step count. To keep each point cheap, the curve searches a sample of the corpus: every passage judged for a dev
# question plus random others (the sample's size is printed; scores are higher than on the whole corpus, but the
# curve compares a model with itself). `plateau` is the first point after which dev MRR@10 never rises by more
# than one point (`evaluation.learning_curve.plateau_step`); a curve that still rises at its last point has not
# flattened within the budget, and the notebook says so. The last point of each curve *is* that pooling's DE below:
# the run is stored as its checkpoint.

# %%
curve_data = data if cfg["curve"]["sample"] is None else data.with_corpus_sample("dev", cfg["curve"]["sample"])
at = curve_steps(train["steps"], cfg["curve"]["points"])
de_cfgs = {p: study.configs({DE: [L]}, cfg["model"], L, train, p, seed)[DE] for p in study.POOLINGS}
curves = {p: learning_curve(data, c, at, enc, eval_data=curve_data) for p, c in de_cfgs.items()}
plateaus = {p: plateau_step(c) for p, c in curves.items()}
for p, c in curves.items():
    atomic_write_csv(c, OUT / f"learning_curve_{p}.csv", index=False)
fig = plots.save(plots.learning_curves({f"DE, {POOLING_LABEL[p]} pooling": c for p, c in curves.items()},
                                       chosen=train["steps"]), OUT / "learning_curve.png")
print(f"dev corpus of the curve: {len(curve_data.corpus_ids)} passages; batch {train['batch_size']}, "
      f"{train['steps']} steps")
display(pd.DataFrame({POOLING_LABEL[p]: (100 * c.set_index("step")["MRR@10"]).round(1) for p, c in curves.items()}))
for p, step in plateaus.items():
    print(f"{POOLING_LABEL[p]} DE: {plateau_text(step, train['steps'])}")

# %% [markdown]
# Both DEs (their curves' last points) are then evaluated on the whole corpus. The headline pooling is the one whose
# DE has the higher **dev** MRR@10; the test split is not looked at to choose it.

# %%
des = train_all(data, {f"DE {POOLING_LABEL[p]}": c for p, c in de_cfgs.items()}, enc)
de_dev = evaluate_models(data, des, "dev").pivot(index="system", columns="metric", values="value")
pooling = max(study.POOLINGS, key=lambda p: de_dev.loc[f"DE {POOLING_LABEL[p]}", "MRR@10"])
other = study.other(pooling)
display((100 * de_dev[["Top-5", "Top-20", "MRR@10"]]).round(1))
print(f"headline pooling: {POOLING_LABEL[pooling]} (its DE is stronger on dev)")

# %% [markdown]
# ## 3. Fine-tuned: dual encoder vs multi-vector MLR
#
# One model per layer set $S$ in the headline pooling, the same steps, batches, learning rate and seed: the DE
# ($S=\{L\}$), the "last few" sets $\{L-1,L\}$, $\{L-2,L\}$ and the last four layers, a uniform set of four,
# and the rest of the m sweep. Queries always use $v_L$; passages are searched with all their vectors (exact
# max-sim). Marks: `*` = significantly different from the DE (paired t-test, p < 0.05, not corrected); `±` =
# half-width of the 95% bootstrap interval. Checkpoints are cached by a hash of their config, so a rerun reuses
# them.

# %%
sets = study.layer_sets(L, cfg["m_sweep"])
layer_cfgs = study.configs(sets, cfg["model"], L, train, pooling, seed)
models = train_all(data, layer_cfgs, enc, trained={DE: des[f"DE {POOLING_LABEL[pooling]}"]})
test = evaluate_models(data, models, "test", [bm25_test], baseline=DE)
atomic_write_csv(test, OUT / "fine_tuned_test.csv", index=False)
table = metric_table(test)
table.insert(0, "S", [str(sets.get(n, "-")) for n in table.index])
atomic_write_text(OUT / "fine_tuned_test.md", table.to_markdown())
display(table)
print("training seconds per model:", {n: round(m.log["train_seconds"]) for n, m in models.items()})
fig = plots.save(plots.systems_bar(test, title=f"Fine-tuned, {POOLING_LABEL[pooling]} pooling: DE vs MLR"),
                 OUT / "fine_tuned_systems.png")

# %% [markdown]
# ## 4. The m sweep: accuracy against the number of vectors
#
# The paper sees multi-vector MLR peak at $m=4$ (last layers) and fall beyond. Here $S$ is the last
# $m$ layers, so $m=1$ is the dual encoder and $m=L$ uses every transformer layer.

# %%
last_m = {n: len(s) for n, s in sets.items() if s == study.last_few(L, len(s))}
points = test[test.system.isin(last_m)].assign(m=lambda d: d.system.map(last_m))
atomic_write_csv(points, OUT / "m_sweep.csv", index=False)
fig = plots.save(plots.m_sweep(points), OUT / "m_sweep.png")
display(points[points.metric.isin(["Top-5", "Top-20", "MRR@10"])].pivot(index="m", columns="metric", values="value").round(3))

# %% [markdown]
# ## 5. The other pooling
#
# The same comparison, DE against MLR on the last four layers, in the pooling the headline did not use (one seed).
#
# Read this one with care when it is `[CLS]`: its curve in section 2 looks flat from step 25, but that is the end of
# its learning-rate schedule. A 200-step run of the same DE (batch 16, the same dev sample: `python
# tools/learning_curve.py`, made to choose the step count) kept rising: dev MRR@10 71.4 at step 50, 74.7 at 200.
# `[CLS]` vectors are under-trained at this budget, so this comparison speaks for 50 steps, not for the method.

# %%
suffix = f" {POOLING_LABEL[other]}"
other_models = train_all(data, study.configs({DE: [L], HEADLINE_MLR: study.last_few(L, 4)}, cfg["model"], L, train,
                                             other, seed, suffix),
                         enc, trained={f"{DE}{suffix}": des[f"DE {POOLING_LABEL[other]}"]})
other_test = evaluate_models(data, other_models, "test", baseline=f"{DE}{suffix}")
atomic_write_csv(other_test, OUT / "other_pooling_test.csv", index=False)
display(metric_table(other_test))

# %% [markdown]
# ## 6. Seeds: effect or noise?
#
# The headline pair, DE and MLR last-4 in the headline pooling, retrained with each seed (the seed sets the batch
# order and the dropout masks). Each cell: mean ± standard deviation over seeds of the test metric; the last rows
# give the per-seed difference and in how many seeds it was significant on its own (paired t-test over queries).
# The claim below tests the per-query mean over seeds.

# %%
pair = {n: layer_cfgs[n] for n in (DE, HEADLINE_MLR)}
per_seed, seed_runs = [], {n: [] for n in pair}
for s in seeds:
    same = {n: models[n] for n in pair} if s == seed else {}
    trained = train_all(data, {n: c.replace(seed=s) for n, c in pair.items()}, enc, trained=same)
    per_seed.append(evaluate_models(data, trained, "test", baseline=DE).assign(seed=s))
    for n in pair:
        seed_runs[n].append(trained[n].runs["test"])
per_seed = pd.concat(per_seed, ignore_index=True)
atomic_write_csv(per_seed, OUT / "seeds_test.csv", index=False)
seed_table = seed_summary(per_seed, DE, HEADLINE_MLR)
atomic_write_text(OUT / "seeds_test.md", seed_table.to_markdown())
display(seed_table)
fig = plots.save(plots.seeds(per_seed, [DE, HEADLINE_MLR]), OUT / "seeds.png")

# %% [markdown]
# ## 7. How correlated are the layers?
#
# Mean cosine similarity between the vectors of every pair of layers (headline pooling), over held-out passages (a
# sample of the answers of dev and test questions, never trained on): for the pre-trained model, the fine-tuned DE,
# and the fine-tuned MLR last-4. Below the heatmaps, each layer's mean cosine between the vectors of *different*
# passages in both poolings of the pre-trained model: a value near 1 means the layer gives every passage nearly the
# same vector, so it can add little to a max over layers.

# %%
rows = held_out_passages(data)[:cfg["cosine_passages"]]
texts = [data.corpus_texts[i] for i in rows]
def all_layers(model):
    return model.encode(texts, list(range(L + 1)), poolings=(pooling,), batch_size=enc["batch_size"],
                        max_length=enc["p_max_len"], bf16=enc["bf16"])[pooling]
mlr4 = all_layers(models[HEADLINE_MLR].encoder)
cosine = {"pre-trained": layer_cosine(corpus_zs[pooling][rows]),
          "fine-tuned DE": layer_cosine(all_layers(models[DE].encoder)),
          "fine-tuned MLR last-4": layer_cosine(mlr4)}
atomic_write_json(OUT / "layer_cosine.json", {k: v.round(4).tolist() for k, v in cosine.items()})
fig = plots.save(plots.heatmaps(cosine, title=f"Cosine similarity of {POOLING_LABEL[pooling]} vectors between layers"),
                 OUT / "layer_cosine.png")
spread = pd.DataFrame({f"pre-trained {POOLING_LABEL[p]}": cross_passage_cosine(corpus_zs[p][rows]) for p in study.POOLINGS})
spread[f"fine-tuned MLR last-4 {POOLING_LABEL[pooling]}"] = cross_passage_cosine(mlr4)
spread.index.name = "layer"
atomic_write_csv(spread, OUT / "cross_passage_cosine.csv")
print(f"{len(rows)} held-out passages; mean cosine between different passages' vectors, per layer:")
display(spread.T.round(2))

# %% [markdown]
# ## Paper vs here
#
# Each claim of the paper, tested on the metrics the paper reports (Top-5 and Top-20) and computed from the
# per-query values this notebook wrote (`per_query.csv.gz`; `python -m mlrlib claims` rebuilds the table from it
# with no model). Each row names its `system`, `baseline`, `metric` and `seeds`; the difference and its 95% interval
# include the seed-to-seed variance where there are several seeds; p is Holm-corrected over the notebook's claims,
# and the MDE (80% power) is at the level of the claim's Holm step. The verdicts
# ([`docs/methods.md`](../docs/methods.md#verdicts)): **supported** / **contradicted** (significant for / against
# the paper), **ruled out** (not significant, and the interval excludes the paper's effect), **not testable
# here** (the premise fails), **inconclusive**, **measured**.
#
# **The premise of every MLR claim**: a layer other than $L$ must win some of the max-sim scores, or the max over
# layers is the last layer alone and MLR *is* the DE. It is measured on dev before the test is read: the share of
# the scores $s(q,d)$ over each dev query's top 10 whose max is won by a layer below $L$; under 5% the row says
# "not testable here". Differences to expect: a 6-layer MiniLM trained with mean pooling instead of BERT-base, a
# technical-documentation corpus of a few thousand passages instead of 21M Wikipedia passages, and minutes of CPU
# training instead of 40 epochs on a GPU.
#
# How to read a verdict against MLR: it can only gain from a layer whose vector tells passages apart. Section 7's
# last table gives each layer's cosine between *different* passages; where it is close to 1 the layer hands
# every passage nearly the same vector, and a max over layers gains nothing from it. The `paper` preset tests the
# original setting.

# %%
cmp = study.Comparisons({n: m.runs["test"] for n, m in models.items()}, seed_runs,
                        {n.removesuffix(suffix): m.runs["test"] for n, m in other_models.items()})
evidence = PerQuery()
study.record(evidence, cmp, data.split("test").qrels, seeds, seed, [bm25_test])
for n, m in des.items():
    evidence.add(n, m.runs["dev"], data.split("dev").qrels, "dev", (seed,))
shares = {n: study.dev_lower_layer_share(m, data, enc, pooling, L) for n, m in models.items() if n != DE}
shares[HEADLINE_MLR + study.OTHER] = study.dev_lower_layer_share(other_models[HEADLINE_MLR + suffix], data, enc, other, L)
print("premise, share of dev max-sim scores won by a layer below L:", {n: f"{100 * v:.1f}%" for n, v in shares.items()})
curve = {m: test[(test.system == n) & (test.metric == "Top-20")].value.item() for n, m in last_m.items()}
claims = study.claims(cmp, sets, pooling, cosine["fine-tuned MLR last-4"], L, seeds, shares, curve)
claims = write_claims(OUT, [ClaimsTable("paper_vs_here.md", tuple(claims))], evidence)["paper_vs_here.md"]
display(claims)

# %% [markdown]
# ## Checks
#
# Properties that must hold for any preset; nbval compares this cell's output on every CI run.

# %%
# NBVAL_CHECK_OUTPUT
mlr = models[HEADLINE_MLR]
q = study.encode_queries(mlr.encoder, data.split("test").texts, L, enc, pooling)
dev_ids, dev_texts, dev_qrels = data.split("dev")
untrained = run_of("untrained", data, "dev", study.encode_queries(encoder, dev_texts, L, enc, "cls"),
                   corpus_zs["cls"][:, L])
cls_de = des["DE [CLS]"].runs["dev"]
dev = evaluate_runs(dev_qrels, [untrained, cls_de]).pivot(index="system", columns="metric", values="value")
all_models = {**models, **other_models}
checks = {
    "multi-vector exact search equals brute-force max-sim": agrees_with_brute_force(q, mlr.passages, 20),
    "every metric lies in [0, 1]": bool(pd.concat([test, other_test, per_seed, zero_shot]).value.between(0, 1).all()),
    "every compared model trained the same number of steps": len({m.cfg.steps for m in all_models.values()}) == 1,
    "fine-tuned [CLS] DE beats its untrained self on dev (MRR@10)": bool(dev.loc[cls_de.name, "MRR@10"] > dev.loc["untrained", "MRR@10"]),
    "a layer's vector is identical to itself (cosine diagonal = 1)": bool(np.allclose(np.diag(cosine["pre-trained"]), 1, atol=1e-3)),
}
check_all(checks)

# %%
record = prov.write(OUT, n_passages=len(data.corpus_ids), n_test_queries=len(data.split("test").ids),
                    headline_pooling=pooling, steps=train["steps"], plateau=plateaus, seeds=seeds,
                    train_seconds={n: round(m.log["train_seconds"], 1) for n, m in all_models.items()})
atomic_write_json(OUT / "metrics.json", {"zero_shot": zero_shot.to_dict("records"), "test": test.to_dict("records"),
                                         "other_pooling": other_test.to_dict("records"),
                                         "seeds": per_seed.to_dict("records"),
                                         "curves": {p: c.to_dict("records") for p, c in curves.items()},
                                         "bm25": bm25.to_dict(), "provenance": record})
print(f"runtime {record['runtime_seconds']:.0f} s, commit {record['commit'][:12]}, results in results/{OUT.relative_to(OUT.parents[1]) if prov.preset != 'laptop' else OUT.name}")
