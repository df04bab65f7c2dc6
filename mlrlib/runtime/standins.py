"""Local stand-ins for what the `paper` presets fetch from the Hugging Face hub, for the `rehearsal` presets.

The `paper` code paths (BERT-base, 12- and 24-layer models, SQuAD / MS MARCO / NQ / SciFact loaders, a trained
ranker loaded as is, a decoder) cannot run on a machine without the network. A rehearsal runs them anyway on
stand-ins of the same *shape*:

- models: for every hub id a `paper` preset names, a randomly initialised (seeded) model of the real model's
  architecture class and number of layers, but narrow enough for a CPU, saved in the hub's folder layout
  (`save_pretrained`: config.json, model.safetensors, tokenizer files) with bert-base-uncased's vocabulary (the
  packaged MiniLM's tokenizer), so it loads by path exactly as the hub id would;
- data: small files in each loader's format (SQuAD jsonl, BEIR folders for MS MARCO and SciFact, DPR jsonl for
  NQ), reshaped from the real text of a small slice of the offline Debian benchmark.

Everything is built once under the cache (`.cache/standins/<hash of BUILD_VERSION and the slice>/`).

    python -m mlrlib.runtime.standins          # build (if missing) and print the paths
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from mlrlib.runtime.cache import atomic_dir, cache_dir

# bump when what is built changes, so a stale build is never read
BUILD_VERSION = 3
SEED = 0
# the Debian slice the data stand-ins are cut from: the smoke presets' slice (usually cached already): 300 passages,
# 40 train / 20 dev / 30 test questions and 40 weakly supervised pairs
SOURCE = {"corpus_size": 300, "max_queries": {"train": 40, "dev": 20, "test": 30}, "max_weak_pairs": 40}


@dataclass(frozen=True)
class ModelSpec:
    """One hub model's stand-in: the real architecture class and depth, a narrow width.

    architecture: the class whose weights the hub folder holds (bert-base-uncased's are BertForPreTraining's:
    encoder, pooler and both pre-training heads; Qwen2.5's a causal LM with tied embeddings).

    width: the hidden size; the teacher and student of notebook 03 differ in it (384 vs 768 for real), so the
    distillation's width projection runs."""
    hub_id: str
    architecture: str
    layers: int
    width: int


MODELS = (
    ModelSpec("bert-base-uncased", "BertForPreTraining", 12, 32),
    ModelSpec("sentence-transformers/all-MiniLM-L12-v2", "BertModel", 12, 16),
    ModelSpec("cross-encoder/ms-marco-MiniLM-L-6-v2", "BertForSequenceClassification", 6, 16),
    ModelSpec("cross-encoder/ms-marco-MiniLM-L-12-v2", "BertForSequenceClassification", 12, 16),
    ModelSpec("Qwen/Qwen2.5-0.5B", "Qwen2ForCausalLM", 24, 16),
)
DATA = ("squad", "msmarco", "nq", "scifact")


@dataclass(frozen=True)
class StandIns:
    """Where the stand-ins are: a folder per hub model id, a folder per dataset."""
    root: Path
    models: dict[str, str]
    data: dict[str, str]


def build_key() -> dict:
    return {"version": BUILD_VERSION, "seed": SEED, "source": SOURCE, "models": [asdict(m) for m in MODELS]}


def model_folder(hub_id: str) -> str:
    return hub_id.replace("/", "--")


def stand_ins(rebuild: bool = False) -> StandIns:
    """The stand-ins, built first if missing (about ten seconds)."""
    root = cache_dir("standins", build_key())
    if rebuild or not (root / "standins.json").exists():
        with atomic_dir(root) as tmp:
            _build(tmp)
    return StandIns(root, {m.hub_id: str(root / "models" / model_folder(m.hub_id)) for m in MODELS},
                    {name: str(root / "data" / name) for name in DATA})


def _build(folder: Path) -> None:
    from mlrlib.data import load_data
    from mlrlib.data.benchmark import benchmark_config

    tokenizer = _bert_tokenizer()
    for spec in MODELS:
        _save_model(spec, tokenizer, folder / "models" / model_folder(spec.hub_id))
    source = load_data("debian", benchmark_config(**SOURCE))
    rows = _rows(source)
    _write_squad(rows, folder / "data" / "squad")
    _write_beir(rows, folder / "data" / "msmarco", titles=False)
    _write_beir(rows, folder / "data" / "scifact", titles=True)
    _write_dpr(rows, folder / "data" / "nq")
    (folder / "standins.json").write_text(json.dumps(build_key(), indent=2, sort_keys=True) + "\n")


# --- models -----------------------------------------------------------------------------------------


def _bert_tokenizer():
    """bert-base-uncased's vocabulary: the packaged MiniLM's tokenizer is that WordPiece vocabulary."""
    from transformers import AutoTokenizer

    from mlrlib.methods.encoders import default_model_path
    return AutoTokenizer.from_pretrained(default_model_path())


def _config(spec: ModelSpec, vocab_size: int):
    from transformers import BertConfig, Qwen2Config
    shape = {"hidden_size": spec.width, "num_hidden_layers": spec.layers, "num_attention_heads": 2,
             "intermediate_size": 4 * spec.width, "vocab_size": vocab_size, "architectures": [spec.architecture]}
    if spec.architecture.startswith("Qwen2"):
        # grouped-query attention as in the real model (fewer key/value heads than query heads), tied embeddings
        return Qwen2Config(**shape, num_key_value_heads=1, max_position_embeddings=512, tie_word_embeddings=True,
                           use_sliding_window=False)
    labels = {"num_labels": 1} if spec.architecture.endswith("ForSequenceClassification") else {}
    return BertConfig(**shape, max_position_embeddings=512, **labels)


def _save_model(spec: ModelSpec, tokenizer, folder: Path) -> None:
    """A seeded random model of the spec's class, saved with the tokenizer the way the hub holds it."""
    import torch
    import transformers
    if spec.architecture.startswith("Qwen2"):
        tokenizer = _decoder_tokenizer(tokenizer)
    torch.manual_seed(SEED)
    model = getattr(transformers, spec.architecture)(_config(spec, len(tokenizer)))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _decoder_tokenizer(tokenizer):
    """bert's vocabulary as a decoder's tokenizer: no token types (Qwen2Model takes none, and the real Qwen
    tokenizer gives none) and Qwen's end-of-text token, which transformers' Qwen2Tokenizer (what AutoTokenizer
    loads for a qwen2 config, whatever the folder says) adds anyway; the model's vocab_size counts it."""
    decoder = type(tokenizer).from_pretrained(tokenizer.name_or_path, model_input_names=["input_ids", "attention_mask"])
    decoder.add_special_tokens({"eos_token": "<|endoftext|>"})
    return decoder


# --- data -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One question with the passage it is answered by (its first relevant one), and its split."""
    qid: str
    split: str
    question: str
    pid: str


def _rows(data) -> dict:
    """The slice's questions per split (train: its training pairs), and its corpus (with every training
    positive: a weakly supervised pair's section need not be among the benchmark's passages)."""
    corpus = dict(zip(data.corpus_ids, data.corpus_texts))
    for p in data.train_pairs:
        corpus.setdefault(p["positive_id"], p["positive"])
    rows = [Row(f"train-{n}", "train", p["query"], p["positive_id"]) for n, p in enumerate(data.train_pairs)]
    for split in ("dev", "test"):
        ids, texts, qrels = data.split(split)
        rows += [Row(q, split, t, max(sorted(qrels[q]), key=qrels[q].get)) for q, t in zip(ids, texts)]
    return {"rows": rows, "corpus": corpus}


def _write_jsonl(path: Path, records) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_squad(built: dict, folder: Path) -> None:
    """SQuAD rows (id, title, context, question, answers). SQuAD has no test split: `validation` is the test
    (the loader's reading), and the loader cuts its dev from train, so dev questions go into train."""
    corpus = built["corpus"]
    def record(r: Row) -> dict:
        return {"id": r.qid, "title": "", "context": corpus[r.pid], "question": r.question,
                "answers": {"text": [corpus[r.pid][:40]], "answer_start": [0]}}
    _write_jsonl(folder / "train.jsonl", [record(r) for r in built["rows"] if r.split != "test"])
    _write_jsonl(folder / "validation.jsonl", [record(r) for r in built["rows"] if r.split == "test"])


def _title(text: str) -> str:
    return " ".join(text.split()[:6])


def _write_beir(built: dict, folder: Path, titles: bool) -> None:
    """A BEIR folder: corpus.jsonl, queries.jsonl, qrels/{train,dev,test}.tsv. MS MARCO's passages have an
    empty title; SciFact's have one (here: the passage's first words)."""
    corpus = built["corpus"]
    _write_jsonl(folder / "corpus.jsonl", [{"_id": pid, "title": _title(text) if titles else "", "text": text}
                                           for pid, text in corpus.items()])
    _write_jsonl(folder / "queries.jsonl", [{"_id": r.qid, "text": r.question} for r in built["rows"]])
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        lines = ["query-id\tcorpus-id\tscore"] + [f"{r.qid}\t{r.pid}\t1" for r in built["rows"] if r.split == split]
        (folder / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_dpr(built: dict, folder: Path, negatives: int = 3) -> None:
    """NQ in DPR's retriever form: question, answers, positive_ctxs, hard_negative_ctxs (the next passages of
    the corpus, deterministic), negative_ctxs."""
    corpus = built["corpus"]
    pids = list(corpus)
    def ctx(pid: str) -> dict:
        return {"title": _title(corpus[pid]), "text": corpus[pid], "passage_id": pid}
    def record(r: Row) -> dict:
        at = pids.index(r.pid)
        hard = [pids[(at + k) % len(pids)] for k in range(1, negatives + 1)]
        return {"question": r.question, "answers": [corpus[r.pid][:40]], "positive_ctxs": [ctx(r.pid)],
                "hard_negative_ctxs": [ctx(p) for p in hard], "negative_ctxs": []}
    for split in ("train", "dev", "test"):
        _write_jsonl(folder / f"{split}.jsonl", [record(r) for r in built["rows"] if r.split == split])


def main() -> None:
    built = stand_ins()
    print(json.dumps({"root": str(built.root), "models": built.models, "data": built.data}, indent=2))


if __name__ == "__main__":
    main()
