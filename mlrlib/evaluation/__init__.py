"""Evaluation: one model end to end (`experiment`), metrics and paired tests (`metrics`, ranx), comparisons of
systems and seeds (`comparison`), claims and verdicts (`claims`), measured costs (`cost`), layer analyses
(`layer_analysis`), retrieve-then-rerank (`reranking`) and the figures (`figures`).
"""
