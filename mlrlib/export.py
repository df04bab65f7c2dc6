"""Kept at its old address because the README quotes `from mlrlib.export import save_trained`;
the code lives in `mlrlib.runtime.export`."""
from mlrlib.runtime.export import save_checkpoint, save_sentence_transformer, save_trained

__all__ = ["save_checkpoint", "save_sentence_transformer", "save_trained"]
