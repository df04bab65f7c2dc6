"""Layer sets S of multi-layer representations: which transformer layers give a passage its vectors."""
from __future__ import annotations


def last_few(L: int, m: int) -> list[int]:
    """The last m layers: {L-m+1, ..., L}."""
    return list(range(L - m + 1, L + 1))


def uniform(L: int, m: int) -> list[int]:
    """m layers spread evenly and ending at L: round(k L / m), k = 1..m ({2, 3, 5, 6} for L=6, m=4)."""
    return [(k * L + m // 2) // m for k in range(1, m + 1)]


def paper_two_layer_set(L: int) -> list[int]:
    """MLR's best two-layer set, {10, 12} on 12-layer BERT-base (§4.2.1), scaled to L layers:
    {round(10 L / 12), L}; {5, 6} for L=6 (= {L-1, L}), {10, 12} for L=12 (= {L-2, L})."""
    return [(10 * L + 6) // 12, L]
