"""The papers' methods, in torch alone (no pandas, ranx or study code; a unit test holds this).

`encoders` (multi-layer, layer-pooled and truncated encoders), `layer_sets` (which layers S), `layer_pooling`
(several layers into one vector), `losses` (MLR's and the contrastive losses), `search` (exact single- and
multi-vector search), `bm25` (the lexical baseline and negative miner), `cross_encoder` (the ranker and its
single-text embeddings), `distillation_losses` and `false_negatives` (MD2PR).
"""
