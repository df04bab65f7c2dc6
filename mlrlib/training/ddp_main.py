"""The torchrun entry point: train a dual encoder data-parallel, and/or encode a corpus into a vector store.

    torchrun --nproc_per_node 8 -m mlrlib.training.ddp_main \\
        --model bert-base-uncased --data pairs.jsonl --steps 2000 --batch-size 1024 \\
        --corpus passages.jsonl --out runs/de

--batch-size is the GLOBAL batch (queries per optimizer step over all processes; each process takes its
contiguous share), so the loss curve is that of one process with the same batch (`training.distributed`).
--data is a JSONL of {"query", "positive"} rows; with a "negative" on every row those are the hard negatives.
--config takes any `TrainConfig` field as JSON, inline or in a file (a paper preset's settings, or a
checkpoint's train_log.json, whose "key" is its config); --model, --steps and --batch-size override it when
given. --corpus is a JSONL of {"text"} rows (or plain lines), encoded into FOLDER/store (layer set
"passages": the passage layers of the config), each process its chunks; the store resumes, so a new model
needs a new FOLDER. Rank 0 writes FOLDER/model (the trained encoder) and FOLDER/train_log.json (losses,
gradient norms, config key). Without torchrun the same command runs as one process. Multi-node: torchrun's
--nnodes / --rdzv-endpoint as usual; GPUs use nccl, CPUs gloo.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from mlrlib.methods.encoders import MultiLayerEncoder, load_encoder
from mlrlib.training.config import TrainConfig
from mlrlib.training.distributed import (
    Context,
    barrier,
    encode_corpus_distributed,
    init_from_env,
    passage_layer_sets,
    shutdown,
    train_data_parallel,
)
from mlrlib.training.dual_encoder import build_encoder


@dataclass(frozen=True)
class Args:
    """The command line, typed."""
    out: Path
    model: str | None = None
    data: Path | None = None
    corpus: Path | None = None
    steps: int | None = None
    batch_size: int | None = None
    config: str | None = None
    chunk_size: int = 4096


def parse(argv=None) -> Args:
    p = argparse.ArgumentParser(prog="torchrun ... -m mlrlib.training.ddp_main", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, required=True, help="folder for model/, train_log.json and store/")
    p.add_argument("--model", help="hub id or local folder (default: the config's)")
    p.add_argument("--data", type=Path, help="JSONL of query/positive(/negative) rows to train on")
    p.add_argument("--corpus", type=Path, help="JSONL of text rows (or plain lines) to encode into the store")
    p.add_argument("--steps", type=int, help="optimizer steps")
    p.add_argument("--batch-size", type=int, help="global batch: queries per step over all processes")
    p.add_argument("--config", help="TrainConfig fields as JSON, inline or a file")
    p.add_argument("--chunk-size", type=int, default=4096, help="texts per store chunk (the unit of sharding)")
    return Args(**vars(p.parse_args(argv)))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def read_texts(path: Path) -> list[str]:
    """A corpus: JSONL rows with a "text", or one passage per line."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [json.loads(line)["text"] for line in lines] if lines and lines[0].lstrip().startswith("{") else lines


def train_config(args: Args, pairs: list[dict]) -> TrainConfig:
    """--config, overridden by the explicit flags; hard negatives only when every row has one."""
    fields = {}
    if args.config:
        text = args.config if args.config.lstrip().startswith("{") else Path(args.config).read_text()
        fields = json.loads(text)
        fields = dict(fields.get("key", fields))  # a train_log.json holds the config under "key"
    given = {"model": args.model, "steps": args.steps, "batch_size": args.batch_size}
    fields.update({k: v for k, v in given.items() if v is not None})
    if pairs and not all("negative" in p for p in pairs):
        fields["hard_negatives"] = False
    cfg = TrainConfig.from_key(fields)
    if cfg.distill or cfg.light:
        raise ValueError("ddp_main trains dual encoders and MLR; MD2PR students and light DEs train with their own "
                         "trainers (training.md2pr, training.light_de)")
    return cfg


def train(encoder: MultiLayerEncoder, pairs, cfg: TrainConfig, ctx: Context, out: Path) -> None:
    negatives = [p["negative"] for p in pairs] if cfg.hard_negatives else None
    records = train_data_parallel(encoder, pairs, negatives, cfg, ctx, progress=True)
    if ctx.main:
        out.mkdir(parents=True, exist_ok=True)
        encoder.save(out / "model")
        log = {"losses": [r["loss"] for r in records], "grad_norms": [r["grad_norm"] for r in records],
               "world_size": ctx.world_size, "key": cfg.key()}
        (out / "train_log.json").write_text(json.dumps(log, indent=1))
    barrier(ctx)


def main(argv=None) -> None:
    args = parse(argv)
    ctx = init_from_env()
    pairs = read_jsonl(args.data) if args.data else []
    cfg = train_config(args, pairs)
    training = bool(pairs) and cfg.steps > 0
    # training starts from the config's fresh encoder; encoding alone reads a saved one (with its layer pooler)
    encoder = build_encoder(cfg) if training else load_encoder(cfg.model)
    try:
        if training:
            train(encoder, pairs, cfg, ctx, args.out)
        if args.corpus:
            encode_corpus_distributed(encoder, read_texts(args.corpus), passage_layer_sets(cfg), args.out / "store",
                                      ctx, pooling=cfg.pooling, chunk_size=args.chunk_size, normalize=cfg.normalize,
                                      max_length=cfg.p_max_len, bf16=cfg.bf16)
    finally:
        shutdown()


if __name__ == "__main__":
    main()
