"""What runs the rest: the repository's folders (`paths`, its one root), the cache and atomic writes (`cache`),
provenance, the presets, the notebooks' shared setup (`notebook`), export to sentence-transformers, and the
command line (`cli`, `python -m mlrlib`).
"""
