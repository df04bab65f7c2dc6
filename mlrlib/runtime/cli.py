"""Command line: `python -m mlrlib evaluate --data beir:DIR --model NAME_OR_PATH --json`.

Encodes the corpus and the queries of one split, searches (multi-vector when several
layers are given) and prints the metrics. Bad input ends with a one-line message on
stderr and exit code 2, never a traceback or a partial file.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from mlrlib.data.retrieval_data import DataError


def _layers(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers takes comma-separated integers, e.g. 5,6 (got {text!r})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mlrlib", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="retrieval metrics of a model on a dataset")
    ev.add_argument("--data", required=True, help="beir:DIR, debian, squad, nq, trivia or msmarco")
    ev.add_argument("--model", default="minilm", help="hub id or local folder (default: packaged MiniLM)")
    ev.add_argument("--layers", type=_layers, default=None, help="passage layers, e.g. 5,6 (default: last)")
    ev.add_argument("--query-layer", type=int, default=None, help="query layer (default: last)")
    ev.add_argument("--pooling", choices=["cls", "mean"], default="cls")
    ev.add_argument("--similarity", choices=["cos", "dot"], default="cos")
    ev.add_argument("--split", default="test")
    ev.add_argument("--batch-size", type=int, default=64)
    ev.add_argument("--max-length", type=int, default=256)
    ev.add_argument("--output", help="also write the JSON to this file (atomically)")
    ev.add_argument("--json", action="store_true", help="print JSON (the default prints a table)")
    bd = sub.add_parser("build-data", help="build (or reuse) the offline benchmark of a preset and summarise it")
    bd.add_argument("--preset", default="laptop", help="smoke, laptop or paper")
    bd.add_argument("--study", default="01_layer_selection",
                    help="the notebook whose preset to build (e.g. 03_md2pr_distillation), or `all`")
    ex = sub.add_parser("export", help="save a cached checkpoint as a sentence-transformers model")
    ex.add_argument("checkpoint", help="a folder .cache/checkpoints/<hash>/ (it holds model/ and train_log.json)")
    ex.add_argument("out", help="the folder to write; load it with SentenceTransformer(out)")
    return p


def build_data(args) -> dict:
    """{study: summary} of the offline benchmark each study's preset uses (built or reused)."""
    from mlrlib.data.benchmark import load_benchmark
    from mlrlib.runtime.presets import PRESETS, get_preset
    studies = sorted(PRESETS) if args.study == "all" else [args.study]
    out = {}
    for study in studies:
        cfg = get_preset(study, args.preset)
        if cfg["data"] != "debian":
            raise DataError(f"preset {args.preset!r} of {study} uses {cfg['data']} from the hub, "
                            f"not the offline benchmark")
        out[study] = load_benchmark(cfg["benchmark"]).summary()
    return out if args.study == "all" else out[args.study]


def evaluate(args) -> dict:
    from mlrlib.data import load_data
    from mlrlib.evaluation.metrics import METRICS, evaluate_runs, search_run
    from mlrlib.methods.encoders import MultiLayerEncoder

    data = load_data(args.data)
    ids, texts, qrels = data.split(args.split)
    if not ids:
        raise DataError(f"split {args.split!r} has no judged queries")
    try:
        encoder = MultiLayerEncoder(args.model)
    except OSError as e:
        raise DataError(f"cannot load model {args.model!r}: {str(e).splitlines()[0]}")
    L = encoder.num_layers
    layers = encoder.check_layers(args.layers or [L])
    q_layer = encoder.check_layers([L if args.query_layer is None else args.query_layer])
    norm = args.similarity == "cos"
    passages = encoder.encode(data.corpus_texts, layers, poolings=(args.pooling,), batch_size=args.batch_size,
                              max_length=args.max_length, normalize=norm)[args.pooling]
    queries = encoder.encode(texts, q_layer, poolings=(args.pooling,), batch_size=args.batch_size,
                             max_length=args.max_length, normalize=norm)[args.pooling][:, 0]
    table = evaluate_runs(qrels, [search_run("model", ids, queries, passages, data.corpus_ids)])
    return {"data": args.data, "model": args.model, "split": args.split, "layers": layers,
            "query_layer": q_layer[0], "pooling": args.pooling, "similarity": args.similarity,
            "queries": len(ids), "passages": len(data.corpus_ids),
            "metrics": {r.metric: round(r.value, 6) for r in table.itertuples()},
            "ci95": {r.metric: [round(r.ci_low, 6), round(r.ci_high, 6)] for r in table.itertuples()},
            "metric_names": METRICS}


def check_writable(path: str) -> None:
    """Refuse an --output that cannot be written, before any work: a folder, or a place without write access."""
    target = Path(path)
    if target.is_dir():
        raise DataError(f"--output {path} is a folder; give a file path, e.g. {target / 'metrics.json'}")
    existing = next(p for p in [target.parent, *target.parent.parents] if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise DataError(f"--output {path}: cannot write under {existing}; choose a writable folder")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        if getattr(args, "output", None):
            check_writable(args.output)
        if args.command == "build-data":
            print(json.dumps(build_data(args), indent=2))
            return 0
        if args.command == "export":
            from mlrlib.runtime.export import save_checkpoint
            print(f"wrote {save_checkpoint(args.checkpoint, args.out)}")
            return 0
        result = evaluate(args)
    except (DataError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2)
    if args.output:
        from mlrlib.runtime.cache import atomic_write_text
        try:
            atomic_write_text(args.output, text + "\n")
        except OSError as e:
            print(f"error: cannot write --output {args.output}: {e.strerror or e}", file=sys.stderr)
            return 2
    if args.json:
        print(text)
    else:
        for name, value in result["metrics"].items():
            print(f"{name:>8}: {100 * value:5.1f}")
    return 0
