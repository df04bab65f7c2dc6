"""Command line: `python -m mlrlib evaluate --data beir:DIR --model NAME_OR_PATH --json`, and the project's other
commands (`layers`, `build-data`, `build-teacher`, `claims`, `export`, `compile-metrics`: `python -m mlrlib --help`).

`evaluate` encodes the corpus and the queries of one split, searches (multi-vector when several layers are given)
and prints the metrics. `layers` probes every layer of a model on the same data, with no training: each layer as a
zero-shot retriever (raw and centred), the layers' cosine matrix, and MLR's premise (would a max over layers ever
pick a layer other than the last?). Bad input ends with a one-line message on stderr and exit code 2, never a
traceback or a partial file.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from mlrlib.data.retrieval_data import DataError


def _layers(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers takes comma-separated integers, e.g. 5,6 (got {text!r})")


def _positive_int(text: str) -> int:
    """argparse type of the lengths and batch sizes: an integer >= 1 (a negative length reached the tokenizer)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer (got {text!r})")
    return value


def _add_encoding(p: argparse.ArgumentParser) -> None:
    """The data, model and encoding arguments `evaluate` and `layers` share."""
    p.add_argument("--data", required=True, help="beir:DIR, debian, squad, nq, trivia or msmarco")
    p.add_argument("--model", default="minilm", help="hub id or local folder (default: packaged MiniLM)")
    p.add_argument("--pooling", choices=["cls", "mean"], default="cls")
    p.add_argument("--split", default="test")
    p.add_argument("--batch-size", type=_positive_int, default=64)
    p.add_argument("--max-length", type=_positive_int, default=256, help="tokens per query and per passage")
    p.add_argument("--output", help="also write the JSON to this file (atomically)")
    p.add_argument("--json", action="store_true", help="print JSON (the default prints a table)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mlrlib", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="retrieval metrics of a model on a dataset")
    _add_encoding(ev)
    ev.add_argument("--layers", type=_layers, default=None, help="passage layers, e.g. 5,6 (default: last)")
    ev.add_argument("--query-layer", type=int, default=None, help="query layer (default: last)")
    ev.add_argument("--similarity", choices=["cos", "dot"], default="cos")
    ly = sub.add_parser("layers", help="would MLR help this model? every layer zero-shot (raw and centred), the "
                        "layers' cosine matrix and MLR's premise, no training (minutes for a few thousand passages)")
    _add_encoding(ly)
    bd = sub.add_parser("build-data", help="build (or reuse) the offline benchmark of a preset and summarise it")
    bd.add_argument("--preset", default="laptop", help="smoke, laptop or paper")
    bd.add_argument("--study", default="01_layer_selection",
                    help="the notebook whose preset to build (e.g. 03_md2pr_distillation), or `all`")
    bd.add_argument("--json", action="store_true", help="print JSON (the default; kept for scripts that say so)")
    bd.add_argument("--power", action="store_true",
                    help="also run the zero-shot pilot that gives the test split's MDE (encodes the corpus: minutes)")
    bd.add_argument("--card", help="write the dataset card (markdown) to this file, e.g. docs/benchmark.md")
    bt = sub.add_parser("build-teacher", help="train (or reuse) the cross-encoder teacher of notebooks 03-05, with the "
                        "snapshots of its learning curve (minutes; `make reproduce` runs it before the notebooks)")
    bt.add_argument("--preset", default="laptop", help="smoke or laptop (paper loads a trained ranker)")
    sub.add_parser("compile-metrics", help="compile ranx's metrics into numba's on-disk cache (Binder's postBuild: "
                   "a kernel then loads them instead of compiling: 106 MiB instead of 377, measured)")
    cl = sub.add_parser("claims", help="rebuild every claims table and the reproduction report from the committed "
                        "per-query files (no model, no cache; seconds)")
    cl.add_argument("--results", type=Path, default=None, help="the results folder (default: results/)")
    cl.add_argument("--preset", default="laptop", help="whose tables: laptop (committed, results/<study>/) or another "
                    "preset's (results/<study>/<preset>/)")
    cl.add_argument("--check", action="store_true", help="change nothing; exit 1 when a table differs from its rebuild")
    ex = sub.add_parser("export", help="save a cached checkpoint as a sentence-transformers model")
    ex.add_argument("checkpoint", help="a folder .cache/checkpoints/<hash>/ (it holds model/ and train_log.json)")
    ex.add_argument("out", help="the folder to write; load it with SentenceTransformer(out)")
    return p


def build_data(args) -> dict:
    """The summary of the offline benchmark a study's preset uses (built or reused): questions,
    passages, sources (package, version, licence, questions), splits (queries, judgements, per
    source), the cache key and build time; with --power the pilot's MDEs. `--study all`: {study: summary}."""
    from mlrlib.runtime.presets import PRESETS
    if args.card and args.study == "all":
        raise DataError("--card describes one build: give a --study (the laptop card is 01_layer_selection's)")
    if args.card:
        check_writable(args.card)
    if args.study == "all":
        return {study: _benchmark_summary(study, args.preset, args.power) for study in sorted(PRESETS)}
    summary = _benchmark_summary(args.study, args.preset, args.power)
    if args.card:
        from mlrlib.data.card import render_card
        from mlrlib.runtime.cache import atomic_write_text
        command = f"python -m mlrlib build-data --preset {args.preset} --study {args.study}" \
                  + " --power" * args.power + f" --card {args.card}"
        atomic_write_text(args.card, render_card(summary, command, summary.get("power")) + "\n")
    return summary


def _benchmark_summary(study: str, preset: str, power: bool) -> dict:
    from mlrlib.data.benchmark import load_benchmark
    from mlrlib.runtime.cache import config_hash
    from mlrlib.runtime.presets import get_preset
    cfg = get_preset(study, preset)
    if cfg["data"] != "debian":
        raise DataError(f"preset {preset!r} of {study} uses {cfg['data']} from the hub, not the offline benchmark")
    data = load_benchmark(cfg["benchmark"])
    summary = {"study": study, "preset": preset, "cache_key": config_hash(cfg["benchmark"]),
               "build_seconds": data.meta.get("build_seconds"), **data.summary()}
    summary["questions"] = sum(v["queries"] for v in summary["splits"].values())
    counts: dict[str, int] = {}
    for split in summary["splits"].values():
        for package, n in split.get("by_source", {}).items():
            counts[package] = counts.get(package, 0) + n
    summary["sources"] = [{**s, "questions": counts.get(s["package"], 0), "available": s["questions"]}
                          for s in data.meta.get("sources", []) if s["package"] in counts]
    if power:
        from mlrlib.evaluation.power import cached_pilot_power
        summary["power"] = cached_pilot_power(data, cfg["benchmark"], cfg["model"], cfg["encode"])
    return summary


def build_teacher(args) -> dict:
    """The teacher of notebook 03's preset (04 and 05 share it: tests/runtime/test_presets.py), trained once with
    its learning-curve snapshots and cached, and the bi-encoder teacher candidate's corpus vectors; what it cost."""
    from mlrlib.data import load_data
    from mlrlib.runtime.presets import get_preset
    from mlrlib.training.negatives import negative_lists
    from mlrlib.training.teacher import teacher_snapshots
    cfg = get_preset("03_md2pr_distillation", args.preset)
    data = load_data(cfg["data"], cfg["benchmark"])
    start = time.perf_counter()
    snapshots, log = teacher_snapshots(data, negative_lists(data, cfg["distill"]["negatives"]), cfg["teacher"],
                                       cfg["teacher_points"])
    out = {"preset": args.preset, "teacher": cfg["teacher"], "steps": len(log["losses"]),
           "snapshots": list(snapshots), "train_seconds": round(log["train_seconds"], 1)}
    if cfg["teacher_candidates"]["bi_encoder"]:  # the bi-encoder candidate's corpus, encoded once
        from mlrlib.evaluation.teacher_choice import index_corpus
        from mlrlib.runtime.pypi_model import bi_encoder_teacher
        scorer, key = bi_encoder_teacher(cfg["teacher_candidates"]["bi_encoder"])
        out["bi_encoder_corpus_seconds"] = round(index_corpus(scorer, data.corpus_texts, key,
                                                              cfg["encode"]["p_max_len"]), 1)
    return {**out, "seconds_this_call": round(time.perf_counter() - start, 1)}  # ~0 when it was cached


def _data_and_encoder(args):
    """(the data of --data, whose --split has judged queries; the encoder of --model), or a one-line DataError."""
    from mlrlib.data import load_data
    from mlrlib.methods.encoders import MultiLayerEncoder

    data = load_data(args.data)
    if not data.split(args.split).ids:
        raise DataError(f"split {args.split!r} has no judged queries")
    try:
        return data, MultiLayerEncoder(args.model)
    except OSError as e:
        raise DataError(f"cannot load model {args.model!r}: {str(e).splitlines()[0]}")


def evaluate(args) -> dict:
    from mlrlib.evaluation.metrics import METRICS, evaluate_runs, search_run

    data, encoder = _data_and_encoder(args)
    ids, texts, qrels = data.split(args.split)
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


def layers(args) -> dict:
    """`layer_probe.probe_layers` of --model on --data's --split (queries and passages truncated at --max-length)."""
    from mlrlib.evaluation.layer_probe import probe_layers

    data, encoder = _data_and_encoder(args)
    enc = {"batch_size": args.batch_size, "q_max_len": args.max_length, "p_max_len": args.max_length, "bf16": False}
    probe = probe_layers(encoder, data, args.split, enc, args.pooling)
    return {"command": "layers", "data": args.data, "model": args.model, "split": args.split,
            "max_length": args.max_length, **probe.to_dict()}


def layers_table(result: dict) -> str:
    """`layers`' result for reading: metrics in %, the cosine matrix, the premise's verdicts."""
    from mlrlib.evaluation.layer_probe import PROBE_METRICS
    names = "".join(f"{m:>8}" for m in PROBE_METRICS)
    lines = [f"{result['model']} on {result['data']} ({result['split']}: {result['queries']} queries, "
             f"{result['passages']} passages), {result['pooling']} pooling, cosine, no training", "",
             f"{'layer':>5}{names}  | centred:{names}"]
    for row in result["per_layer"]:
        raw = "".join(f"{100 * row['raw'][m]:8.1f}" for m in PROBE_METRICS)
        cen = "".join(f"{100 * row['centred'][m]:8.1f}" for m in PROBE_METRICS)
        lines.append(f"{row['layer']:>5}{raw}  |         {cen}")
    cosine = result["layer_cosine"]
    lines += ["", "layer cosine (mean over passages of cos(v_i(d), v_j(d))):",
              "     " + "".join(f"{j:>6}" for j in range(len(cosine)))]
    lines += [f"{i:>5}" + "".join(f"{c:6.2f}" for c in row) for i, row in enumerate(cosine)]
    premise = result["premise"]
    lines += ["", f"MLR premise: share of the top-{premise['k']} max-sim scores max_(l in S) <v_L(q), v_l(d)> "
              f"won by a layer other than L = {premise['query_layer']}:"]
    lines += [f"  S = {s['name']} {s['layers']}: {s['verdict']}" for s in premise["sets"]]
    return "\n".join(lines)


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
        if args.command == "build-teacher":
            print(json.dumps(build_teacher(args), indent=2))
            return 0
        if args.command == "compile-metrics":
            from mlrlib.evaluation.metrics import compile_metrics
            compile_metrics()
            print("ranx's metrics compiled into numba's cache")
            return 0
        if args.command == "claims":
            from mlrlib.runtime.paths import results_root
            from mlrlib.runtime.rebuild_claims import rebuild_all
            return rebuild_all(args.results or results_root(), args.preset, args.check)
        if args.command == "export":
            from mlrlib.runtime.export import save_checkpoint
            print(f"wrote {save_checkpoint(args.checkpoint, args.out)}")
            return 0
        result = layers(args) if args.command == "layers" else evaluate(args)
    except (DataError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write {e.filename or 'a file'}: {e.strerror or e}", file=sys.stderr)
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
    elif args.command == "layers":
        print(layers_table(result))
    else:
        for name, value in result["metrics"].items():
            print(f"{name:>8}: {100 * value:5.1f}")
    return 0
