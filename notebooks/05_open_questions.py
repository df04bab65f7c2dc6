# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · The papers' open questions, tried
#
# Each paper ends with questions it leaves open and limitations it admits (MLR, arXiv 2509.23861; MD2PR,
# arXiv 2312.16821; CE embeddings, arXiv 2502.03552; the methods as implemented here are in
# [`docs/methods.md`](../docs/methods.md)). Here each becomes a small experiment with a stated **hypothesis**,
# a **result** computed below and a **caveat**, on the data and models of notebooks 01–04:
#
# 1. **Symmetric search** (MLR): multi-layer vectors on the query side too, on a task where query and passage are
#    the same kind of text.
# 2. **Multi-vector scaling** (MLR): does accuracy still fall as $m$ grows when the layer vectors are decorrelated?
# 3. **Causal attention** (MLR): does MLR's gain survive a causal mask and last-token pooling?
# 4. **MD2PR**: teacher and student size; static against dynamic false-negative filtering at several thresholds.
# 5. **Cross-encoder embedders**: where is the cross-encoder's best embedding layer before, during and after its
#    training?
# 6. **A next check**: MLR on a task outside open-domain QA, through a BEIR-format folder.
#
# Each question is judged as notebooks 01–04 judge a paper's claim: a paired test over the test questions gives its
# key comparison a difference, a 95% interval, a p (Holm over this notebook's tested rows) and a minimum
# detectable effect at 80% power (MDE), and a verdict: **supported**, **contradicted**, **inconclusive** (read the
# MDE beside it) or **measured** (a property read directly). The two MLR questions with a hypothesis about the
# method itself (1 and 2) compare their models over 3 seeds; the others run one seed, and their rows say so.
# Under `laptop` every retriever trains 30 steps (the DE's dev curve below says how flat it is there; question 3's
# grid 60), and the
# test questions are searched among a sample of the corpus; both are said where they matter.
#
# Code: `mlrlib/studies/open_questions.py` (this notebook's experiments), `data/symmetric_task.py`, `data/beir_export.py`,
# and the additions they use: `methods/losses.two_sided_mlr_loss` and `layer_decorrelation`, causal attention and
# last-token pooling in `methods/encoders.py`, `training/ranker.train_ranker_snapshots`,
# `methods/false_negatives.detection_quality`.

# %% tags=["parameters"]
preset = None  # None: laptop, or smoke on Binder (the first output says which, and why) | smoke | laptop | paper
seed = 0
beir_folder = None  # a BEIR-format folder for question 6; None: the preset's (offline: built from the docs)
_declared, _before = {"preset", "seed", "beir_folder"}, set(globals())  # the parameters; the names so far

# %%
from mlrlib.runtime.notebook import start_study

# papermill injects its cell before this one: a name it added that is not declared is an error
cfg, prov, OUT = start_study("05_open_questions", preset, seed, set(globals()) - _before, _declared, max_colwidth=200)

import numpy as np
import pandas as pd
import torch
from IPython.display import display

from mlrlib.data import load_data
from mlrlib.data.beir_export import offline_beir_folder
from mlrlib.data.symmetric_task import same_answer_task
from mlrlib.evaluation import figures as plots
from mlrlib.evaluation.claims import Claim, Condition, Premise, Test, best_on_dev, percent
from mlrlib.evaluation.claims_store import write_claims
from mlrlib.evaluation.comparison import evaluate, seed_summary
from mlrlib.evaluation.experiment import encode_queries, evaluated, train_all
from mlrlib.evaluation.layer_analysis import held_out_passages
from mlrlib.evaluation.layer_pairs import pair_table, rescored_runs, winning_pairs
from mlrlib.evaluation.learning_curve import curve_steps, learning_curve, plateau_step, plateau_text
from mlrlib.evaluation.metrics import bm25_run, metric_table
from mlrlib.evaluation.per_query import PerQuery
from mlrlib.evaluation.premises import PLATEAU_RISE, last_quarter_rise
from mlrlib.evaluation.reranking import cached_rerank
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.methods.losses import layer_decorrelation, two_sided_max_sim_scores
from mlrlib.runtime.cache import atomic_write_csv, atomic_write_json, atomic_write_text
from mlrlib.runtime.notebook import check_all, load_study_data, show_source
from mlrlib.studies import early_layers as early_layer_study
from mlrlib.studies import open_questions as oq
from mlrlib.training.light_de import ce_embedder
from mlrlib.training.md2pr import teacher_scores
from mlrlib.training.negatives import negative_lists
from mlrlib.training.ranker import RankerConfig, train_ranker_snapshots
from mlrlib.training.teacher import teacher

enc, train, w = cfg["encode"], cfg["train"], cfg["light"]
findings = []  # one Claim per tested hypothesis, for the closing table
evidence = PerQuery()  # the per-query values its tests read (per_query.csv.gz)
seeds = [seed, *[s for s in cfg["seeds"] if s != seed]][:len(cfg["seeds"])]  # the notebook's seed first

# %% [markdown]
# ## The data
#
# The benchmark of notebooks 01–04: real FAQ questions from 31 Debian documentation packages, their answers cut
# into 100-word passages, and the same packages' documentation passages as distractors (7,000 under `laptop`).
# Every retriever below starts from the packaged all-MiniLM-L6-v2 ($L = 6$) and trains for 30 steps on batches of
# 8 queries, each with its positive and one BM25 negative (in-batch negatives too), mean pooling, cosine
# similarity at temperature 0.05.
#
# **Where the test questions are searched.** Under `laptop`, among 3,000 passages: every passage judged relevant
# to a test question (2,319) and 681 drawn from the rest (`RetrievalData.with_corpus_sample`). Encoding the whole
# corpus is most of what a model costs here, and this notebook trains about 25; every question compares models
# on the same passages, but the absolute scores are higher than notebooks 01–04's. Training and its BM25
# negatives use the whole corpus.

# %%
data = load_study_data(cfg)
L = MultiLayerEncoder(cfg["model"]).num_layers
sample = cfg["eval_sample"] or {}
test_data = data.with_corpus_sample("test", sample["test"]) if "test" in sample else data
qrels = test_data.split("test").qrels
held_out = held_out_passages(test_data, ("test",))
dev_data = data.with_corpus_sample("dev", sample["test"]) if "test" in sample else data  # where premises are read
dev_texts = data.split("dev").texts
bm25_test = bm25_run(test_data, "test")
print(f"test: {len(qrels)} questions searched among {len(test_data.corpus_ids)} of the {len(data.corpus_ids)} "
      f"passages; seeds {seeds}")

# %% [markdown]
# **How long to train.** The dev learning curve of the DE ($m = 1$ below) in this notebook's training setup, on the
# 2,000-passage dev sample of notebooks 01–04 (its last point is the DE question 2 uses).

# %%
curve_data = data.with_corpus_sample("dev", cfg["curve"]["sample"]) if cfg["curve"]["sample"] else data
def m_of(s, penalties=()):  # question 2's models with seed s (m = 1 is the DE), and the penalised ones asked for
    return oq.m_configs(cfg["model"], L, train, cfg["m_sweep"], penalties, s)
de_cfg = m_of(seed)[oq.DE]
de_curve = learning_curve(data, de_cfg, curve_steps(train["steps"], cfg["curve"]["points"]), enc, eval_data=curve_data)
atomic_write_csv(de_curve, OUT / "learning_curve.csv", index=False)
fig = plots.save(plots.learning_curves({oq.DE: de_curve}, chosen=train["steps"], title="The DE: dev quality along training"),
                 OUT / "learning_curve.png")
print(f"dev corpus of {len(curve_data.corpus_ids)} passages: {plateau_text(plateau_step(de_curve), train['steps'])}")
display((100 * de_curve.set_index("step")[["MRR@10"]]).round(1).T)

# %% [markdown]
# **Reading the figure**: the DE's dev MRR@10 before training and along its run; the dotted line is the 30 steps every
# model of questions 1, 2 and 4 trains. A flat line means more steps would not change what those questions compare.

# %% [markdown]
# ## 1. Symmetric search: multi-layer vectors on the query side too
#
# MLR gives each *passage* several layer vectors and the query one. The MLR paper (arXiv 2509.23861) calls the
# extension to the query side direct future work, for symmetric tasks such as duplicate questions, where the query is as long and as
# rich as a passage.
#
# **The task** (`mlrlib/data/symmetric_task.py`). The offline data has no paraphrase pairs, but many FAQ answers span
# several passages. *Query:* the first passage of a held-out answer that spans at least two; *relevant:* that
# answer's other passages; the query passages themselves are removed from the corpus. Training pairs: the first
# and second passage of each training answer. Both sides are 100-word documentation passages and "same answer"
# is a symmetric relation; the task asks for topic and continuity, not question to answer.
#
# **Three models**, all with the layer set $S$ = the last 4 layers, each trained with the score it searches with:
# $\max_{b\in S}\langle q_L, d_b\rangle$ (passage side, the paper's MLR, the baseline);
# $\max_{a\in S}\langle q_a, d_L\rangle$ (query side); $\max_{a,b\in S}\langle q_a, d_b\rangle$ (both sides).
# Search is exact: the exact index per query vector, then the union of candidates rescored.
#
# **Hypothesis:** both sides beat the passage side, since here the query has as much to represent as a passage.
#
# The both-sides score, in code (the training loss is InfoNCE over it, `losses.two_sided_mlr_loss`):

# %%
_ = show_source(two_sided_max_sim_scores)

# %%
sym_source = data if cfg["symmetric_data"] is None else load_data(**cfg["symmetric_data"])
sym = same_answer_task(sym_source)
sym_eval = sym.with_corpus_sample("test", sample["symmetric"]) if "symmetric" in sample else sym
sym_enc = {**enc, "q_max_len": enc["p_max_len"]}  # queries are passages here
sym_train = {**train, "q_max_len": train["p_max_len"]}
print(f"{len(sym.corpus_ids)} passages ({len(sym_eval.corpus_ids)} searched); test queries {len(sym.split('test').ids)}; "
      f"{len(sym.train_pairs)} training pairs")


def sym_of(s):
    return oq.symmetric_configs(cfg["model"], L, cfg["symmetric_layers"], sym_train, s)
PASSAGE, BOTH = "passage side (MLR)", "both sides"
sym_models = train_all(sym, sym_of(seed) | oq.for_seeds(sym_of, seeds, (PASSAGE, BOTH)), sym_enc, splits=("test",),
                       eval_data=sym_eval)
sym_test = evaluate(sym_eval, {n: sym_models[n] for n in sym_of(seed)}, "test", [bm25_run(sym_eval, "test")],
                    baseline=PASSAGE)
atomic_write_csv(sym_test, OUT / "symmetric_test.csv", index=False)
atomic_write_text(OUT / "symmetric_test.md", metric_table(sym_test).to_markdown())
display(metric_table(sym_test))
sym_seeds = oq.seed_table(sym_eval, sym_models, PASSAGE, BOTH, seeds)
atomic_write_csv(sym_seeds, OUT / "symmetric_seeds.csv", index=False)
display(seed_summary(sym_seeds, PASSAGE, BOTH, ("Top-1", "Top-5", "Top-20", "MRR@10")))

# %% [markdown]
# **Which layer pair wins the max?** With $|S| = 4$ layers on each side the both-sides score is a max over 16
# pairs, most of them between early layers whose vectors are nearly the same for every text. The heat map counts,
# over each test query's top 10, which (query layer, passage layer) pair attains the max (`layer_pairs.winning_pairs`).
# Then the same trained vectors scored two other ways: **centred** (each layer's mean passage vector subtracted
# from both sides, so a direction every text shares no longer scores) and with **the last layer on the query
# side** (the passage-side score, on the both-sides model). Seed 0, `*` against the passage-side model.

# %%
both_model = sym_models[BOTH]
sym_ids, sym_query_texts, _ = sym_eval.split("test")
sym_q_both = encode_queries(both_model.encoder, sym_query_texts, both_model.cfg, sym_enc)
sym_p_both = np.asarray(both_model.passages, dtype=np.float32)
_ = show_source(winning_pairs)
pairs = pair_table(winning_pairs(sym_q_both, sym_p_both), both_model.cfg.doc_layers)
atomic_write_text(OUT / "symmetric_pairs.md", pairs.round(1).to_markdown())
display(pairs.round(1))
fig = plots.save(plots.pair_shares(pairs), OUT / "symmetric_pairs.png")
rescored = rescored_runs(BOTH, sym_ids, sym_q_both, sym_p_both, sym_eval.corpus_ids)
sym_rescored = evaluate(sym_eval, {PASSAGE: sym_models[PASSAGE], BOTH: both_model}, "test", list(rescored.values()),
                        baseline=PASSAGE)
atomic_write_csv(sym_rescored, OUT / "symmetric_rescored.csv", index=False)
atomic_write_text(OUT / "symmetric_rescored.md", metric_table(sym_rescored).to_markdown())
display(metric_table(sym_rescored))
top_pair = pairs.stack().idxmax()
rv = sym_rescored[sym_rescored.metric == "MRR@10"].set_index("system").value

# %% [markdown]
# **Reading the heat map**: a cell is the share of the test top-10 scores whose max that (query, passage) layer pair
# attains; mass on the diagonal's lower right means the last layers decide, mass elsewhere that the early layers'
# shared direction does.

# %%
sym_qrels = sym_eval.split("test").qrels
both_vs = oq.tested(evidence, sym_qrels, BOTH, oq.seed_runs(sym_models, BOTH, seeds), PASSAGE,
                     oq.seed_runs(sym_models, PASSAGE, seeds), split="symmetric test", seeds=seeds)
query_vs = oq.tested(evidence, sym_qrels, "query side", sym_models["query side"].runs["test"], PASSAGE,
                     sym_models[PASSAGE].runs["test"], split="symmetric test", seeds=(seed,))
sym_premise = oq.share_premise(oq.dev_share(sym_models[PASSAGE], sym.split("dev").texts if "dev" in sym.splits else dev_texts,
                                            sym_enc, L), PASSAGE)
v = sym_test[sym_test.metric == "MRR@10"].set_index("system").value
findings += [
    Claim("1. Symmetric search: multi-layer vectors on both sides", "both sides > passage side (MLR §6, future work)",
          f"same-answer matching, MRR@10 per query averaged over {len(seeds)} seeds; seed {seed}: passage side "
          f"{percent(v[PASSAGE])}, both sides {percent(v[BOTH])}, BM25 {percent(v['BM25'])}; its max is won by "
          f"({top_pair[0]}, {top_pair[1]}) in {pairs.stack().max():.0f}% of test top-10 scores; re-scored centred "
          f"{percent(rv[rescored['centred'].name])}, with the query's last layer "
          f"{percent(rv[rescored['last layer on the query side'].name])}", both_vs, premise=sym_premise),
    Claim("1. Symmetric search: multi-layer vectors on the query side only", "query side > passage side",
          f"MRR@10 {percent(v[PASSAGE])} -> {percent(v['query side'])} (1 seed)", query_vs, premise=sym_premise)]

# %% [markdown]
# **Caveat.** A proxy for duplicate-question search: the pairs are continuations of one answer, not paraphrases.
# Under `laptop` its 582 test queries search 2,000 of its passages (the 1,077 judged for them and others drawn). Encoding a query costs the same with one or four vectors (one
# forward pass), but "both sides" searches $|S|$ times per query and stores $|S|$ vectors per passage.
#
# ## 2. Multi-vector scaling: decorrelating the layer vectors
#
# MLR (arXiv 2509.23861, §4.2.2) finds accuracy best near $m = 4$ vectors and falling beyond, and explains it by the
# layers' vectors being highly correlated; it does not try to decorrelate them. Here MLR on the last $m$ layers is
# trained with and without an orthogonality penalty:
#
# $$\mathcal{L} = \mathrm{NCE}\Big(\max_{l\in S}\langle q, d_l\rangle\Big) + \gamma\,\frac{1}{N}\sum_i \frac{2}{m(m-1)}\sum_{a<b}\cos\big(d^{(i)}_a, d^{(i)}_b\big)^2$$
#
# (`losses.layer_decorrelation`, our choice of penalty). Its weight $\gamma$ is **swept on dev** at the largest
# $m$ (`laptop`: $\gamma \in \{0.1, 0.3, 1, 10\}$ at $m = 6$): at the start of training the penalty is about 0.4
# at $m = 6$, so $\gamma = 10$ makes it several times the contrastive loss (0.6-0.9) and $\gamma = 0.1$ a tenth of
# it. The best $\gamma$ on dev is then tested on test against the same $m$ without the penalty, over 3 seeds. The layer
# correlation is measured on the passages judged for the split's questions: the mean cosine between a passage's
# different layer vectors. `laptop` sweeps $m \in \{1, 4, 6\}$; notebook 01 found no fall from 4 to 6 on this
# corpus, and it is tested again here, on dev, as the premise.
#
# **Hypothesis:** the penalty lowers the correlation, and with it accuracy at the largest $m$ rises (no longer falls).

# %%
_ = show_source(layer_decorrelation)

# %%
decor = cfg["decorrelation"]
m_big = decor["m"]
plain = f"m={m_big}"
gamma_cfgs = m_of(seed, oq.gamma_sweep(m_big, decor["gammas"]))
gamma_cfgs = {n: c for n, c in gamma_cfgs.items() if n == plain or c.decorrelation > 0}
gamma_models = train_all(data, gamma_cfgs, enc, splits=("dev",), eval_data=dev_data)
gamma_dev = evaluate(dev_data, gamma_models, "dev", baseline=plain)
gamma_points = oq.m_points(gamma_dev, gamma_models, held_out_passages(dev_data, ("dev",)))
atomic_write_csv(gamma_points, OUT / "decorrelation_dev.csv", index=False)
gamma_table = metric_table(gamma_dev, ("Top-1", "Top-5", "Top-20", "MRR@10")).join(
    gamma_points.drop_duplicates("system").set_index("system")[["gamma", "layer_correlation"]].round(3))
atomic_write_text(OUT / "decorrelation_dev.md", gamma_table.to_markdown())
display(gamma_table)
gamma = float(gamma_models[best_on_dev(gamma_dev, [n for n in gamma_cfgs if n != plain])].cfg.decorrelation)
penalised = oq.penalised(m_big, gamma)
print(f"dev choice: γ = {gamma:g} (best dev MRR@10 of the penalised models at m = {m_big})")


def m_chosen(s):  # the m sweep and the dev-chosen penalty, with seed s
    return m_of(s, [(m_big, gamma)])


m_models = train_all(data, m_chosen(seed) | oq.for_seeds(m_chosen, seeds, (plain, penalised)), enc, splits=("test",),
                     eval_data=test_data)
sweep_models = {n: m_models[n] for n in m_chosen(seed)}
m_test = evaluate(test_data, sweep_models, "test", [bm25_test], baseline=oq.DE)
points = oq.m_points(m_test, sweep_models, held_out)
atomic_write_csv(points, OUT / "m_sweep_test.csv", index=False)
m_table = metric_table(m_test).join(points.drop_duplicates("system").set_index("system")[["gamma", "layer_correlation"]].round(3))
atomic_write_text(OUT / "m_sweep_test.md", m_table.to_markdown())
display(m_table)
fig = plots.save(plots.m_curves(points, gamma), OUT / "m_sweep.png")
m_seeds = oq.seed_table(test_data, m_models, plain, penalised, seeds)
atomic_write_csv(m_seeds, OUT / "m_sweep_seeds.csv", index=False)
display(seed_summary(m_seeds, plain, penalised, ("Top-1", "Top-5", "Top-20", "MRR@10")))
corr = points.drop_duplicates("system").set_index("system").layer_correlation
v = m_test[m_test.metric == "MRR@10"].set_index("system").value
peak, _ = oq.falls_after_peak(points, 0.0)
m_top = max(cfg["m_sweep"])
findings.append(Claim("2. Multi-vector scaling: the penalty lowers the layer correlation", "decorrelation (our question)",
                      f"mean cosine between a passage's layer vectors at m={m_big}: {corr[plain]:.2f} -> "
                      f"{corr[penalised]:.2f} with γ={gamma:g}, chosen on dev among {decor['gammas']} (seed {seed})"))
if m_top > 4 and "m=4" in v:
    findings.append(Claim("2. Multi-vector scaling: accuracy falls beyond m=4 (premise)", "MLR §4.2.2: best near m=4",
                          "MRR@10 by m: " + ", ".join(f"{m}: {percent(v[oq.DE if m == 1 else f'm={m}'])}"
                                                       for m in cfg["m_sweep"]) + f" (seed {seed}; peak at m={peak})",
                          oq.tested(evidence, qrels, f"m={m_top}", m_models[f"m={m_top}"].runs["test"], "m=4",
                                    m_models["m=4"].runs["test"], seeds=(seed,)),
                          premise=Premise(none_needed="it is the penalty's premise, tested on test as well"),
                          direction="less"))
# the premise, on dev: accuracy falls from m = 4 to the largest m (else there is no fall for the penalty to undo)
falls_premise = Premise(none_needed=f"this preset sweeps no m above 4 (m = {cfg['m_sweep']})")
if m_top > 4 and "m=4" in m_models:
    for n in ("m=4", f"m={m_top}"):
        m = m_models[n]
        evidence.add(n, evaluated(n, m.encoder, m.log, m.cfg, dev_data, enc, ("dev",)).runs["dev"],
                     dev_data.split("dev").qrels, "dev", (seed,))
    falls_premise = Premise((Condition(f"dev MRR@10, m={m_top} − m=4", test=Test(f"m={m_top}", "m=4", "MRR@10", "dev"),
                                       direction="less"),))
findings.append(Claim(f"2. Multi-vector scaling: the penalty raises accuracy at m={m_big}",
                      "the fall is the correlation's doing (MLR §4.2.2's explanation)",
                      f"MRR@10 per query averaged over {len(seeds)} seeds; seed {seed}: {percent(v[plain])} -> "
                      f"{percent(v[penalised])}",
                      oq.tested(evidence, qrels, penalised, oq.seed_runs(m_models, penalised, seeds), plain,
                                oq.seed_runs(m_models, plain, seeds), seeds=seeds), premise=falls_premise))
print(*(f.here for f in findings[-3:]), sep="\n")

# %% [markdown]
# **Reading the figure**: the line is MLR without the penalty at each $m$ it was trained at, the square the
# dev-chosen penalty at $m = 6$ alone (it was trained at no other $m$); the right panel shows how far the penalty
# moved the layers apart.

# %% [markdown]
# **Caveat.** The table's significance marks compare each model with the DE; the penalty is tested directly (the
# penalised model against the same $m$ without it, over seeds). 30 steps may be too few for the encoder to find
# decorrelated layer vectors that still retrieve well: the penalty may need longer training to pay off. Where
# the premise fails (no fall beyond $m = 4$), the question the penalty was meant to answer does not arise on this
# data; what remains is what the penalty costs or gains.
#
# ## 3. Causal attention and last-token pooling
#
# MLR was tried on encoders (BERT) and encoder–decoders (T5), not on decoder-only models, which see each text
# through a causal mask and are usually pooled at the last token. A **proxy** under `laptop`: the same MiniLM run
# with a causal mask (`is_decoder`: token $t$ attends to tokens $\le t$ only) and last-token pooling, fine-tuned
# the same way. It is not a decoder: it was pre-trained bidirectionally, so fine-tuning must also adapt it to the
# mask. The `paper` preset uses a real decoder (Qwen2.5-0.5B) by hub id.
#
# The mask and the pooling are two changes, so they are crossed: a **2 × 2 grid**, {bidirectional, causal} ×
# {mean, last-token}, a DE and MLR (the last 4 layers) in each cell, every model on the same budget (`laptop`: 60
# steps, twice the other questions', since a model must adapt to a new mask or pooling). Each cell's DE is traced
# on dev along its training: the decoder-like cell's plateau is the headline row's premise.
#
# **Hypothesis:** MLR's gain over the DE carries over to the causal model, since its intermediate layers' last
# tokens also summarise the whole text.

# %%
causal = cfg["causal"]
grid_train = {**train, "steps": causal["steps"] or train["steps"]}
L_causal = MultiLayerEncoder(causal["model"], attention="causal").num_layers
grid = oq.attention_grid(causal["model"], L_causal, causal["layers"], grid_train, seed, causal["attentions"])
grid_curve_data = data.with_corpus_sample("dev", causal["curve_sample"]) if causal.get("curve_sample") else curve_data
grid_curves = {n: learning_curve(data, c, curve_steps(grid_train["steps"], cfg["curve"]["points"]), enc,
                                 eval_data=grid_curve_data) for n, c in grid.items() if n.endswith(": DE")}
atomic_write_csv(pd.concat([c.assign(model=n) for n, c in grid_curves.items()]), OUT / "causal_curves.csv", index=False)
fig = plots.save(plots.learning_curves(grid_curves, chosen=grid_train["steps"],
                                       title="Question 3: each cell's DE, dev quality along training"),
                 OUT / "causal_curves.png")
c_models = train_all(data, grid, enc, splits=("test",), eval_data=test_data)
causal_test = pd.concat([evaluate(test_data, {n: c_models[n] for n in (oq.cell(a, pl, "DE"), oq.cell(a, pl, "MLR"))},
                                  "test", baseline=oq.cell(a, pl, "DE"))
                         for a in causal["attentions"] for pl in oq.POOLINGS], ignore_index=True)
atomic_write_csv(causal_test, OUT / "causal_test.csv", index=False)
atomic_write_text(OUT / "causal_test.md", metric_table(causal_test).to_markdown())
display(metric_table(causal_test))
v = causal_test[causal_test.metric == "MRR@10"].set_index("system").value
grid_gains = {}
for a in causal["attentions"]:
    for pl in oq.POOLINGS:
        de_name, mlr_name = oq.cell(a, pl, "DE"), oq.cell(a, pl, "MLR")
        g = oq.tested(evidence, qrels, mlr_name, c_models[mlr_name].runs["test"], de_name, c_models[de_name].runs["test"],
                      seeds=(seed,)).compare(evidence)
        grid_gains[(a, pl)] = {"DE": v[de_name], "MLR": v[mlr_name], "gain": g.difference, "ci_low": g.ci_low,
                               "ci_high": g.ci_high, "p": g.p,
                               "DE dev rise, last quarter": last_quarter_rise(grid_curves[de_name])}
gain_table = pd.DataFrame(grid_gains).T.rename_axis(["attention", "pooling"])
atomic_write_text(OUT / "causal_gains.md", (gain_table.assign(**{c: 100 * gain_table[c] for c in gain_table
                                                                 if c != "p"})).round(3).to_markdown())
display((gain_table.assign(**{c: 100 * gain_table[c] for c in gain_table if c != "p"})).round(2))
c_de, c_mlr = oq.cell("causal", "last", "DE"), oq.cell("causal", "last", "MLR")
bidirectional = [k for k in grid_gains if k[0] == "bidirectional"]
other_cells = "; ".join(f"{a}/{pl} {100 * grid_gains[(a, pl)]['gain']:+.1f} (p {grid_gains[(a, pl)]['p']:.2g})"
                        for a, pl in grid_gains if (a, pl) != ("causal", "last"))
plateau = Condition(f"{c_de}'s dev MRR@10 rise over the last quarter of its learning curve",
                    last_quarter_rise(grid_curves[c_de]), PLATEAU_RISE, at_most=True)
share = oq.share_premise(oq.dev_share(c_models[c_mlr], dev_texts, enc, c_models[c_mlr].encoder.num_layers), c_mlr)
findings.append(Claim("3. MLR under causal attention + last-token pooling (proxy)", "MLR's gain over the DE survives the mask",
                      f"causal, last-token MLR vs DE, MRR@10 {percent(v[c_de])} -> {percent(v[c_mlr])} (1 seed, "
                      f"{grid_train['steps']} steps each); MLR's gain in the other cells: {other_cells or 'none run'}",
                      oq.tested(evidence, qrels, c_mlr, c_models[c_mlr].runs["test"], c_de, c_models[c_de].runs["test"],
                                seeds=(seed,)),
                      premise=Premise((*share.conditions, plateau))))
print(findings[-1].here)

# %% [markdown]
# **Reading the figure**: each cell's DE, dev MRR@10 along its training on the same budget; the causal and
# last-token lines start far lower (the pre-trained model never saw that mask or pooled at that token) and show how
# much of the gap the budget closes.
#
# **Caveat.** A bidirectional model forced causal is handicapped twice (the mask, and pooling at one token it was
# never trained to pool at), so the absolute numbers say little about real decoders; the *gain* of MLR within each
# regime is the quantity compared.
#
# ## 4. MD2PR: teacher and student size, and false-negative filtering
#
# ### The cross-encoder, trained once with snapshots
#
# Questions 4 and 5 share the cross-encoder of notebooks 03–04 (the gated cross-encoder warm-started from MiniLM,
# 50 listwise steps; `make teacher` builds it once, with the snapshots question 5 reads). **Caveat for question
# 4:** notebook 03 found this teacher re-ranking no better than the students it teaches (its learning curve and
# its search on a GPU are there), so the size questions below measure what *this* teacher's scores do, not
# what distillation from a stronger teacher would.
#
# ### Size
#
# Students of $L = 6$ layers and of 3 layers (the pre-trained MiniLM truncated, as DE-l in notebook 04; it
# trains twice the steps at learning rate 3e-4, the same layer compute), each with the labels only or with the
# cross-encoder's scores added (MD2PR's sentence-level term, $\alpha = 1$). Where the preset asks (`paper`, `smoke`;
# `laptop` leaves it out for time), also a smaller teacher: a cross-encoder of `teacher_layers` layers trained the
# same way, distilled into the $L$-layer student; its quality as a re-ranker (BM25's top 10 on dev) says how much
# weaker it is. "Helps more" is tested on the gains themselves: per query, (small + CE − small) − (large + CE −
# large).
#
# **Hypothesis** (MD2PR, arXiv 2312.16821, leaves open how teacher and student size matter): distillation helps a
# small student more than a large one, and a smaller teacher helps less.

# %%
negs = negative_lists(data, w["negatives"])
teacher_cfg = RankerConfig(**cfg["teacher"])
snapshots, snapshot_log = train_ranker_snapshots(data.train_pairs, negs, teacher_cfg, cfg["snapshots"])
students = oq.student_configs(cfg["model"], L, cfg["student_layers"], train | {"pooling": "mean"}, cfg["light_lr"], w, seed)
rows = early_layer_study.scored_rows(len(data.train_pairs), students.values())
ranker, teacher_key, teacher_log, scores = teacher(data, negs, cfg["teacher"], enc, rows)
s_models = early_layer_study.train_models(data, students, negs, ranker, teacher_key, scores, None, enc,
                                          eval_data=test_data, splits=("test",))
big_ce, base_student = f"{L}-layer student, + CE scores", f"{L}-layer student, labels"
if cfg["teacher_layers"]:
    small_params = {**cfg["teacher"], "model": oq.truncated_model(cfg["model"], cfg["teacher_layers"])}
    small, small_key, small_log, small_scores = teacher(data, negs, small_params, enc, rows)
    small_name = f"{L}-layer student, + {cfg['teacher_layers']}-layer CE scores"
    s_models |= early_layer_study.train_models(data, {small_name: students[big_ce]}, negs, small, small_key, small_scores,
                                               None, enc, eval_data=test_data, splits=("test",))
    bm25_dev = bm25_run(data, "dev")
    teachers = {f"{L}-layer CE": (ranker, teacher_key), f"{cfg['teacher_layers']}-layer CE": (small, small_key)}
    reranked = [cached_rerank(r, k, bm25_dev, data, "dev", 10, enc, f"{n} re-ranks BM25 top 10") for n, (r, k) in teachers.items()]
    teacher_dev = evaluate(data, {}, "dev", [bm25_dev, *reranked], baseline="BM25")
    display(metric_table(teacher_dev, ("Top-1", "Top-5", "MRR@10")))
size_test = evaluate(test_data, s_models, "test", baseline=base_student)
atomic_write_csv(size_test, OUT / "sizes_test.csv", index=False)
atomic_write_text(OUT / "sizes_test.md", metric_table(size_test).to_markdown())
display(metric_table(size_test))


# %%
def student_runs(l):
    return s_models[f"{l}-layer student, + CE scores"].runs["test"], s_models[f"{l}-layer student, labels"].runs["test"]
def student_names(l):
    return f"{l}-layer student, + CE scores", f"{l}-layer student, labels"
gains = {l: oq.tested(evidence, qrels, student_names(l)[0], student_runs(l)[0], student_names(l)[1], student_runs(l)[1],
                      seeds=(seed,)).compare(evidence) for l in (L, *cfg["student_layers"])}
# the premise, on dev: the teacher re-ranks the labels-only student's dev top 10 better than the student alone
student = s_models[base_student]
dev_student = evaluated(base_student, student.encoder, student.log, student.cfg, dev_data, enc, ("dev",)).runs["dev"]
dev_qrels = dev_data.split("dev").qrels
evidence.add(base_student, dev_student, dev_qrels, "dev", (seed,))
evidence.add("teacher re-ranks it", cached_rerank(ranker, teacher_key, dev_student, dev_data, "dev", 10, enc, "teacher re-ranks it"),
             dev_qrels, "dev", (seed,))
teacher_premise = Premise((Condition(f"dev MRR@10, the teacher re-ranking the {base_student}'s top 10 − the student",
                                     test=Test("teacher re-ranks it", base_student, "MRR@10", "dev")),))
gain_text = ", ".join(f"{l} layers {100 * g.difference:+.1f} (p {g.p:.2g})" for l, g in gains.items())
small_l = min(cfg["student_layers"])
findings.append(Claim("4a. MD2PR: distillation helps a small student more", "MD2PR leaves student size open",
                      f"MRR@10 gain from the CE's scores: {gain_text}; tested: {small_l}-layer gain minus {L}-layer gain "
                      "(1 seed)", Test(*student_names(small_l), "MRR@10", seeds=(seed,), minus=student_names(L)),
                      premise=teacher_premise))
if cfg["teacher_layers"]:
    tv = teacher_dev[teacher_dev.metric == "MRR@10"].set_index("system").value
    big_rr, small_rr = (run.name for run in reranked)
    findings.append(Claim("4a. MD2PR: a smaller teacher helps less", "MD2PR leaves teacher size open",
                          f"the {cfg['teacher_layers']}-layer teacher (dev re-rank MRR@10 {percent(tv[small_rr])} vs "
                          f"{percent(tv[big_rr])}) against the {L}-layer one, distilled into the {L}-layer student (1 seed)",
                          oq.tested(evidence, qrels, big_ce, s_models[big_ce].runs["test"], small_name,
                                    s_models[small_name].runs["test"], seeds=(seed,)), premise=teacher_premise))
print(findings[-1].here)

# %% [markdown]
# ### Static against dynamic filtering, at several thresholds
#
# MD2PR masks a hard negative when the teacher scores it close to or above the positive; notebook 03 compared a
# dynamic threshold ($\delta_t$ = running mean $-\ \kappa\cdot$ std of the teacher's gaps) with a static margin at one
# setting each. Which is the better detector? That needs negatives *known* to be false. Notebook 03's mining
# already excludes them; here the mining is the naive one that knows only the labelled positive. For every training
# question whose answer spans several passages, BM25's top negatives then include some of the answer's *other*
# passages: relevant by the benchmark's own judgements, so known false negatives. Each filter sees the teacher's
# scores batch by batch in training order (8 questions a batch, one epoch), and is scored by precision and recall
# against them. Thresholds are in the teacher's score units (its scores are 20 × a cosine).
#
# **Hypothesis** (MD2PR, arXiv 2312.16821, §3.3, does not compare its dynamic filter with other filters, and rests
# it on the ranker's scores being reliable; [`docs/methods.md`](../docs/methods.md#false-negative-filters)): the
# dynamic threshold finds false negatives at least as well as the best static margin, without tuning the margin.

# %%
fn_pairs, fn_negs, known = oq.planted_false_negatives(data, w["negatives"])
fn_scores = teacher_scores(ranker, teacher_key, fn_pairs, fn_negs, w["negatives"], enc)
sweep = oq.filter_sweep(fn_scores, known, train["batch_size"], cfg["filters"]["margins"], cfg["filters"]["kappas"], seed)
sweep["F1"] = (2 * sweep.precision * sweep.recall / (sweep.precision + sweep.recall)).fillna(0.0)
atomic_write_csv(sweep, OUT / "filters.csv", index=False)
atomic_write_text(OUT / "filters.md", sweep.round(3).to_markdown(index=False))
print(f"{len(fn_pairs)} training questions, {known.numel()} mined negatives, {int(known.sum())} of them known false negatives")
display(sweep.round(3))
fig = plots.save(plots.filter_tradeoff(sweep), OUT / "filters.png")
best = sweep.loc[sweep.groupby("filter").F1.idxmax()].set_index("filter")
used = sweep.set_index("threshold").loc[["margin 0", "kappa 2"]]  # notebook 03's filters
findings.append(Claim("4b. MD2PR: the dynamic threshold detects false negatives as well as the best static margin",
                      "MD2PR §3.3 compares it with no other filter",
                      f"{int(known.sum())} known false negatives among {known.numel()} mined; best F1: static "
                      f"({best.loc['static', 'threshold']}) {best.loc['static', 'F1']:.2f} "
                      f"(precision {best.loc['static', 'precision']:.2f}, recall {best.loc['static', 'recall']:.2f}), "
                      f"dynamic ({best.loc['dynamic', 'threshold']}) {best.loc['dynamic', 'F1']:.2f} "
                      f"(precision {best.loc['dynamic', 'precision']:.2f}, recall {best.loc['dynamic', 'recall']:.2f}); "
                      f"at notebook 03's settings recall {used.recall.iloc[0]:.2f} (margin 0) vs {used.recall.iloc[1]:.2f} (kappa 2)"))
print(findings[-1].here)

# %% [markdown]
# **Reading the figure**: each filter family's thresholds as a path in precision (of what it masks) against recall
# (of the known false negatives); up and right is better, and a point at the base rate's precision masks no better
# than at random.
#
# **Caveat.** Only one kind of false negative is known (another passage of the same answer); a negative that is
# relevant to the question but comes from elsewhere counts against a filter's precision although it is correctly
# masked. So precision is a lower bound. The retrieval effect of filtering was measured in notebook 03.
#
# ## 5. Where the cross-encoder's best embedding layer is, before, during and after training
#
# The CE-embeddings paper (arXiv 2502.03552) finds that a trained cross-encoder's *early* layers embed single texts well. Is that made by ranker
# training, or there from the start? Each snapshot of the cross-encoder's training is run on single texts
# (`[CLS] x [SEP]`, mean pooling) and every layer is used as a zero-shot retriever on the test split. Step 0 is
# the untrained cross-encoder, i.e. the pre-trained MiniLM itself (our cross-encoder is warm-started from it).
# Tested: layer $L/2$ (the paper's "early" half ends there), mean pooling, at the last snapshot against step 0,
# paired over the test questions; the best layer at each step is read off the table.
#
# **Hypothesis:** ranker training moves the best embedding layer earlier (and raises the early layers).

# %%
snap_runs = {}
snap_table = oq.snapshot_layers(snapshots, test_data, "test", enc, snap_runs)
atomic_write_csv(snap_table, OUT / "snapshots_layers.csv", index=False)
best_by_step = oq.best_layers(snap_table, L)
if hasattr(snapshots[max(snapshots)], "gate"):
    best_by_step["gate g"] = [round(snapshots[s].gate.item(), 2) for s in best_by_step.index]
best_by_step["training loss (last step)"] = [snapshot_log["losses"][s - 1] if s else float("nan") for s in best_by_step.index]
atomic_write_text(OUT / "snapshots_best_layer.md", best_by_step.round(3).to_markdown())
display(best_by_step.round(3))
fig = plots.save(plots.layer_curves(snap_table[snap_table.pooling == "mean"],
                                    title="The cross-encoder's single-text embeddings during its training (test, mean pooling)"),
                 OUT / "snapshots_layers.png")
first, last = best_by_step.iloc[0], best_by_step.iloc[-1]
mid, step_0, step_n = max(1, L // 2), min(snapshots), max(snapshots)
findings.append(Claim("5. Ranker training lifts the cross-encoder's early layers as embedders",
                      "CE embeddings (arXiv 2502.03552): a trained CE's early layers embed well",
                      f"best layer at steps {list(best_by_step.index)}: {list(best_by_step['best layer'])}; layer {mid} "
                      f"MRR@10 {percent(best_by_step.loc[step_0, 'layer ' + str(mid) + ' MRR@10'])} -> "
                      f"{percent(best_by_step.loc[step_n, 'layer ' + str(mid) + ' MRR@10'])} (tested), layer {L} "
                      f"{percent(first[f'layer {L} MRR@10'])} -> {percent(last[f'layer {L} MRR@10'])}"
                      + (f"; the gate moved {best_by_step['gate g'].iloc[0]:g} -> {best_by_step['gate g'].iloc[-1]:g}"
                         if "gate g" in best_by_step else ""),
                      oq.tested(evidence, qrels, f"CE step {step_n} layer {mid} (mean)", snap_runs[(f"step {step_n}", "mean", mid)],
                                f"CE step {step_0} layer {mid} (mean)", snap_runs[(f"step {step_0}", "mean", mid)], seeds=(seed,)),
                      premise=Premise(none_needed="it compares the cross-encoder with itself before training: "
                                                  "whether training moved it is the question")))
print(findings[-1].here)

# %% [markdown]
# **Reading the figure**: one line per snapshot of the cross-encoder's training, each layer's single-text embedding
# as a retriever; lines that lie on one another mean ranker training did not change what its layers retrieve.
#
# **Caveat.** One cross-encoder, warm-started from a bi-encoder, 50 steps (one training run: the test is over
# queries, not over training runs); a cross-encoder trained from a plain language model for many thousands of
# steps (the `paper` preset) could behave differently.
#
# ## 6. A next check: MLR outside open-domain QA, on a BEIR folder
#
# MLR (arXiv 2509.23861) evaluates only on open-domain QA; a task outside QA is the natural next check. The
# retrievers of question 2 (trained on this benchmark) are evaluated zero-shot on a BEIR-format folder, read by `loaders.load_beir` as any
# user's folder would be (`beir_folder=...`, e.g. SciFact). Offline, the folder is built from the documentation
# (`beir_export.heading_task`): **documentation search**, find a section of the Python or Perl documentation from its
# heading; headings are titles, not questions, and no section of the task is among the training pairs. The DE,
# MLR at $m = 4$ (the paper's best $m$, fixed rather than chosen: this notebook evaluates no dev split) and the
# penalised MLR of question 2; tested: $m = 4$ against the DE (nDCG@10, 1 seed).
#
# **Hypothesis:** MLR's advantage (or its absence) on QA carries over to this task.

# %%
folder = beir_folder or cfg["beir_folder"] or offline_beir_folder([p["positive"] for p in data.train_pairs],
                                                                 seed=seed, **cfg["beir"])
beir = load_data(f"beir:{folder}")
task = beir.name if (beir_folder or cfg["beir_folder"]) else "offline documentation search"
chosen = [oq.DE, "m=4", penalised]
split = "test" if "test" in beir.splits else beir.splits[-1]
print(f"{task}: {len(beir.corpus_ids)} passages, {len(beir.split(split).ids)} {split} queries; models: {chosen}")
beir_models = {n: evaluated(n, m_models[n].encoder, m_models[n].log, m_models[n].cfg, beir, enc, (split,)) for n in chosen}
beir_test = evaluate(beir, beir_models, split, [bm25_run(beir, split)], baseline=oq.DE)
atomic_write_csv(beir_test, OUT / "beir_test.csv", index=False)
atomic_write_text(OUT / "beir_test.md", metric_table(beir_test, ("Top-1", "Top-5", "Top-20", "MRR@10", "nDCG@10")).to_markdown())
display(metric_table(beir_test, ("Top-1", "Top-5", "Top-20", "MRR@10", "nDCG@10")))
qa = oq.tested(evidence, qrels, "m=4", m_models["m=4"].runs["test"], oq.DE, m_models[oq.DE].runs["test"],
               seeds=(seed,)).compare(evidence)
findings.append(Claim("6. MLR outside open-domain QA (BEIR folder)", "MLR > DE (shown on open-domain QA only)",
                      f"{task}, m=4 vs DE, nDCG@10 (1 seed); on this notebook's QA test MRR@10 "
                      f"{100 * qa.difference:+.1f} (p {qa.p:.2g})",
                      oq.tested(evidence, beir.split(split).qrels, "m=4", beir_models["m=4"].runs[split], oq.DE,
                                beir_models[oq.DE].runs[split], "nDCG@10", f"BEIR {split}", (seed,)),
                      premise=oq.share_premise(oq.dev_share(m_models["m=4"], dev_texts, enc, L), "m=4")))
print(findings[-1].here)

# %% [markdown]
# **Caveat.** The documentation-search task comes from the same documentation as the training distractors, and
# the training pairs include heading-to-section pairs from *other* sections, so this is a different task on a
# related domain, not a new domain.
#
# ## Summary
#
# Each question's hypothesis, what the cells above measured (every number computed, not typed) and its verdict,
# rebuilt from this notebook's per-query file (`per_query.csv.gz`; `python -m mlrlib claims`): the paired difference
# over the test questions (points of MRR@10, nDCG@10 for question 6), its 95% interval (the 3-seed rows of questions
# 1 and 2 include the seed-to-seed variance), p (Holm over the tested rows), the MDE at 80% power at the row's Holm
# level, its premise measured on dev, and **supported** / **contradicted** / **ruled out** / **not testable here** /
# **inconclusive** / **measured** ([`docs/methods.md`](../docs/methods.md#verdicts)). The hypotheses are ours, so no
# row has a paper effect to rule out. An inconclusive row with a small MDE says the effect, if any, is smaller than
# that; with a large one, that this budget cannot tell.

# %%
summary_table = write_claims(OUT, [oq.summary(findings)], evidence)["summary.md"]
display(summary_table)

# %% [markdown]
# ## Checks
#
# Properties that must hold for any preset; nbval compares this cell's output on every CI run.

# %%
# NBVAL_CHECK_OUTPUT
from mlrlib.methods.losses import layer_decorrelation
from mlrlib.methods.search import agrees_with_brute_force

both_model = sym_models["both sides"]
q_both = both_model.encoder.encode(sym.split("test").texts[:8], both_model.cfg.doc_layers, poolings=("mean",), batch_size=8, max_length=sym_enc["q_max_len"], bf16=enc["bf16"], normalize=True)["mean"]
d4 = torch.from_numpy(np.asarray(m_models[plain].passages[:64], dtype=np.float32))  # the store may be float16
unit = d4 / d4.norm(dim=-1, keepdim=True)
cos = torch.einsum("nah,nbh->nab", unit, unit)
iu = torch.triu_indices(d4.shape[1], d4.shape[1], 1)
probe = MultiLayerEncoder(causal["model"], attention="causal")
tok = probe.tokenize(["a short text about python lists", "a short text about perl hashes and more"], 32)
with torch.no_grad():
    hs = probe.model(**tok).last_hidden_state
step0 = MultiLayerEncoder(cfg["model"]).encode(data.corpus_texts[:8], [L], poolings=("mean",), batch_size=8, max_length=enc["p_max_len"])["mean"]
snap0 = ce_embedder(snapshots[0]).encode(data.corpus_texts[:8], [L], poolings=("mean",), batch_size=8, max_length=enc["p_max_len"])["mean"]
masked = sweep.set_index("threshold").masked
checks = {
    "no query passage of the symmetric task is in its corpus": not set(sym.corpus_ids) & {f"{q}#0" for s in ("dev", "test") for q in sym.queries[s]},
    "every relevant passage of the symmetric task is in its corpus": all(p in set(sym.corpus_ids) for s in ("dev", "test") for r in sym.qrels[s].values() for p in r),
    "both-sides search is exact (union of per-vector top k = brute-force max over vector pairs)": agrees_with_brute_force(q_both, both_model.passages, 10),
    "both-sides queries carry |S| vectors": q_both.shape[1] == len(cfg["symmetric_layers"]),
    "the penalty is the mean squared cosine between a text's layer vectors": bool(torch.isclose(layer_decorrelation(d4), cos[:, iu[0], iu[1]].pow(2).mean(), atol=1e-5)),
    "the causal encoder's early tokens ignore later tokens": bool(torch.allclose(hs[0, :4], hs[1, :4], atol=1e-5)),
    "the causal models were trained causal, the others not": all(m.encoder.model.config.is_decoder == n.startswith("causal") for n, m in c_models.items()) if causal["model"] == cfg["model"] else True,
    "every cell of the grid trained the same steps": len({m.cfg.steps for m in c_models.values()}) == 1,
    "the last snapshot is the teacher of notebooks 03-04": all(torch.equal(a, b) for a, b in zip(snapshots[max(snapshots)].state_dict().values(), ranker.state_dict().values())),
    "the step-0 snapshot embeds exactly as the pre-trained model": bool(np.allclose(step0, snap0, atol=1e-5)),
    "a larger static margin masks at least as many negatives": list(masked[[f"margin {m:g}" for m in cfg["filters"]["margins"]]]) == sorted(masked[[f"margin {m:g}" for m in cfg["filters"]["margins"]]]),
    "a larger kappa masks at most as many negatives": list(masked[[f"kappa {k:g}" for k in cfg["filters"]["kappas"]]]) == sorted(masked[[f"kappa {k:g}" for k in cfg["filters"]["kappas"]]], reverse=True),
    "truncated students keep exactly l layers": all(len(s_models[f"{l}-layer student, labels"].encoder.model.encoder.layer) == l for l in cfg["student_layers"]),
    "every question has a summary row": sorted({f.claim.split(".")[0] for f in findings}) == ["1", "2", "3", "4a", "4b", "5", "6"],
    "each seed's models trained with that seed": all(m_models[f"{n}, seed {s}"].cfg.seed == s for n in (plain, penalised) for s in seeds[1:])
        and all(sym_models[f"{n}, seed {s}"].cfg.seed == s for n in (PASSAGE, BOTH) for s in seeds[1:]),
    "the test corpus holds every passage judged for a test question": {p for r in qrels.values() for p in r} <= set(test_data.corpus_ids),
}
check_all(checks)

# %%
models_all = {**sym_models, **m_models, **c_models, **s_models}
record = prov.write(OUT, n_passages=len(data.corpus_ids), n_test_queries=len(data.split("test").ids),
                    n_test_passages_searched=len(test_data.corpus_ids), seeds=seeds,
                    beir_folder=str(beir.meta.get("source", folder)), teacher_train_seconds=round(snapshot_log["train_seconds"], 1),
                    train_seconds={n: round(m.log["train_seconds"], 1) for n, m in models_all.items()})
atomic_write_json(OUT / "metrics.json", {"symmetric": sym_test.to_dict("records"), "m_sweep": points.to_dict("records"),
                                         "causal": causal_test.to_dict("records"), "sizes": size_test.to_dict("records"),
                                         "teachers_dev": teacher_dev.to_dict("records") if cfg["teacher_layers"] else None,
                                         "filters": sweep.to_dict("records"), "learning_curve": de_curve.to_dict("records"),
                                         "symmetric_seeds": sym_seeds.to_dict("records"), "m_sweep_seeds": m_seeds.to_dict("records"),
                                         "snapshots": snap_table.to_dict("records"), "beir": beir_test.to_dict("records"),
                                         "summary": summary_table.to_dict("records"), "provenance": record})
print(f"runtime {record['runtime_seconds']:.0f} s, commit {record['commit'][:12]}, results in results/{OUT.relative_to(OUT.parents[1]) if prov.preset != 'laptop' else OUT.name}")
