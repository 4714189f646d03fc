"""The desk's package, checked from the source: what installer.spec leaves out of the bundle (packaging/bundle_trim.py)
must be nothing the desk imports, and the .deb's menu entry and control file say what issue 19 asks. The built
program itself is checked by scripts/smoke_bundle.sh and scripts/smoke_deb.sh (CI, after scripts/package.sh)."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path

from tests.support.packaging import bundle_trim

ROOT = Path(__file__).resolve().parents[1]
DEB = ROOT / "packaging" / "deb"

# What the desk imports only when it first needs it (a function-level import): the bundle must carry these too.
LAZY_IMPORTS = [
    "jieba",
    "openpyxl",
    "pypinyin",
    "zxingcpp",
    "PIL.Image",
    "PIL.ImageOps",
    "httpx",
    "escpos.printer",
    "reportlab.platypus",
    "reportlab.graphics.barcode.qrencoder",
    "argon2",
    "cryptography.hazmat.primitives.ciphers.aead",
]

# Every desk module, then the lazy imports, with the excluded modules made unimportable as they are in the bundle:
# optional imports (httpx's command-line tool, jieba's pkg_resources, openpyxl's numpy) fall back, required ones fail.
IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
excluded, lazy = json.loads(sys.argv[1]), sys.argv[2:]

class LeftOut:
    def find_spec(self, name, path=None, target=None):
        if any(name == x or name.startswith(x + ".") for x in excluded):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, LeftOut())
import gridstation
for info in pkgutil.walk_packages(gridstation.__path__, "gridstation."):
    name = info.name
    if name.startswith("gridstation.server") or ".migrations" in name or name.endswith("__main__"):
        continue
    importlib.import_module(name)
for name in lazy:
    importlib.import_module(name)
print("imported")
"""


def test_nothing_the_desk_imports_is_left_out_of_the_bundle() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, json.dumps(bundle_trim.EXCLUDED_MODULES), *LAZY_IMPORTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "imported"


def test_the_server_and_numpy_are_left_out() -> None:
    assert {"gridstation.server", "fastapi", "uvicorn", "numpy", "scipy", "datasketch"} <= set(
        bundle_trim.EXCLUDED_MODULES
    )


def test_qt_keeps_what_the_desk_loads_and_drops_the_rest() -> None:
    keep = bundle_trim.keep_entry
    assert keep("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert keep("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert keep("PySide6/Qt/plugins/platforms/qwindows.dll")
    assert keep("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so")
    assert keep("PySide6/Qt/plugins/imageformats/libqjpeg.so")
    assert keep("PySide6/Qt/translations/qtbase_zh_CN.qm")
    assert keep("PySide6\\Qt\\translations\\qtbase_zh_CN.qm")  # Windows' separators
    assert not keep("PySide6/Qt/plugins/platforms/libqwayland.so")
    assert not keep("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert not keep("PySide6/Qt/plugins/tls/libqopensslbackend.so")
    assert not keep("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep("PySide6/Qt/translations/qt_help_zh_CN.qm")


def test_jiebas_dictionary_stays_and_its_unused_models_go() -> None:
    assert bundle_trim.keep_entry("jieba/dict.txt")
    assert bundle_trim.keep_entry("jieba/finalseg/prob_emit.p")
    assert not bundle_trim.keep_entry("jieba/posseg/prob_emit.p")
    assert not bundle_trim.keep_entry("jieba/lac_small/model_baseline/word_emb")


def test_a_library_stays_only_while_something_kept_links_to_it() -> None:
    needed = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/src/libQt6Gui.so.6": ["libicuuc.so.73"],
        "/src/libqgtk3.so": ["libgtk-3.so.0"],
    }
    binaries = [
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libicuuc.so.73", "/src/libicuuc.so.73", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),  # its plugin was trimmed: nothing needs it now
    ]
    kept, dropped = bundle_trim.drop_unreachable_libraries(binaries, lambda path: needed.get(path, []))
    if sys.platform.startswith("linux"):
        assert [name for name, _, _ in dropped] == ["libgtk-3.so.0"]
        assert len(kept) == 3
    links = [
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libQt6Wayland.so.6", "PySide6/Qt/lib/libQt6Wayland.so.6", "SYMLINK"),
    ]
    assert bundle_trim.drop_dangling_symlinks(links, [name for name, _, _ in kept]) == links[:1]


def test_system_libraries_come_from_the_system_but_the_xcb_helpers_are_bundled() -> None:
    if not sys.platform.startswith("linux"):
        return
    assert bundle_trim.from_system("libxcb.so.1")
    assert bundle_trim.from_system("libcups.so.2")
    assert bundle_trim.from_system("libglib-2.0.so.0")
    assert not bundle_trim.from_system("libxcb-util.so.1")  # Debian 10 based systems have .so.0 only
    assert not bundle_trim.from_system("libxcb-cursor.so.0")
    assert not bundle_trim.from_system("pillow.libs/libxcb-9065bb12.so.1.1.0")
    assert not bundle_trim.from_system("libpython3.11.so.1.0")


def test_the_menu_entry_names_the_desk_in_chinese_in_the_office_menu() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DEB / "gridstation.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "GridStation"
    assert desktop["Name[zh_CN]"] == "民情快办工作站"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in desktop["Comment"])
    assert desktop["Categories"] == "Office;"
    assert desktop["Icon"] == "gridstation"
    assert desktop["Exec"].startswith("/opt/gridstation/")
    assert (ROOT / "resources" / "icons" / "gridstation.png").is_file()
    assert (ROOT / "resources" / "icons" / "gridstation.ico").is_file()


def test_the_package_depends_on_system_libraries_only() -> None:
    control = (DEB / "control.in").read_text(encoding="utf-8")
    depends = next(line for line in control.splitlines() if line.startswith("Depends:"))
    assert "python" not in depends
    assert "libxcb-cursor" not in depends or "libxcb-cursor0" in depends
    for package in ("libxcb1", "libegl1", "libfontconfig1", "libxkbcommon-x11-0"):
        assert package in depends
