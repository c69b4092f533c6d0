"""pytest configuration for Service/Tests: the harness module lives beside this file."""

import sys
import pathlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from deadbolt_harness import server  # noqa: E402,F401  (the session-wide server fixture)
