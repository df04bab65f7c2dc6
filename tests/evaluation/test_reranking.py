"""A teacher's learning curve read as a re-ranker (`evaluation.reranking.rerank_curve`)."""
import numpy as np
from conftest import TOPIC_PAIRS, pairs_data
from ranx import Run

from mlrlib.evaluation.reranking import rerank_curve

ENC = {"batch_size": 4, "q_max_len": 16, "p_max_len": 32, "bf16": False}


class Oracle:
    """A stand-in ranker: scores a pair by whether the passage is the query's own (or the reverse, `wrong`)."""

    def __init__(self, wrong=False):
        self.wrong = wrong

    def score(self, queries, passages, *args):
        own = [q.split()[2] == p.split()[1] for q, p in zip(queries, passages)]
        return np.array([float(o != self.wrong) for o in own], dtype=np.float32)


def test_each_snapshot_re_ranks_the_retrievers_top_k_and_is_compared_with_it():
    data = pairs_data("dev")
    ids = [p["positive_id"] for p in TOPIC_PAIRS]
    # the retriever puts each query's own passage at rank 2, behind the next query's, except for the first query
    run = Run({f"q{i}": {ids[(i + 1) % len(ids)]: 2.0 * (i > 0), ids[i]: 1.0} for i in range(len(ids))}, name="s")
    alone = (1 + 0.5 * (len(ids) - 1)) / len(ids)
    curve = rerank_curve({0: Oracle(wrong=True), 5: Oracle()}, {"teacher": "oracle"}, run, data, "dev", 2, ENC)
    assert curve.step.tolist() == [0, 5] and np.allclose(curve.retriever, alone)
    assert np.isclose(curve.loc[1, "MRR@10"], 1.0) and np.isclose(curve.loc[1, "difference"], 1.0 - alone)
    assert curve.loc[1, "p"] < 0.05 and curve.loc[1, "ci_low"] > 0  # every query gains: significant
    assert np.isclose(curve.loc[0, "MRR@10"], 0.5) and curve.loc[0, "difference"] < 0  # the wrong one puts it second
