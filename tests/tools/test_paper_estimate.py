"""The paper-preset estimate counts an encoder's FLOPs as torch's counter does."""
import sys
from pathlib import Path

from transformers import AutoConfig

from mlrlib.evaluation.cost import encoding_flops
from mlrlib.methods.encoders import MultiLayerEncoder

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from paper_estimate import estimate, forward_flops  # noqa: E402


def test_forward_flops_match_torch_counter(tiny_model):
    encoder = MultiLayerEncoder(tiny_model)
    cfg = AutoConfig.from_pretrained(tiny_model)
    text = "one two three four five six seven eight nine ten"
    tokens = len(encoder.tokenizer(text)["input_ids"])
    counted = encoding_flops(encoder, cfg.num_hidden_layers, [text], {"batch_size": 1, "p_max_len": 64, "bf16": False})
    arch = (cfg.num_hidden_layers, cfg.hidden_size, cfg.intermediate_size)
    pooler = 2 * cfg.hidden_size ** 2  # BERT's pooler on [CLS], outside the layers
    assert forward_flops(arch, tokens) == counted - pooler


def test_training_cost_scales_with_steps_and_gradient_caching():
    cfg = {"model": "bert-base-uncased", "data": "squad", "encode": {"p_max_len": 256},
           "train": {"batch_size": 8, "q_max_len": 32, "p_max_len": 128, "hard_negatives": True, "steps": 10}}
    base = estimate(cfg)["train"]
    assert estimate({**cfg, "train": {**cfg["train"], "steps": 20}})["train"] == 2 * base
    assert estimate({**cfg, "train": {**cfg["train"], "grad_cache_chunk": 4}})["train"] == base * 4 / 3


def test_the_store_estimate_is_what_a_vector_store_writes(tmp_path):
    from paper_estimate import ARCHITECTURES, store_needs

    from mlrlib.methods.vector_store import StoreSpec, VectorStore
    cfg = {"model": "bert-base-uncased", "data": "squad", "m_sweep": [1, 2, 4]}
    need = store_needs(cfg)
    _, h, _ = ARCHITECTURES["bert-base-uncased"]
    store = VectorStore.create_or_open(tmp_path / "s", StoreSpec(n=10, dim=h, layer_sets={"p": [1, 2, 3, 4]},
                                                                 vectors_per_text={"p": 4}, dtype="float16"))
    assert need["m"] == 4
    assert need["store"] / need["passages"] == store.array("p").nbytes / 10
