"""Data-parallel training and encoding (`training.distributed`), rehearsed on the CPU: 2 processes (gloo) launched
by torchrun against 1 process with the same global batch."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from mlrlib.methods.encoders import load_encoder
from mlrlib.methods.vector_store import VectorStore
from mlrlib.runtime.paths import REPO_ROOT
from mlrlib.training import ddp_main
from mlrlib.training.distributed import Context, gather_with_grad, group_major, init_from_env, shard
from mlrlib.training.distributed import train_data_parallel as train_dp
from mlrlib.training.dual_encoder import build_encoder, fit

ROWS = [{"query": f"question {i} about topic {i % 3}", "positive": f"passage {i} on topic {i % 3} with words {i % 5}",
         "negative": f"unrelated text number {i}"} for i in range(8)]
CORPUS = [f"document {i} " * (1 + i % 4) for i in range(10)]
# multi-vector MLR in float32. Mean pooling and texts of one length per kind keep the comparison well conditioned:
# a random BERT's [CLS] vectors are nearly equal for every text, so its gradient is mostly rounding noise, which
# Adam (an update of about lr x sign(g) at first) turns into different weights; equal lengths give equal padding
CONFIG = {"doc_layers": [1, 2], "query_layer": 2, "bf16": False, "lr": 1e-3, "pooling": "mean"}
STEPS, GLOBAL_BATCH, CHUNK = 3, 4, 3  # 10 passages in 4 chunks of 3: rank 0 writes chunks 0 and 2, rank 1 1 and 3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny random BERT without dropout, the pairs and the corpus. Dropout is off because each process
    draws its own masks from its own RNG stream: with it on, 2 processes and 1 would train on different
    noise and their curves could not agree."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from mlrlib.methods.encoders import default_model_path
    root = tmp_path_factory.mktemp("ddp")
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(default_model_path())
    cfg = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128,
                     hidden_dropout_prob=0, attention_probs_dropout_prob=0)
    BertModel(cfg).save_pretrained(root / "bert")
    tok.save_pretrained(root / "bert")
    (root / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (root / "corpus.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in CORPUS))
    return root


def cli(files: Path, out: Path) -> list[str]:
    return ["--model", str(files / "bert"), "--data", str(files / "pairs.jsonl"),
            "--corpus", str(files / "corpus.jsonl"),
            "--steps", str(STEPS), "--batch-size", str(GLOBAL_BATCH), "--chunk-size", str(CHUNK),
            "--config", json.dumps(CONFIG), "--out", str(out)]


@pytest.fixture(scope="module")
def two_processes(files):
    """One torchrun job of 2 CPU processes: trains, saves (rank 0), encodes the corpus sharded."""
    out = files / "run2"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MLRLIB_DEVICE": "cpu", "MLRLIB_CACHE": str(files / "cache")}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
           "-m", "mlrlib.training.ddp_main", *cli(files, out)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def one_process_run(files):
    """The same command's config, trained in this process (no process group, no DDP)."""
    cfg = ddp_main.train_config(ddp_main.parse(cli(files, files / "unused")), ROWS)
    encoder = build_encoder(cfg)
    records = train_dp(encoder, ROWS, [r["negative"] for r in ROWS], cfg, Context())
    return cfg, encoder, records


def test_two_processes_give_the_one_process_curve_gradients_and_weights(files, two_processes):
    log = json.loads((two_processes / "train_log.json").read_text())
    cfg, encoder, records = one_process_run(files)
    assert log["world_size"] == 2 and len(log["losses"]) == STEPS
    torch.testing.assert_close(torch.tensor(log["losses"]), torch.tensor([r["loss"] for r in records]),
                               rtol=1e-4, atol=0)
    # Adam's update barely sees a constant factor on the gradient, so the curve alone would not catch a wrong
    # scaling (N x the gradient); the averaged gradient's norm does
    torch.testing.assert_close(torch.tensor(log["grad_norms"]), torch.tensor([r["grad_norm"] for r in records]),
                               rtol=1e-4, atol=0)
    trained = load_encoder(two_processes / "model")
    initial = build_encoder(cfg)
    for (name, p), (_, q), (_, p0) in zip(trained.named_parameters(), encoder.named_parameters(),
                                          initial.named_parameters()):
        if name.endswith("attention.self.key.bias"):
            continue  # its gradient is 0 (softmax ignores a shift shared by all keys): Adam amplifies float noise
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6, msg=name)
        torch.testing.assert_close(p - p0, q - p0, rtol=1e-3, atol=1e-6, msg=name)  # the updates, not just weights


def test_the_one_process_path_is_the_plain_trainer(files):
    """With one process the data-parallel step is `dual_encoder.fit`'s step: the same losses."""
    cfg, _, records = one_process_run(files)
    plain = fit(build_encoder(cfg), ROWS, [r["negative"] for r in ROWS], cfg, progress=False)
    torch.testing.assert_close(torch.tensor(plain), torch.tensor([r["loss"] for r in records]), rtol=1e-5, atol=0)


def test_sharded_encoding_gives_the_one_process_store(files, two_processes, tmp_path):
    """The same command without torchrun, encoding only (the 2-process model, read back), writes the same store."""
    ddp_main.main(["--model", str(two_processes / "model"), "--corpus", str(files / "corpus.jsonl"),
                   "--chunk-size", str(CHUNK), "--config", json.dumps(CONFIG), "--out", str(tmp_path)])
    sharded, one = VectorStore.open(two_processes / "store"), VectorStore.open(tmp_path / "store")
    assert sharded.complete and sharded.spec == one.spec and len(list(sharded.chunks())) == 4
    a, b = np.asarray(sharded.array("passages"), np.float32), np.asarray(one.array("passages"), np.float32)
    assert a.shape == (len(CORPUS), 2, 32) and np.abs(a).sum(-1).min() > 0  # every row written
    np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)
    assert not (tmp_path / "model").exists()  # nothing trained without --data


def test_the_config_comes_from_json_or_a_train_log_and_the_flags_override_it(tmp_path):
    log = tmp_path / "train_log.json"
    log.write_text(json.dumps({"losses": [], "key": {**CONFIG, "model": "m", "steps": 7}}))
    args = ddp_main.parse(["--config", str(log), "--steps", "2", "--out", str(tmp_path)])
    cfg = ddp_main.train_config(args, [{"query": "q", "positive": "p"}])
    assert (cfg.model, cfg.steps, cfg.pooling, cfg.doc_layers) == ("m", 2, "mean", (1, 2))
    assert not cfg.hard_negatives  # the rows have no negative
    assert ddp_main.train_config(args, ROWS).hard_negatives


def test_shard_takes_contiguous_equal_slices():
    batch = [7, 3, 5, 1, 0, 2]
    assert [shard(batch, r, 3) for r in range(3)] == [[7, 3], [5, 1], [0, 2]]
    assert shard(batch, 0, 1) == batch
    with pytest.raises(ValueError, match="evenly"):
        shard(batch, 0, 4)


def test_group_major_restores_the_one_process_passage_order():
    # 2 ranks x (2 positives, 2 negatives): rank-major rows p0 p1 n0 n1 | p2 p3 n2 n3
    gathered = torch.tensor([0, 1, 10, 11, 2, 3, 12, 13]).unsqueeze(1)
    assert group_major(gathered, 2, 2).squeeze(1).tolist() == [0, 1, 2, 3, 10, 11, 12, 13]
    assert torch.equal(group_major(gathered, 2, 1), gathered)


def test_without_torchrun_the_context_is_one_process(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLRLIB_DEVICE", "cpu")
    ctx = init_from_env()
    assert ctx == Context(0, 1, 0, torch.device("cpu")) and ctx.main
    assert not torch.distributed.is_initialized()
    t = torch.ones(2, 3, requires_grad=True)
    assert gather_with_grad(t) is t
