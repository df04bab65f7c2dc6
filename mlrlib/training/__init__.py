"""Training: the typed config, the seeded batches, one step (with gradient caching), the optimizer loop and
the cached checkpoints; then each paper's trainer on top of them.

`config` (TrainConfig, DistillConfig, LightConfig), `batches`, `step`, `loop`, `checkpoints`, `negatives` (BM25
hard negatives), `dual_encoder` (DE and MLR), `md2pr` (the distilled student), `light_de` (DE-l), `ranker` (the
cross-encoder's training, RankerConfig) and `teacher` (the teacher and its cached scores).
"""
