"""One interface for every retrieval dataset: corpus, queries and qrels per split, training pairs.

The offline Debian benchmark, any BEIR-format folder and the `paper` hub datasets all
load into a `RetrievalData`, stored on disk as a Hugging Face `DatasetDict` (Arrow).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import datasets

from mlrlib.runtime.cache import atomic_dir, atomic_write_json

datasets.disable_progress_bars()


class Split(NamedTuple):
    """One split's judged queries, in the order of the data."""
    ids: list[str]                     # query ids
    texts: list[str]                   # query texts, aligned with ids
    qrels: dict[str, dict[str, int]]   # {query id: {passage id: relevance}}


class DataError(ValueError):
    """Input data that cannot be used; the message says what to fix."""


@dataclass
class RetrievalData:
    name: str
    corpus_ids: list[str]
    corpus_texts: list[str]
    queries: dict[str, dict[str, str]]  # split -> {query id: text}
    qrels: dict[str, dict[str, dict[str, int]]]  # split -> {query id: {passage id: grade}}
    train_pairs: list[dict] = field(default_factory=list)  # {query, positive, positive_id, source}
    meta: dict = field(default_factory=dict)
    query_source: dict[str, str] = field(default_factory=dict)  # {query id: where it comes from}, when known

    def __post_init__(self):
        self.validate()

    @property
    def splits(self) -> list[str]:
        return [s for s in self.queries if self.qrels.get(s)]

    def split(self, name: str) -> Split:
        """The judged queries of one split: (ids, texts, qrels); queries without judgements are left out."""
        if name not in self.queries:
            raise DataError(f"{self.name} has no split {name!r}; it has {sorted(self.queries)}")
        qrels = self.qrels.get(name, {})
        ids = [q for q in self.queries[name] if qrels.get(q)]
        return Split(ids, [self.queries[name][q] for q in ids], {q: qrels[q] for q in ids})

    def source_counts(self, split: str) -> dict[str, int]:
        """Judged queries of `split` per source (empty when the data does not say)."""
        counts: dict[str, int] = {}
        for q in self.split(split).ids:
            if q in self.query_source:
                counts[self.query_source[q]] = counts.get(self.query_source[q], 0) + 1
        return dict(sorted(counts.items()))

    def validate(self) -> None:
        if len(self.corpus_ids) != len(self.corpus_texts):
            raise DataError("corpus ids and texts differ in length")
        if len(set(self.corpus_ids)) != len(self.corpus_ids):
            raise DataError(f"{self.name}: duplicate passage ids in the corpus")
        known = set(self.corpus_ids)
        for split, qrels in self.qrels.items():
            unknown_q = set(qrels) - set(self.queries.get(split, {}))
            unknown_p = {p for rel in qrels.values() for p in rel} - known
            if unknown_q:
                raise DataError(f"{self.name}: qrels/{split} name {len(unknown_q)} unknown query ids, "
                                f"e.g. {sorted(unknown_q)[:3]}; every query id must be in the queries")
            if unknown_p:
                raise DataError(f"{self.name}: qrels/{split} name {len(unknown_p)} unknown passage ids, "
                                f"e.g. {sorted(unknown_p)[:3]}; every passage id must be in the corpus")

    # --- storage -----------------------------------------------------------------
    def to_datasets(self) -> datasets.DatasetDict:
        qrows = [{"id": q, "text": t, "split": s, "source": self.query_source.get(q, "")}
                 for s, qs in self.queries.items() for q, t in qs.items()]
        rrows = [{"query_id": q, "corpus_id": p, "score": g, "split": s}
                 for s, qr in self.qrels.items() for q, rel in qr.items() for p, g in rel.items()]
        pair_cols = ["query", "positive", "positive_id", "source"]
        strings = datasets.Features({c: datasets.Value("string") for c in pair_cols})
        parts = {
            "corpus": datasets.Dataset.from_dict({"id": self.corpus_ids, "text": self.corpus_texts}),
            "queries": datasets.Dataset.from_list(qrows),
            "qrels": datasets.Dataset.from_list(rrows),
        }
        if self.train_pairs:  # an empty split does not survive save/load in `datasets`: leave it out
            parts["train_pairs"] = datasets.Dataset.from_dict(
                {c: [p[c] for p in self.train_pairs] for c in pair_cols}, features=strings)
        return datasets.DatasetDict(parts)

    def save(self, folder: Path) -> None:
        """Write atomically: a reader sees the whole dataset or none of it."""
        with atomic_dir(Path(folder)) as tmp:
            self.to_datasets().save_to_disk(str(tmp / "arrow"))
            atomic_write_json(tmp / "meta.json", {"name": self.name, **self.meta})

    @classmethod
    def load(cls, folder: Path) -> "RetrievalData":
        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text())
        dd = datasets.load_from_disk(str(folder / "arrow"))
        queries: dict[str, dict[str, str]] = {}
        query_source = {}
        for row in dd["queries"]:
            queries.setdefault(row["split"], {})[row["id"]] = row["text"]
            if row.get("source"):
                query_source[row["id"]] = row["source"]
        qrels: dict[str, dict[str, dict[str, int]]] = {}
        for row in dd["qrels"]:
            qrels.setdefault(row["split"], {}).setdefault(row["query_id"], {})[row["corpus_id"]] = row["score"]
        name = meta.pop("name")
        return cls(name, list(dd["corpus"]["id"]), list(dd["corpus"]["text"]), queries, qrels,
                   list(dd["train_pairs"]) if "train_pairs" in dd else [], meta, query_source)

    def with_corpus_sample(self, split: str, size: int, seed: int = 0) -> "RetrievalData":
        """`split` alone, searched in a smaller corpus: every passage judged for it, plus passages drawn with
        `seed` from the rest up to `size`. Its scores are higher than on the whole corpus (fewer distractors)
        but cost `size` passages to encode: learning curves compare a model with itself along training."""
        judged = {p for rels in self.qrels[split].values() for p in rels}
        if size < len(judged):
            raise DataError(f"a sample of {size} passages cannot hold the {len(judged)} judged for {split!r}; "
                            f"ask for at least {len(judged)}")
        import numpy as np
        rest = [i for i, p in enumerate(self.corpus_ids) if p not in judged]
        drawn = np.random.default_rng(seed).choice(len(rest), min(size - len(judged), len(rest)), replace=False)
        keep = sorted([i for i, p in enumerate(self.corpus_ids) if p in judged] + [rest[j] for j in drawn])
        return RetrievalData(f"{self.name}:{split}-sample-{size}", [self.corpus_ids[i] for i in keep],
                             [self.corpus_texts[i] for i in keep], {split: self.queries[split]},
                             {split: self.qrels[split]}, self.train_pairs, dict(self.meta), self.query_source)

    def summary(self) -> dict:
        """Counts per split and the passage length distribution (in words)."""
        import numpy as np
        lengths = np.array([len(t.split()) for t in self.corpus_texts])
        per_split = {s: {"queries": len(self.split(s).ids),
                         "judgements": sum(len(r) for r in self.qrels[s].values())} for s in self.splits}
        for s in self.splits if self.query_source else ():
            per_split[s]["by_source"] = self.source_counts(s)
        sources: dict[str, int] = {}
        for p in self.train_pairs:
            sources[p["source"]] = sources.get(p["source"], 0) + 1
        return {"passages": len(self.corpus_ids), "splits": per_split, "train_pairs": sources,
                "passage_words": {k: float(v) for k, v in zip(
                    ["min", "p10", "median", "p90", "max", "mean"],
                    [*np.percentile(lengths, [0, 10, 50, 90, 100]), lengths.mean()])}}
