"""Write results/README.md, the reproduction report, from the files the notebooks wrote under results/
(`mlrlib.runtime.report`; `python -m mlrlib claims` rebuilds the claims tables first, then this).

    python tools/reproduction_report.py            # the report alone (`make reproduce` runs python -m mlrlib claims)
    python tools/reproduction_report.py --check    # exit 1 when results/README.md is out of date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlrlib.runtime.report import STUDIES, read_markdown_table, render, write_report  # noqa: F401 (the tests')

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=ROOT / "results")
    ap.add_argument("--check", action="store_true", help="only compare with the existing README.md")
    args = ap.parse_args(argv)
    return write_report(args.results, args.check)


if __name__ == "__main__":
    sys.exit(main())
