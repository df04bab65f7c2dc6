"""The allocator setting: freed tensors go back to the operating system (glibc)."""
import platform
import subprocess
import sys

import pytest

from mlrlib.runtime.memory import MallocSettingError, release_freed_memory, wanted

# 40 tensors of 6 MiB, a small one allocated after them (pins the heap's top), then the 40 freed: with glibc's
# dynamic threshold they sit in the heap below the pin and stay resident; with a fixed one each was its own mapping
PROBE = """
import os, sys, torch
def rss(): return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
warm = torch.ones(8 << 20, dtype=torch.uint8); del warm  # a freed large block raises glibc's dynamic threshold
held = [torch.ones(6 << 20, dtype=torch.uint8) for _ in range(40)]
pin = torch.ones(256 << 10, dtype=torch.uint8)
before = rss(); del held
print(before - rss())
"""


def freed_mib(setting: str) -> float:
    code = "import mlrlib\n" + PROBE
    env = {"MLRLIB_MALLOC": setting, "PATH": "/usr/bin:/bin"}
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                check=True).stdout.strip().splitlines()[-1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's mallopt")
def test_freed_tensors_leave_the_process_with_the_setting_and_stay_without_it():
    assert freed_mib("fixed") > 200  # 240 MiB were freed
    assert freed_mib("default") < 50


def test_set_on_binder_only_unless_the_environment_says():
    assert wanted({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}) and not wanted({})
    assert wanted({"MLRLIB_MALLOC": "fixed"}) and not wanted({"MLRLIB_MALLOC": "default", "BINDER_REQUEST": "v2/gh"})
    assert release_freed_memory(environ={}) is False
    with pytest.raises(MallocSettingError, match="fixed or default"):
        wanted({"MLRLIB_MALLOC": "on"})
