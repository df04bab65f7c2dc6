"""What keeps the notebooks' memory down: trained models reload from their checkpoint instead of
staying in memory, and step timings share one model per architecture."""
import gc

import numpy as np
import torch
from conftest import TOPIC_PAIRS, pairs_data

from mlrlib.data.retrieval_data import RetrievalData
from mlrlib.evaluation.cost import shared_students
from mlrlib.evaluation.experiment import TrainedModel, evaluated
from mlrlib.training.config import TrainConfig
from mlrlib.training.dual_encoder import train_encoder

PAIRS = TOPIC_PAIRS
ENC = {"batch_size": 4, "q_max_len": 16, "p_max_len": 32, "bf16": False}


def tiny_data() -> RetrievalData:
    return pairs_data("test")


def test_a_cached_model_is_reloaded_not_kept(tiny_model):
    cfg = TrainConfig(model=tiny_model, doc_layers=[3], query_layer=3, steps=2, batch_size=4, bf16=False,
                       hard_negatives=False)
    encoder, log = train_encoder(PAIRS, [], cfg, progress=False)
    model = evaluated("DE", encoder, log, cfg, tiny_data(), ENC, ("test",))
    assert model.in_memory is None and model.checkpoint.exists()
    first = model.encoder
    assert model.encoder is first  # loaded once while in use
    for (name, a), (_, b) in zip(encoder.named_parameters(), first.named_parameters()):
        assert torch.equal(a, b), name
    del first
    gc.collect()
    assert model._loaded() is None  # nothing holds the model once the caller drops it


def test_an_uncached_model_stays_in_memory():
    marker = object()
    model = TrainedModel("zero-shot", {}, {}, np.zeros((1, 1, 2)), {}, in_memory=marker)
    assert model.encoder is marker


def test_step_timings_share_one_model_per_architecture(tiny_model):
    base = dict(model=tiny_model, query_layer=3, bf16=False)
    cfgs = {"DE": TrainConfig(doc_layers=[3], **base), "MLR": TrainConfig(doc_layers=[2, 3], **base),
            "pooled": TrainConfig(doc_layers=[2, 3], layer_pooling="scalar-mix", **base)}
    shared = shared_students(cfgs)
    assert shared["DE"] is shared["MLR"] and shared["pooled"][0] is not shared["DE"][0]
