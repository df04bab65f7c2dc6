"""The stand-ins of the `paper` presets' hub models and data, and the `rehearsal` presets built on them."""
import pytest
from conftest import docs_installed

from mlrlib.runtime.presets import PRESETS, get_preset, rehearsal_of

pytestmark = pytest.mark.skipif(not docs_installed(), reason="the Debian documentation packages are not installed")

REAL_LAYERS = {"bert-base-uncased": 12, "sentence-transformers/all-MiniLM-L12-v2": 12,
               "cross-encoder/ms-marco-MiniLM-L-6-v2": 6, "cross-encoder/ms-marco-MiniLM-L-12-v2": 12,
               "Qwen/Qwen2.5-0.5B": 24}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The stand-ins, built once for the module in a cache of its own."""
    from mlrlib.runtime.standins import stand_ins
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLRLIB_CACHE", str(tmp_path_factory.mktemp("standins-cache")))
        yield stand_ins()


def paper_model_ids() -> set[str]:
    ids = set()
    for presets in PRESETS.values():
        paper = presets["paper"]
        ids |= {part["model"] for part in (paper, paper.get("teacher"), paper.get("causal")) if part}
    return ids


def test_every_paper_model_has_a_stand_in(built):
    assert set(built.models) == paper_model_ids() == set(REAL_LAYERS)


def test_stand_ins_have_the_real_depth_and_the_bert_vocabulary(built):
    from transformers import AutoModel, AutoTokenizer

    from mlrlib.methods.encoders import default_model_path
    bert = AutoTokenizer.from_pretrained(default_model_path()).get_vocab()
    for hub_id, path in built.models.items():
        model, tokenizer = AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path)
        assert model.config.num_hidden_layers == REAL_LAYERS[hub_id], hub_id
        assert model.config.vocab_size == len(tokenizer), hub_id
        vocab = tokenizer.get_vocab()
        assert all(vocab.get(token) == i for token, i in bert.items()), hub_id


def test_model_kinds(built):
    from transformers import AutoConfig
    config = {h: AutoConfig.from_pretrained(p) for h, p in built.models.items()}
    for ranker in ("cross-encoder/ms-marco-MiniLM-L-6-v2", "cross-encoder/ms-marco-MiniLM-L-12-v2"):
        assert config[ranker].architectures == ["BertForSequenceClassification"] and config[ranker].num_labels == 1
    assert config["Qwen/Qwen2.5-0.5B"].model_type == "qwen2"
    # notebook 03's teacher and student differ in width, as 384 and 768 do, so the layer map projects
    assert config["cross-encoder/ms-marco-MiniLM-L-6-v2"].hidden_size != config["bert-base-uncased"].hidden_size


def test_stand_in_data_loads_with_its_splits(built):
    from mlrlib.data import load_data
    for spec in (f"squad:{built.data['squad']}", f"msmarco:{built.data['msmarco']}", f"nq:{built.data['nq']}",
                 f"beir:{built.data['scifact']}"):
        data = load_data(spec)
        assert set(data.splits) == {"dev", "test"}, spec
        assert data.train_pairs and all(data.split(s).ids for s in data.splits), spec


def test_the_build_is_reused(built):
    from mlrlib.runtime.standins import stand_ins
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLRLIB_CACHE", str(built.root.parents[1]))
        again = stand_ins()
    assert again == built


def flat(cfg: dict, prefix: str = "") -> dict:
    """{dotted key: value}; a benchmark build config is one value (the data it names is swapped whole)."""
    out = {}
    for key, value in cfg.items():
        leaf = not isinstance(value, dict) or key == "benchmark"
        out |= {f"{prefix}{key}": value} if leaf else flat(value, f"{prefix}{key}.")
    return out


# what a rehearsal may change: the hub's models and data, and sizes (steps, batches, seeds, depths)
SWAPPED = {"model", "teacher.model", "causal.model", "data", "beir_folder", "symmetric_data.benchmark",
           "encode.batch_size", "train.steps", "train.batch_size", "train.grad_cache_chunk", "teacher.batch_size",
           "teacher.negatives", "teacher.steps", "snapshots", "distill.negatives", "light.negatives", "seeds",
           "cost_steps", "rerank_depth", "speed.passages", "speed.repeats", "speed.queries",
           *(f"regimes.{r}.{k}" for r in ("paper", "own")
             for k in ("train.steps", "train.batch_size", "train.grad_cache_chunk", "seeds"))}


@pytest.mark.parametrize("study", sorted(PRESETS))
def test_rehearsal_keeps_the_paper_preset_but_the_swapped_fields(built, study):
    paper = PRESETS[study]["paper"]
    rehearsal = rehearsal_of(paper, built.models, built.data)
    a, b = flat(paper), flat(rehearsal)
    assert set(a) == set(b)
    assert {k for k in a if a[k] != b[k]} <= SWAPPED
    assert b["model"] == built.models[paper["model"]]
    assert b["data"] == f"{paper['data']}:{built.data[paper['data']]}"
    if "train.grad_cache_chunk" in a:
        assert 0 < b["train.grad_cache_chunk"] < b["train.batch_size"]
    steps = [v for k, v in b.items() if k.endswith("train.steps")]
    assert steps and max(steps) <= 2 and len(rehearsal.get("seeds", [0, 1])) >= 2
    if "snapshots" in a:
        assert len(b["snapshots"]) == len(a["snapshots"]) and b["snapshots"][-1] == b["teacher.steps"]


def test_rehearsal_keeps_the_papers_settings(built):
    r = {s: rehearsal_of(PRESETS[s]["paper"], built.models, built.data) for s in PRESETS}
    assert r["01_layer_selection"]["regimes"]["paper"]["m_sweep"][-1] == 12
    assert r["01_layer_selection"]["regimes"]["paper"]["train"]["steps"] <= 2
    assert r["03_md2pr_distillation"]["distill"]["layer_map"] == [[3, 6], [6, 12]]
    assert r["03_md2pr_distillation"]["teacher"]["kind"] == "classifier"
    assert r["03_md2pr_distillation"]["teacher"]["steps"] == 0  # a trained ranker loaded as is
    assert r["05_open_questions"]["causal"]["layers"] == [21, 22, 23, 24]
    assert r["05_open_questions"]["causal"]["model"] == built.models["Qwen/Qwen2.5-0.5B"]
    assert r["05_open_questions"]["beir_folder"] == built.data["scifact"]


def test_get_preset_rehearsal_fills_in_the_stand_ins(built, monkeypatch):
    monkeypatch.setenv("MLRLIB_CACHE", str(built.root.parents[1]))
    for study in PRESETS:
        assert get_preset(study, "rehearsal") == rehearsal_of(PRESETS[study]["paper"], built.models, built.data)


def test_a_learning_check_is_reported_not_enforced_under_rehearsal(capsys, monkeypatch):
    from mlrlib.runtime import notebook
    name = sorted(notebook.LEARNING_CHECKS)[0]
    monkeypatch.setitem(notebook._running, "preset", "rehearsal")
    notebook.check_all({name: False, "structural": True})
    assert capsys.readouterr().out == f"SKIP {name}\nPASS structural\n"
    with pytest.raises(AssertionError, match="structural"):
        notebook.check_all({name: False, "structural": False})
    monkeypatch.setitem(notebook._running, "preset", "smoke")
    with pytest.raises(AssertionError, match="beats"):
        notebook.check_all({name: False})


def test_every_learning_check_names_a_notebook_check():
    from mlrlib.runtime.notebook import LEARNING_CHECKS
    from mlrlib.runtime.paths import REPO_ROOT
    text = "".join(p.read_text() for p in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert all(f'"{name}"' in text for name in LEARNING_CHECKS)


@pytest.mark.parametrize("study", sorted(PRESETS))
def test_the_teacher_scores_as_many_negatives_as_its_student_trains_with(built, study):
    presets = {**PRESETS[study], "rehearsal": rehearsal_of(PRESETS[study]["paper"], built.models, built.data)}
    for name, cfg in presets.items():
        student = cfg.get("distill", cfg.get("light", {})).get("negatives")
        if "teacher" in cfg and student is not None:
            assert cfg["teacher"]["negatives"] == student, (study, name)
