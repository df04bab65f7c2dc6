"""tools/learning_curve.py: the longer curve behind the step count of notebooks 01 and 02."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import learning_curve as tool  # noqa: E402


def test_the_last_point_must_be_the_end_of_the_run(capsys):
    with pytest.raises(SystemExit):
        tool.main(["--steps", "200", "--at", "25", "50"])
    assert "the last point of --at must be --steps" in capsys.readouterr().err
