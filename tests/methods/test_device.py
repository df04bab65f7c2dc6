"""Device placement without a GPU: the setting, and every tensor a step creates on the model's device.

A model on PyTorch's `meta` device (shapes, no data) stands in for a GPU: any tensor a step makes on the CPU
instead of on the model's device shows up as a device mismatch, or in the recorded devices.
"""
from types import SimpleNamespace

import pytest
import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from transformers import AutoTokenizer

from mlrlib.methods import device as dev
from mlrlib.methods.cross_encoder import CrossEncoder
from mlrlib.methods.encoders import MultiLayerEncoder, default_model_path
from mlrlib.methods.losses import mlr_multi_vector_loss, query_anchored_mlr_loss
from mlrlib.training.config import TrainConfig
from mlrlib.training.md2pr import candidate_columns
from mlrlib.training.step import replayed_rng, rng_state, train_step


def test_default_is_cuda_when_available_else_cpu(monkeypatch):
    monkeypatch.delenv(dev.ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert dev.default_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert dev.default_device() == torch.device("cuda")


def test_the_environment_overrides_and_bad_values_say_what_to_set(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(dev.ENV, "cpu")
    assert dev.default_device() == torch.device("cpu")
    monkeypatch.setenv(dev.ENV, "cuda:1")
    assert dev.default_device() == torch.device("cuda", 1)
    monkeypatch.setenv(dev.ENV, "gpu please")
    with pytest.raises(ValueError, match="cpu, cuda or cuda:N"):
        dev.default_device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(dev.ENV, "cuda")
    with pytest.raises(ValueError, match="no CUDA device"):
        dev.default_device()


def test_autocast_follows_the_device_type():
    assert dev.autocast("cpu", True).device == "cpu"
    with pytest.warns(UserWarning, match="CUDA is not available"):  # torch says so on a machine without one
        assert dev.autocast(torch.device("cuda", 0), True).device == "cuda"
    assert not hasattr(dev.autocast("cpu", False), "device")  # a context that changes nothing


class DeviceRecorder(TorchFunctionMode):
    """Every device a torch function's tensor result lives on."""

    def __init__(self):
        super().__init__()
        self.devices, self.made = set(), []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in (out if isinstance(out, (tuple, list)) else [out]):
            if isinstance(t, torch.Tensor):
                self.devices.add(t.device.type)
                self.made.append((getattr(func, "__name__", str(func)), t.device.type))
        return out


class StubModel(nn.Module):
    """The interface of a transformers model (config, hidden states, logits) in a few layers that run on meta.
    (A real BERT does not: its attention mask reads values.) What is tested is this package's code."""

    def __init__(self, layers=2, width=16, vocab=30522):
        super().__init__()
        self.config = SimpleNamespace(num_hidden_layers=layers, hidden_size=width)
        self.embeddings = nn.Embedding(vocab, width)
        self.layer = nn.ModuleList(nn.Linear(width, width) for _ in range(layers))
        self.score = nn.Linear(width, 1)

    def forward(self, input_ids, attention_mask, token_type_ids=None, output_hidden_states=False, **_):
        hidden = [self.embeddings(input_ids) * attention_mask[..., None]]
        for layer in self.layer:
            hidden.append(torch.tanh(layer(hidden[-1])))
        return SimpleNamespace(hidden_states=tuple(hidden), logits=self.score(hidden[-1][:, 0]))


class UnrecordedTokenizer:
    """The packaged tokenizer, whose own (CPU) tensors the recorder does not see: moving them is our code's job."""

    def __init__(self):
        self.inner = AutoTokenizer.from_pretrained(default_model_path())

    def __call__(self, *args, **kwargs):
        with torch._C.DisableTorchFunction():
            return self.inner(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def tokenizer():
    return UnrecordedTokenizer()


@pytest.mark.parametrize("grad_cache_chunk", [0, 2])
def test_a_training_step_creates_every_tensor_on_the_encoders_device(tokenizer, grad_cache_chunk):
    encoder = MultiLayerEncoder("tiny", model=StubModel().to("meta"), tokenizer=tokenizer)
    assert encoder.device.type == "meta"
    cfg = TrainConfig(model="tiny", doc_layers=[1, 2], query_layer=2, batch_size=2, q_max_len=8, p_max_len=12,
                      bf16=False, grad_cache_chunk=grad_cache_chunk)
    loss_fn = lambda q, d: query_anchored_mlr_loss(q[:, 0], d, lam=1.0)  # noqa: E731
    with DeviceRecorder() as seen:
        loss = train_step(encoder, ["how to quit", "what is a buffer"], ["type :q", "a buffer is text",
                                                                        "see also", "other text"], cfg, loss_fn)
    assert loss.device.type == "meta"
    assert seen.devices == {"meta"}, [m for m in seen.made if m[1] != "meta"]


def test_losses_build_their_labels_on_the_scores_device():
    q, d = torch.zeros(3, 8, device="meta"), torch.zeros(3, 2, 8, device="meta")
    assert mlr_multi_vector_loss(q, d).device.type == "meta"
    assert candidate_columns(2, 3, "meta").device.type == "meta"


def test_a_cross_encoder_moves_its_pair_batches_to_its_model(tokenizer):
    ranker = CrossEncoder("tiny", model=StubModel().to("meta"), tokenizer=tokenizer)
    batch = ranker.pairs(["how to quit"], ["type :q"], 8, 12)
    assert batch.inputs["input_ids"].device.type == "cpu"  # built on the CPU, moved by forward
    assert ranker(batch).device.type == "meta"


def test_gradient_caching_replays_the_gpus_rng_state_too(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "get_rng_state", lambda device=None: calls.append(("get", device)) or "gpu-state")
    monkeypatch.setattr(torch.cuda, "set_rng_state", lambda state, device=None: calls.append(("set", state, device)))
    gpu = torch.device("cuda", 0)
    state = rng_state(gpu)
    assert state[1] == "gpu-state"
    before = torch.get_rng_state()
    with replayed_rng(gpu, state):
        assert ("set", "gpu-state", gpu) in calls
        torch.rand(3)
    assert torch.equal(torch.get_rng_state(), before)  # the CPU's state is put back
    assert rng_state(torch.device("cpu"))[1] is None
