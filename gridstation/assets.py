"""Where the files that ship beside the package live: fonts, translations, seed data and form templates.

An editable install finds them at the repository's top level; the PyInstaller bundle copies them to the same
place relative to the package (installer.spec lists them in `datas`).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
FORMS = ROOT / "forms"
FONT_FILE = RESOURCES / "fonts" / "wqy-microhei.ttc"
