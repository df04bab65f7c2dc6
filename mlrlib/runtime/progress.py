"""Progress bars where a person is watching, none where nobody is.

A long step (training, encoding a corpus, re-ranking, scoring the teacher's pairs) shows tqdm's bar: in a Jupyter
kernel the notebook widget, cleared when the step ends (`leave=False`), so a finished notebook shows no bars. Where a
notebook runs headless (papermill, nbval, `jupyter nbconvert --execute`, CI) nothing is drawn, so that the executed
notebooks `make test` checks and `make reproduce` commits hold no progress output; scripts and tests stay quiet too.

`MLRLIB_PROGRESS=1` or `0` decides it outright. Otherwise bars show in an IPython kernel whose parent process (the
program that started the kernel) is not a headless runner, and in a terminal; never when `CI` is set.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tqdm.auto import tqdm

# substrings of the command line of a process that starts kernels with nobody watching
HEADLESS_RUNNERS = ("papermill", "nbconvert", "nbclient", "pytest", "nbval", "run_notebooks")


class ProgressSettingError(ValueError):
    """MLRLIB_PROGRESS holds something other than 0 or 1."""


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _parent_command() -> str:
    """The command line of the process that started this one ('' where /proc cannot tell)."""
    try:
        return Path(f"/proc/{os.getppid()}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def show_progress(environ=None, in_kernel: bool | None = None, parent_command: str | None = None,
                  terminal: bool | None = None) -> bool:
    """Whether long steps should draw a progress bar here (the arguments are for tests; by default they are read
    from this process)."""
    environ = os.environ if environ is None else environ
    setting = environ.get("MLRLIB_PROGRESS", "").strip()
    if setting:
        if setting not in ("0", "1"):
            raise ProgressSettingError(f"MLRLIB_PROGRESS={setting!r}: set it to 1 (bars) or 0 (none), or unset it")
        return setting == "1"
    if environ.get("CI"):
        return False
    if _in_kernel() if in_kernel is None else in_kernel:
        command = _parent_command() if parent_command is None else parent_command
        return not any(runner in command for runner in HEADLESS_RUNNERS)
    return sys.stderr.isatty() if terminal is None else terminal


def resolved(progress: bool | None) -> bool:
    """`progress` as given, or, when None, `show_progress()`: for `methods/`, which takes a plain bool."""
    return show_progress() if progress is None else progress


def progress_bar(iterable, desc: str, enabled: bool | None = None, **kwargs):
    """tqdm over `iterable`, cleared when done; drawn when `enabled`, or, when None, where `show_progress()` says."""
    return tqdm(iterable, desc=desc, disable=not resolved(enabled), leave=False, **kwargs)
