"""Kept at its old address: the README quotes `from mlrlib.export import save_trained`, and a layer-pooled
model exported before the code moved to `mlrlib.runtime.export` names `mlrlib.export.LayerPoolingModule` in its
modules.json, so it must still load from here."""
from mlrlib.runtime.export import LayerPoolingModule, save_checkpoint, save_sentence_transformer, save_trained

__all__ = ["LayerPoolingModule", "save_checkpoint", "save_sentence_transformer", "save_trained"]
