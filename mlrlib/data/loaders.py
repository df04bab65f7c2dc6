"""Loaders for data beyond the offline benchmark, all returning a `RetrievalData`.

- `load_beir(folder)`: any BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`).
- `load_squad(source)`: SQuAD as paragraph retrieval (each unique context is a passage).
- `load_dpr(source)`: NQ / TriviaQA in DPR's retriever form (or Tevatron's rendering of it).
- `load_msmarco(source)`: MS MARCO passage in BEIR form (`BeIR/msmarco` on the hub).

`source` is a hub id (needs network; the `paper` preset) or a local path of the same
format (what the tests use).
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from mlrlib.data.retrieval_data import DataError, RetrievalData

# --- BEIR ------------------------------------------------------------------------------


def _utf8_lines(path: Path):
    """The lines of `path`, decoded as UTF-8; an undecodable byte is a DataError naming the file and the line."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise DataError(f"{path}, line {n}: byte {raw[e.start]:#04x} at column {e.start + 1} is not "
                                f"UTF-8 ({e.reason}); the file must be UTF-8") from None


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.exists():
        raise DataError(f"missing {path}; a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv")
    rows = []
    for n, line in enumerate(_utf8_lines(path), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}, line {n}: not valid JSON ({e.msg}); each line must be one JSON object")
        missing = [k for k in required if k not in row]
        if not isinstance(row, dict) or missing:
            raise DataError(f"{path}, line {n}: missing field(s) {missing}; expected {list(required)}")
        rows.append(row)
    return rows


def _read_qrels(path: Path) -> list[tuple[str, str, int]]:
    rows = []
    for n, fields in enumerate(csv.reader(_utf8_lines(path), delimiter="\t"), 1):
        if n == 1 and fields and fields[0] == "query-id":
            continue
        if not fields:
            continue
        try:
            rows.append((fields[0], fields[1], int(float(fields[2]))))
        except (IndexError, ValueError):
            raise DataError(f"{path}, line {n}: expected 'query-id<TAB>corpus-id<TAB>score'")
    return rows


def beir_from_rows(name: str, corpus_rows, query_rows, qrels_by_split: dict, meta=None) -> RetrievalData:
    """Build a RetrievalData from BEIR-shaped rows; the `train` split (if any) becomes training pairs."""
    ids = [str(r["_id"]) for r in corpus_rows]
    texts = [(f"{r['title']}. " if r.get("title") else "") + r["text"] for r in corpus_rows]
    all_queries = {str(r["_id"]): r["text"] for r in query_rows}
    queries, qrels = {}, {}
    for split, rows in qrels_by_split.items():
        qrels[split] = {}
        for q, p, grade in rows:
            qrels[split].setdefault(str(q), {})[str(p)] = grade
        missing = [q for q in qrels[split] if q not in all_queries]
        if missing:
            raise DataError(f"{name}: qrels/{split} name {len(missing)} query ids absent from queries, "
                            f"e.g. {missing[:3]}")
        queries[split] = {q: all_queries[q] for q in qrels[split]}
    text_of = dict(zip(ids, texts))
    pairs = [{"query": all_queries[q], "positive": text_of.get(p, ""), "positive_id": p, "source": "train"}
             for q, rel in qrels.pop("train", {}).items() for p, g in rel.items() if g > 0]
    queries.pop("train", None)
    return RetrievalData(name, ids, texts, queries, qrels, pairs, meta or {})


def load_beir(folder) -> RetrievalData:
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"no such folder: {folder}; pass beir:DIR with a BEIR-format folder")
    corpus = _read_jsonl(folder / "corpus.jsonl", ("_id", "text"))
    queries = _read_jsonl(folder / "queries.jsonl", ("_id", "text"))
    qrel_files = sorted((folder / "qrels").glob("*.tsv"))
    if not qrel_files:
        raise DataError(f"no qrels in {folder / 'qrels'}; expected qrels/<split>.tsv (e.g. qrels/test.tsv)")
    return beir_from_rows(folder.name, corpus, queries, {p.stem: _read_qrels(p) for p in qrel_files},
                          {"source": f"beir:{folder}"})


# --- hub datasets (local files of the same format work too) --------------------------


def _hub_or_json(source: str, split_files: dict[str, str]):
    """`datasets` rows per split: from local json/jsonl files in folder `source`, else from the hub."""
    import datasets
    path = Path(source)
    if path.is_dir():
        files = {s: str(path / f) for s, f in split_files.items() if (path / f).exists()}
        return datasets.load_dataset("json", data_files=files)
    return datasets.load_dataset(source)


def load_squad(source: str = "rajpurkar/squad", dev_fraction: float = 0.05, seed: int = 0) -> RetrievalData:
    """SQuAD v1.1 as paragraph retrieval: the passages are the unique contexts; a question's
    relevant passage is its own context. validation -> test; a seeded slice of train -> dev."""
    dd = _hub_or_json(source, {"train": "train.jsonl", "validation": "validation.jsonl"})
    pid_of: dict[str, str] = {}
    for split in dd:
        for ctx in dd[split]["context"]:
            pid_of.setdefault(ctx, f"p{len(pid_of)}")
    train = list(dd["train"]) if "train" in dd else []
    random.Random(seed).shuffle(train)
    n_dev = int(len(train) * dev_fraction)
    parts = {"dev": train[:n_dev], "test": list(dd["validation"])}
    queries = {s: {r["id"]: r["question"] for r in rows} for s, rows in parts.items()}
    qrels = {s: {r["id"]: {pid_of[r["context"]]: 1} for r in rows} for s, rows in parts.items()}
    pairs = [{"query": r["question"], "positive": r["context"], "positive_id": pid_of[r["context"]],
              "source": "train"} for r in train[n_dev:]]
    return RetrievalData("squad", list(pid_of.values()), list(pid_of), queries, qrels, pairs,
                         {"source": source})


def _ctx_list(row: dict, *keys: str) -> list[dict]:
    return [c for k in keys for c in (row.get(k) or [])]


def _ctx_id(ctx: dict) -> str:
    return str(ctx.get("passage_id") or ctx.get("docid") or ctx.get("psg_id") or f"{ctx['title']}::{ctx['text'][:40]}")


def load_dpr(source: str, name: str = "nq") -> RetrievalData:
    """NQ / TriviaQA in DPR's retriever JSON form (`question`, `answers`, `positive_ctxs`,
    `negative_ctxs`, `hard_negative_ctxs`), or Tevatron's (`query`, `positive_passages`,
    `negative_passages`), e.g. `Tevatron/wikipedia-nq`. The corpus is the union of every
    listed passage: a candidate pool, not the 21M-passage Wikipedia of the paper."""
    dd = _hub_or_json(source, {"train": "train.jsonl", "dev": "dev.jsonl", "test": "test.jsonl"})
    corpus: dict[str, str] = {}
    queries, qrels, pairs = {}, {}, []
    for split in dd:
        for n, row in enumerate(dd[split]):
            qid = str(row.get("query_id") or f"{split}-{n}")
            question = row.get("question") or row.get("query")
            positives = _ctx_list(row, "positive_ctxs", "positive_passages")
            for ctx in positives + _ctx_list(row, "hard_negative_ctxs", "negative_ctxs", "negative_passages"):
                corpus.setdefault(_ctx_id(ctx), f"{ctx['title']}. {ctx['text']}")
            if split == "train":
                pairs += [{"query": question, "positive": corpus[_ctx_id(c)], "positive_id": _ctx_id(c),
                           "source": "train"} for c in positives[:1]]
            elif positives:
                queries.setdefault(split, {})[qid] = question
                qrels.setdefault(split, {})[qid] = {_ctx_id(c): 1 for c in positives}
    return RetrievalData(name, list(corpus), list(corpus.values()), queries, qrels, pairs,
                         {"source": source, "corpus": "candidate pool"})


def load_msmarco(source: str = "BeIR/msmarco") -> RetrievalData:
    """MS MARCO passage in BEIR form: a local BEIR folder, or the hub's BeIR/msmarco."""
    if Path(source).is_dir():
        data = load_beir(source)
        data.name = "msmarco"
        return data
    import datasets
    corpus = datasets.load_dataset(source, "corpus")["corpus"]
    queries = datasets.load_dataset(source, "queries")["queries"]
    qrels = datasets.load_dataset(f"{source}-qrels")
    by_split = {("dev" if s == "validation" else s): [(r["query-id"], r["corpus-id"], r["score"]) for r in qrels[s]]
                for s in qrels}
    return beir_from_rows("msmarco", corpus, queries, by_split, {"source": source})
