"""The package's tiers, held by its import graph.

- methods and data sit at the bottom, training on them, evaluation on training, the studies on top;
  runtime's base (paths, cache, provenance, progress bars, the allocator setting) serves every tier, its entry
  points (CLI, presets, notebook setup, export) may use every tier but the studies;
- nothing outside `mlrlib/studies/` imports a study, and no study imports another;
- `mlrlib/methods/` is torch only: no pandas, no ranx, nothing from the other tiers;
- one repository root (`runtime.paths.REPO_ROOT`): no other module works out folders from `__file__`.
"""
import ast
from pathlib import Path

import pytest

from mlrlib.runtime import cache, paths

PACKAGE = Path(__file__).resolve().parent.parent / "mlrlib"
TIERS = ("methods", "training", "data", "evaluation", "runtime", "studies")
RUNTIME_BASE = {"mlrlib.runtime", "mlrlib.runtime.paths", "mlrlib.runtime.cache", "mlrlib.runtime.provenance",
                "mlrlib.runtime.progress", "mlrlib.runtime.memory", "mlrlib.runtime.binder"}
# the tiers each tier may import (besides itself and runtime's base)
BELOW = {"methods": set(), "data": set(), "training": {"methods", "data"},
         "evaluation": {"methods", "data", "training"}, "runtime": {"methods", "data", "training", "evaluation"},
         "studies": {"methods", "data", "training", "evaluation", "runtime"}}


def module_of(path: Path) -> str:
    parts = path.with_suffix("").parts
    parts = parts[len(parts) - 1 - parts[::-1].index("mlrlib"):]  # from the last folder named mlrlib
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code (absolute names; relative ones resolved)."""
    tree = ast.parse(path.read_text())
    here = module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}  # `from mlrlib import studies` names a module too
    return out


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    return {module_of(p): imports(p) for p in sorted(package.rglob("*.py"))}


def tier(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "mlrlib" and parts[1] in TIERS else None


def runtime_base(module: str) -> bool:
    return any(module == b or module.startswith(b + ".") for b in RUNTIME_BASE - {"mlrlib.runtime"}) or \
        module == "mlrlib.runtime"


def violations(g: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in g.items():
        for target in sorted(targets):
            if tier(module) and tier(target) and tier(target) != tier(module) and not runtime_base(target) \
                    and tier(target) not in BELOW[tier(module)]:
                found.append(f"{module} ({tier(module)}) imports {target} ({tier(target)}), a tier above it")
            if runtime_base(module) and tier(target) and not runtime_base(target):
                found.append(f"{module} (runtime's base) imports {target}")
            if tier(target) == "studies" and target != "mlrlib.studies":
                if tier(module) != "studies":
                    found.append(f"{module} imports the study {target}")
                elif target != module and module != "mlrlib.studies":
                    found.append(f"the study {module} imports the study {target}")
            if tier(module) == "methods":
                root = target.split(".")[0]
                if root in ("pandas", "ranx"):
                    found.append(f"{module} (methods) imports {root}")
                if root == "mlrlib" and tier(target) not in ("methods", None) or target == "mlrlib.studies":
                    found.append(f"{module} (methods) imports {target} from another tier")
    return found


def test_the_package_keeps_its_tiers():
    assert violations(graph()) == []


def test_every_module_sits_in_a_tier():
    loose = [m for m in graph() if m.count(".") == 1 and tier(m) is None
             and m not in ("mlrlib.__main__", "mlrlib.export")]
    assert loose == [], "put new modules in one of " + ", ".join(TIERS)


@pytest.mark.parametrize("edges, expected", [
    ({"mlrlib.evaluation.figures": {"mlrlib.studies.open_questions"}}, "imports the study"),
    ({"mlrlib.studies.early_layers": {"mlrlib.studies.layer_selection"}}, "the study mlrlib.studies.early_layers"),
    ({"mlrlib.methods.losses": {"pandas"}}, "(methods) imports pandas"),
    ({"mlrlib.methods.search": {"ranx.metrics"}}, "(methods) imports ranx"),
    ({"mlrlib.methods.bm25": {"mlrlib.methods.search", "mlrlib.data.retrieval_data"}}, "from another tier"),
    ({"mlrlib.training.step": {"mlrlib.evaluation.metrics"}}, "a tier above it"),
    ({"mlrlib.runtime.cache": {"mlrlib.data.benchmark"}}, "(runtime's base) imports"),
])
def test_the_rules_catch_each_kind_of_violation(edges, expected):
    found = violations(edges)
    assert found and any(expected in f for f in found), found


def test_relative_imports_are_resolved(tmp_path):
    pkg = tmp_path / "mlrlib" / "methods"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("from ..studies import layer_selection\nfrom . import losses\n")
    assert imports(pkg / "x.py") >= {"mlrlib.studies.layer_selection", "mlrlib.methods.losses"}


def test_one_repository_root():
    assert (paths.REPO_ROOT / "pyproject.toml").exists() and (paths.REPO_ROOT / "mlrlib").is_dir()
    users = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__file__" in p.read_text()]
    assert users == ["runtime/paths.py"]


def test_cache_and_results_default_to_the_repository_root(monkeypatch):
    monkeypatch.delenv("MLRLIB_CACHE", raising=False)
    monkeypatch.delenv("MLRLIB_RESULTS", raising=False)
    assert cache.cache_root() == paths.REPO_ROOT / ".cache"
    assert paths.results_root() == paths.REPO_ROOT / "results"
