"""packaging/bundle_trim.py, loaded from its folder (packaging/ is not a Python package: installer.spec adds it to
sys.path the same way)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "packaging" / "bundle_trim.py"
_spec = importlib.util.spec_from_file_location("bundle_trim", _PATH)
assert _spec is not None and _spec.loader is not None
bundle_trim = importlib.util.module_from_spec(_spec)
sys.modules["bundle_trim"] = bundle_trim
_spec.loader.exec_module(bundle_trim)
