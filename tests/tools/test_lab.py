"""`make lab` works: JupyterLab starts with the Makefile's arguments, lists the notebooks over HTTP, and its
`python3` kernel (the notebooks' kernelspec) is this project's Python."""
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lab_args() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    assert "\t$(PY) -m jupyter lab $(LAB_ARGS)" in makefile
    return re.search(r"^LAB_ARGS := (.+)$", makefile, re.M).group(1).split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def lab(tmp_path):
    pytest.importorskip("jupyterlab")
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", *lab_args(), "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root, which Jupyter refuses by default
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited: {server.stderr.read()[-2000:]}")
            try:
                get(f"{base}/api/status", token)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within a minute")
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_jupyterlab_lists_the_notebooks_and_runs_them_with_this_python(lab):
    base, token = lab
    listing = get(f"{base}/api/contents/notebooks", token)
    # jupytext shows the py:percent twins as notebooks too
    notebooks = sorted(item["name"] for item in listing["content"]
                       if item["type"] == "notebook" and item["name"].endswith(".ipynb"))
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    wanted = {json.loads((ROOT / "notebooks" / n).read_text())["metadata"]["kernelspec"]["name"] for n in notebooks}
    specs = get(f"{base}/api/kernelspecs", token)["kernelspecs"]
    for name in wanted:
        argv = specs[name]["spec"]["argv"]
        # jupyter_client starts a kernelspec that says `python` with the server's own interpreter (sys.executable)
        server_python = sys.executable if argv[0] in ("python", "python3", f"python3.{sys.version_info[1]}") \
            else argv[0]
        assert Path(server_python).resolve() == Path(sys.executable).resolve(), argv
    assert get(f"{base}/lab/api/settings", token)  # the JupyterLab application itself is served
