"""A dual encoder's dev learning curve beyond a notebook's budget: how the step count of notebooks 01 and 02 was chosen.

    python tools/learning_curve.py --pooling mean cls --steps 200 --at 25 50 100 150 200   # about 13 minutes

Trains the `laptop` DE of notebook 01 (its corpus, batches, learning rate) for `--steps` steps with the given pooling
and prints dev MRR@10 on the notebook's 2,000-passage dev sample at each point of `--at` (and before training). The
numbers quoted in `mlrlib/runtime/presets/` and in notebook 01 come from this command; the curves are cached.

    python tools/learning_curve.py --study 04_early_layer_ce --light 2 --steps 600 --at 50 100 200 400 600

DE-l instead (notebook 04): MiniLM's embedding layer and first l layers (`--light l`), contrastive only, at the
notebook's DE-l learning rate and batches; no cross-encoder is needed, so it runs before any teacher exists.
"""
from __future__ import annotations

import argparse

from mlrlib.data import load_data
from mlrlib.evaluation.learning_curve import learning_curve, plateau_step, plateau_text
from mlrlib.evaluation.premises import last_quarter_rise
from mlrlib.methods.encoders import MultiLayerEncoder
from mlrlib.runtime.presets import get_preset
from mlrlib.training.config import TrainConfig


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--study", default="01_layer_selection")
    ap.add_argument("--pooling", nargs="+", default=["mean", "cls"], choices=["mean", "cls"])
    ap.add_argument("--steps", type=int, default=200, help="the run's length (its learning-rate schedule)")
    ap.add_argument("--at", type=int, nargs="+", default=[25, 50, 100, 150, 200], help="steps evaluated")
    ap.add_argument("--lr", type=float, nargs="+", default=[None],
                    help="encoder learning rates to compare (default: the preset's)")
    ap.add_argument("--light", type=int, nargs="*", default=[], help="DE-l depths l (notebook 04's DE-l, from MiniLM)")
    args = ap.parse_args(argv)
    if max(args.at) != args.steps:
        ap.error("the last point of --at must be --steps: the curve's run ends there")
    cfg = get_preset(args.study, "laptop")
    data = load_data(cfg["data"], cfg["benchmark"])
    sample = data.with_corpus_sample("dev", cfg.get("curve", {}).get("sample", 2000))
    L = MultiLayerEncoder(cfg["model"]).num_layers
    if args.light:
        return light_curves(cfg, data, sample, args)
    for pooling in args.pooling:
        for lr in args.lr:
            train = {**study_train(cfg, pooling), "steps": args.steps, "pooling": pooling}
            train["lr"] = train["lr"] if lr is None else lr
            de = TrainConfig(model=cfg["model"], doc_layers=[L], query_layer=L, **train)
            curve = learning_curve(data, de, args.at, cfg["encode"], eval_data=sample)
            print(f"{pooling} pooling, lr {train['lr']:g}, batch {train['batch_size']}, dev sample of "
                  f"{len(sample.corpus_ids)} passages: {plateau_text(plateau_step(curve), args.steps)}; "
                  f"last-quarter rise {100 * last_quarter_rise(curve):+.1f} points")
            print((100 * curve.set_index("step")[["MRR@10"]]).round(1).T.to_string())


def study_train(cfg: dict, pooling: str) -> dict:
    """The study's training settings for `pooling` (notebook 01 keeps one per regime, each with its pooling)."""
    for regime in cfg.get("regimes", {}).values():
        if regime["pooling"] == pooling:
            return regime["train"]
    return cfg["train"]


def light_curves(cfg: dict, data, sample, args) -> None:
    from mlrlib.studies.early_layers import light_curve
    from mlrlib.training.light_de import light_config
    from mlrlib.training.negatives import negative_lists

    negs = negative_lists(data, cfg["light"]["negatives"])
    for depth in args.light:
        train = {**cfg["train"], "lr": cfg["light_lr"], "steps": args.steps}
        light = light_config(cfg["model"], depth, "base", train, negatives=cfg["light"]["negatives"])
        curve = light_curve(data, light, args.at, negs, None, None, None, None, cfg["encode"], eval_data=sample)
        print(f"DE-{depth} from MiniLM, lr {train['lr']}, batch {train['batch_size']}, dev sample of "
              f"{len(sample.corpus_ids)} passages: {plateau_text(plateau_step(curve), args.steps)}")
        print((100 * curve.set_index("step")[["MRR@10"]]).round(1).T.to_string())


if __name__ == "__main__":
    main()
