"""What installer.spec leaves out of the desk's bundle, and why (docs/packaging.md has the sizes).

PyInstaller's hooks collect whole packages: every Qt plugin and translation PySide6 ships, jieba's part-of-speech
and keyword models next to the dictionary, and the system libraries those plugins link to (GTK for the GTK
theme plugin). The desk needs a fraction of that. The lists here are applied to the Analysis' TOCs in the spec;
afterwards `drop_unreachable_libraries` removes the shared libraries nothing left in the bundle links to.

Plain Python, no PyInstaller import at module level, so it can be read and tested on its own.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# A TOC entry: (name in the bundle, source path, type code).
Entry = tuple[str, str, str]

# Server-only and development-only packages: the desk never imports them (import-linter forbids the desk to import
# gridstation.server). datasketch pulls numpy and scipy (~120 MB); psycopg is the server's PostgreSQL driver.
EXCLUDED_MODULES = [
    "gridstation.server",
    "fastapi",
    "starlette",
    "uvicorn",
    "multipart",
    "python_multipart",
    "pydantic_settings",
    "jinja2",
    "datasketch",
    "numpy",
    "scipy",
    "psycopg",
    "psycopg_binary",
    "psycopg_pool",
    "schemathesis",
    "selenium",
    "hypothesis",
    "pytest",
    "_pytest",
    "pytestqt",
    "mypy",
    "ruff",
    "importlinter",
    "grimp",
    "IPython",
    "tkinter",
    "PyInstaller",
    # Pulled in only by optional paths of what the desk uses: jieba falls back to reading its dictionary from its
    # folder without pkg_resources; httpx's command-line tool (rich, click, pygments) and its trio backend;
    # mako's syntax highlighting. setuptools and distutils are build tools.
    "pkg_resources",
    "setuptools",
    "distutils",
    "pygments",
    "rich",
    "click",
    "trio",
    "markdown_it",
    "pydoc_data",
    # Qt modules GridStation never imports (WebEngine alone is ~280 MB). QtNetwork and QtDBus stay as libraries
    # (QtPdf and QtGui link to them) but their Python bindings are not needed.
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtSvg",
    "PySide6.QtOpenGL",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
]

QT = "PySide6/Qt/"
# Qt plugins the desk loads: a window on X11 (xcb, with its GL integration), offscreen (tests, smoke checks,
# printing without a screen), the print dialog's CUPS backend, the input-method contexts (Chinese typing: ibus, and
# fcitx5 through its ibus frontend; docs/packaging.md), and the image formats a photo (JPEG, PNG built in, WebP) or
# the Windows icon can be in; no SVG (QtSvg goes too). On Windows and macOS their own platform plugins.
KEPT_PLUGINS = {
    "platforms": {
        "libqxcb.so",
        "libqoffscreen.so",
        "libqminimal.so",
        "qwindows.dll",
        "qoffscreen.dll",
        "qminimal.dll",
        "libqcocoa.dylib",
        "libqoffscreen.dylib",
        "libqminimal.dylib",
    },
    "xcbglintegrations": None,  # all
    "printsupport": None,
    "platforminputcontexts": None,
    "imageformats": {
        "libqjpeg.so",
        "libqico.so",
        "libqwebp.so",
        "qjpeg.dll",
        "qico.dll",
        "qwebp.dll",
        "libqjpeg.dylib",
        "libqico.dylib",
        "libqwebp.dylib",
    },
    "styles": None,  # Windows' modern style
}
# Qt's own strings in Chinese (OK/取消, the file and print dialogs): ui/resources.py loads qtbase_zh_CN.
KEPT_TRANSLATIONS = {"qtbase_zh_CN.qm"}

# jieba: the similar-case engine segments with the dictionary (dict.txt) and the HMM for unknown words (finalseg);
# the part-of-speech tagger (posseg), keyword extraction (analyse) and the Paddle model (lac_small) are not used.
JIEBA_UNUSED = ("jieba/posseg/", "jieba/analyse/", "jieba/lac_small/")
# Pillow: photos are JPEG, PNG or WebP and are only decoded, rotated and scaled; no AVIF (libavif, 5 MB), no text
# drawing (FreeType, HarfBuzz), no colour management (LittleCMS), no Tk.
UNUSED_FILES_PREFIXES = (*JIEBA_UNUSED, "PIL/_avif", "PIL/_imagingtk", "PIL/_imagingft", "PIL/_imagingcms")

# Linux: libraries every desktop has, taken from the system rather than from the build machine (the .deb depends on
# their packages, packaging/deb/control): X11 and the core xcb protocol libraries, fonts, GLib, D-Bus and CUPS (the
# print dialog). A copy from the build machine could clash with what the desktop's other libraries expect, and
# CUPS alone drags in GnuTLS and Kerberos. The small xcb-util helpers (cursor, icccm, image, keysyms, render-util,
# util) stay bundled: Debian 10 based systems (统信UOS 20) have libxcb-util.so.0 where Qt 6 needs .so.1.
SYSTEM_LIBRARY = re.compile(
    r"^(libX11|libX11-xcb|libxcb|libxcb-(xkb|randr|shape|sync|xfixes|shm|render|glx|xinput|dri2|dri3|present)"
    r"|libxkbcommon|libxkbcommon-x11|libfontconfig|libfreetype|libglib-2\.0|libgthread-2\.0|libdbus-1|libcups"
    r"|libexpat|libpng16|libEGL|libGL|libGLX|libOpenGL)\.so(\.\d+)*$"
)


def _posix(name: str) -> str:
    return name.replace("\\", "/")


def keep_entry(name: str) -> bool:
    """Whether a bundled file (its name inside the bundle) belongs in the desk's bundle."""
    path = _posix(name)
    if path.startswith(UNUSED_FILES_PREFIXES):
        return False
    if path.startswith(QT + "plugins/"):
        parts = path[len(QT + "plugins/") :].split("/")
        if len(parts) < 2:
            return True
        if parts[0] not in KEPT_PLUGINS:
            return False
        kept = KEPT_PLUGINS[parts[0]]
        return kept is None or parts[-1] in kept
    if path.startswith((QT + "translations/", "PySide6/translations/")):
        return PurePosixPath(path).name in KEPT_TRANSLATIONS
    return True


def from_system(name: str) -> bool:
    """A top-level shared library the Linux desktop provides (SYSTEM_LIBRARY)."""
    path = _posix(name)
    return sys.platform.startswith("linux") and "/" not in path and SYSTEM_LIBRARY.match(path) is not None


def trim(entries: Iterable[Entry]) -> list[Entry]:
    return [entry for entry in entries if keep_entry(entry[0]) and not from_system(entry[0])]


def drop_unreachable_libraries(
    binaries: Iterable[Entry], needed_by: Callable[[str], Iterable[str]] | None = None
) -> tuple[list[Entry], list[Entry]]:
    """Split `binaries` into (kept, dropped): a bundled shared library stays only if something kept links to it.

    PyInstaller collected the dependencies of every plugin before `trim` removed some plugins, so the GTK theme
    plugin's libgtk-3 and its thirty companions would otherwise ship for nothing. Roots are the Python extension
    modules, Qt's plugins and libpython; a library is kept when a root (or a kept library) names its file in
    DT_NEEDED. Linux only: elsewhere everything is kept.
    """
    entries = list(binaries)
    if not sys.platform.startswith("linux"):
        return entries, []
    if needed_by is None:
        needed_by = _elf_needed
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(PurePosixPath(_posix(entry[0])).name, []).append(entry)

    def is_root(entry: Entry) -> bool:
        name = _posix(entry[0])
        base = PurePosixPath(name).name
        return (
            entry[2] == "EXTENSION"
            or ".cpython-" in base
            or base.endswith(".abi3.so")
            or name.startswith(QT + "plugins/")
            or base.startswith("libpython")
        )

    reached: set[str] = set()
    queue = [entry for entry in entries if is_root(entry)]
    seen = {id(entry) for entry in queue}
    while queue:
        entry = queue.pop()
        for soname in needed_by(entry[1]):
            reached.add(soname)
            for target in by_file.get(soname, []):
                if id(target) not in seen:
                    seen.add(id(target))
                    queue.append(target)
    kept = [entry for entry in entries if id(entry) in seen]
    dropped = [entry for entry in entries if id(entry) not in seen]
    return kept, dropped


def drop_dangling_symlinks(entries: Iterable[Entry], present: Iterable[str]) -> list[Entry]:
    """PyInstaller links a library collected in a package's folder (PySide6/Qt/lib) into the bundle's top level;
    such a link goes when its target was trimmed. `present` are the bundle names of every file kept."""
    names = {_posix(name) for name in present}
    kept = []
    for entry in entries:
        name, target, kind = entry
        if kind == "SYMLINK":
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(_posix(name)), _posix(target)))
            if resolved not in names:
                continue
        kept.append(entry)
    return kept


def _elf_needed(path: str) -> list[str]:
    """The DT_NEEDED sonames of an ELF file (not its transitive dependencies), as binutils' objdump reads them
    (PyInstaller needs binutils on Linux anyway)."""
    output = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=False).stdout
    return [line.split()[1] for line in output.splitlines() if line.strip().startswith("NEEDED")]
