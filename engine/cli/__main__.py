"""`python -m engine.cli ARGS...`: the engine's commands without the web ones."""

import sys

from . import main

sys.exit(main())
