import sys

from mlrlib.runtime.cli import main

sys.exit(main())
