"""The layers of docs/architecture.md hold, and the import-linter contracts that guard them in CI can fail.

`.ci/run` runs `lint-imports` on the real tree; these tests plant a forbidden import in a copy of the package and
check that the same contracts catch it (a contract that cannot fail guards nothing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "gridstation", copy / "gridstation", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_real_tree_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("domain/sla.py", "import sqlalchemy", "The domain is pure Python"),
        ("storage/case_store.py", "import gridstation.protocol", "The desk's layers"),
        ("services/cases.py", "import gridstation.ui.case_list", "The desk's layers"),
        ("server/feed.py", "import gridstation.storage.models", "The server shares only domain"),
        ("ui/case_list.py", "import gridstation.storage.models", "The desk's screens reach data only through"),
        ("sync/engine.py", "import gridstation.storage.models", "The sync layer reaches the database"),
        ("printing/receipt.py", "import gridstation.services.station", "Renderers draw what they are given"),
        ("protocol.py", "import gridstation.server.app", "Nothing of the desk imports the server"),
    ],
)
def test_a_planted_import_across_a_layer_is_caught(tree: Path, module: str, planted: str, contract: str) -> None:
    path = tree / "gridstation" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + f"\n{planted}  # planted by tests/test_layers.py\n", encoding="utf-8")
        result = lint(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
