import pytest
import torch
from ranx import Run
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from mlrlib.evaluation.reranking import reorders_only_the_top, rerank
from mlrlib.methods.cross_encoder import CrossEncoder, PairTemplate, content_positions, tokenize_side
from mlrlib.methods.encoders import default_model_path
from mlrlib.training.ranker import RankerConfig, train_ranker

PAIRS = [{"query": f"question {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} " * 3,
          "positive_id": f"p{i}", "source": "t"} for i in range(8)]
NEGS = [[f"unrelated text {i} {j}" for j in range(3)] for i in range(8)]


@pytest.fixture(scope="module")
def tok():
    return AutoTokenizer.from_pretrained(default_model_path())


def test_template_of_a_bert_tokenizer(tok):
    t = PairTemplate.of(tok)
    assert (t.prefix, t.middle, t.suffix) == ([tok.cls_token_id], [tok.sep_token_id], [tok.sep_token_id])
    assert (t.query_type, t.passage_type) == (0, 1)


def test_pairs_are_the_tokenizers_own_pair_encoding_and_positions_map(tiny_model, tok):
    ce = CrossEncoder(tiny_model)
    queries, passages = ["how do I install a package", "tuples"], ["Use apt-get install name.", "They never change."]
    batch = ce.pairs(queries, passages, 32, 128)
    for i, (q, d) in enumerate(zip(queries, passages)):
        ref = tok(q, d)
        n = len(ref["input_ids"])
        assert batch.inputs["input_ids"][i, :n].tolist() == ref["input_ids"]
        assert batch.inputs["token_type_ids"][i, :n].tolist() == ref["token_type_ids"]
        assert batch.inputs["attention_mask"][i].sum() == n
    q_side, d_side = tokenize_side(tok, queries, 32), tokenize_side(tok, passages, 128)
    for i, (qp, dp) in enumerate(zip(content_positions(q_side), content_positions(d_side))):
        ids = batch.inputs["input_ids"][i]
        assert torch.equal(ids[batch.query_positions[i]], q_side["input_ids"][i, qp])
        assert torch.equal(ids[batch.passage_positions[i]], d_side["input_ids"][i, dp])


def test_truncation_follows_the_students_lengths(tiny_model):
    ce = CrossEncoder(tiny_model)
    batch = ce.pairs(["word " * 50], ["text " * 300], 8, 16)
    assert len(batch.query_positions[0]) == 6 and len(batch.passage_positions[0]) == 14


def test_score_is_independent_of_batching_and_details_give_attentions(tiny_model):
    ce = CrossEncoder(tiny_model).eval()
    queries, passages = [p["query"] for p in PAIRS], [p["positive"] for p in PAIRS]
    together = ce.score(queries, passages, bf16=False, batch_size=8)
    alone = [ce.score([q], [p], bf16=False)[0] for q, p in zip(queries, passages)]
    torch.testing.assert_close(torch.tensor(together), torch.tensor(alone), atol=1e-5, rtol=1e-5)
    kernel = ce.model.config._attn_implementation
    scores, out = ce(ce.pairs(queries[:2], passages[:2], 32, 64), details=True)
    assert scores.shape == (2,) and len(out.attentions) == 3 and len(out.hidden_states) == 4
    torch.testing.assert_close(out.attentions[0].sum(-1)[0, 0, :3], torch.ones(3))
    assert ce.model.config._attn_implementation == kernel  # eager only for that call


def test_a_model_with_two_outputs_is_refused(tmp_path, tok):
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, num_labels=2)
    BertForSequenceClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="one score per"):
        CrossEncoder(str(tmp_path))


def test_rerank_orders_the_top_by_the_rankers_scores_and_keeps_the_tail(tiny_model):
    ce = CrossEncoder(tiny_model).eval()
    run = Run({"q1": {"a": 4.0, "b": 3.0, "c": 2.0, "d": 1.0}}, name="first")
    text_q, text_p = {"q1": "question"}, {"a": "alpha text", "b": "beta words", "c": "gamma", "d": "delta"}
    reranked = rerank(ce, run, text_q, text_p, depth=2, enc={"q_max_len": 32, "p_max_len": 64, "batch_size": 4,
                                                             "bf16": False})
    out = reranked.to_dict()["q1"]
    scores = ce.score(["question"] * 2, ["alpha text", "beta words"], bf16=False)
    assert out["a"] == pytest.approx(float(scores[0]), abs=1e-5)
    assert out["b"] == pytest.approx(float(scores[1]), abs=1e-5)
    order = sorted(out, key=lambda p: -out[p])
    assert set(order[:2]) == {"a", "b"} and order[2:] == ["c", "d"]  # below the depth: the first stage's order
    assert reorders_only_the_top(reranked, run, 2)
    assert not reorders_only_the_top(Run({"q1": {"a": 4.0, "b": 3.0, "d": 2.0, "c": 1.0}}), run, 2)


def test_reorders_only_the_top_reads_ties_by_score_and_refuses_a_changed_top_or_set():
    first = Run({"q1": {"a": 4.0, "b": 3.0, "c": 2.0, "d": 2.0, "e": 1.0}})  # c and d tied (duplicate texts, say)
    assert reorders_only_the_top(Run({"q1": {"b": 9.0, "a": 8.0, "d": 7.0, "c": 6.0, "e": 5.0}}), first, 2)
    assert not reorders_only_the_top(Run({"q1": {"c": 9.0, "a": 8.0, "b": 7.0, "d": 6.0, "e": 5.0}}), first, 2)
    assert not reorders_only_the_top(Run({"q1": {"a": 9.0, "b": 8.0, "c": 7.0, "d": 6.0}}), first, 2)


def test_train_ranker_learns_caches_and_loads_as_is_with_zero_steps(tiny_model):
    cfg = RankerConfig(model=tiny_model, steps=3, batch_size=4, lr=1e-3, bf16=False)
    ranker, log = train_ranker(PAIRS, NEGS, cfg, progress=False)
    again, log2 = train_ranker(PAIRS, NEGS, cfg, progress=False)
    assert len(log["losses"]) == 3 and not log["cached"] and log2["cached"]
    q = [PAIRS[0]["query"]]
    assert ranker.score(q, [PAIRS[0]["positive"]], bf16=False)[0] == pytest.approx(
        again.score(q, [PAIRS[0]["positive"]], bf16=False)[0], abs=1e-5)
    as_is, log0 = train_ranker(PAIRS, NEGS, RankerConfig(model=tiny_model, steps=0), progress=False)
    assert log0["losses"] == [] and as_is.num_layers == 3
    with pytest.raises(ValueError, match="negatives per pair"):
        train_ranker(PAIRS, [n[:1] for n in NEGS], RankerConfig(model=tiny_model, steps=1, negatives=3,
                                                                  seed=5), progress=False)


def test_a_closed_gate_turns_the_joint_encoding_into_two_separate_ones(tiny_model, tok):
    from mlrlib.methods.cross_encoder import GatedCrossEncoder
    from mlrlib.methods.encoders import MultiLayerEncoder
    ce = GatedCrossEncoder(tiny_model, gate=-1e4).eval()
    bi = MultiLayerEncoder(tiny_model).eval()
    q, d = ["how do I install a package"], ["Use apt-get install name."]
    batch = ce.pairs(q, d, 32, 64)
    with torch.no_grad():
        joint = ce.model(**ce.joint_inputs(batch)).last_hidden_state[0]
        alone_q = bi.model(**bi.tokenize(q, 32)).last_hidden_state[0]
    # the query segment ([CLS] q [SEP]) attends only to itself: its states are the query's own encoding
    n = batch.passage_starts[0]
    torch.testing.assert_close(joint[:n], alone_q[:n], atol=1e-4, rtol=1e-4)
    opened = GatedCrossEncoder(tiny_model, gate=0.0).eval()
    with torch.no_grad():
        mixed = opened.model(**opened.joint_inputs(batch)).last_hidden_state[0]
    assert not torch.allclose(mixed[:n], alone_q[:n], atol=1e-3)


def test_gated_ranker_trains_its_gate_saves_and_loads(tiny_model, tmp_path):
    from mlrlib.methods.cross_encoder import GatedCrossEncoder, load_cross_encoder
    cfg = RankerConfig(model=tiny_model, kind="gated", steps=2, batch_size=4, lr=1e-3, head_lr=0.1, bf16=False)
    ranker, _ = train_ranker(PAIRS, NEGS, cfg, progress=False)
    assert isinstance(ranker, GatedCrossEncoder) and ranker.gate.item() != -4.0
    ranker.save(tmp_path / "r")
    again = load_cross_encoder(tmp_path / "r").eval()
    assert again.gate.item() == pytest.approx(ranker.gate.item())
    q, p = [PAIRS[1]["query"]], [PAIRS[1]["positive"]]
    assert again.score(q, p, bf16=False)[0] == pytest.approx(ranker.score(q, p, bf16=False)[0], abs=1e-5)
    with pytest.raises(ValueError, match="unknown ranker kind"):
        RankerConfig(kind="poly")
