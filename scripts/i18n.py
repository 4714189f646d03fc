"""Keep the translation catalogues in step with the code, and compile them.

    python scripts/i18n.py update    # refresh resources/i18n/*.ts from the sources (keeps translations)
    python scripts/i18n.py release   # compile .ts to the .qm files the desk loads
    python scripts/i18n.py check     # list untranslated messages; exit 1 if any

Chinese is the source language. Besides what `pyside6-lupdate` finds in gridstation/ui, the catalogue
holds two contexts it cannot see: "labels" (domain enum labels) and "errors" (fixed domain messages).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("en",)
ERROR_CLASSES = {"DomainError", "ValidationError", "IllegalTransition", "StorageError", "IntakeInvalid"}
CJK = re.compile(r"[\u3400-\u9fff]")


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return found


def ts_path(language: str) -> Path:
    return I18N / f"gridstation_{language}.ts"


def static_error_messages() -> Iterator[str]:
    """Chinese string literals passed to domain error constructors (f-strings cannot be listed)."""
    for path in sorted((ROOT / "gridstation").rglob("*.py")):
        if "ui" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ERROR_CLASSES:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CJK.search(arg.value):
                        yield arg.value
            if isinstance(node, ast.Tuple) and len(node.elts) == 3:
                last = node.elts[2]
                if isinstance(last, ast.Constant) and isinstance(last.value, str) and CJK.search(last.value):
                    yield last.value


def template_messages() -> Iterator[str]:
    """Error messages filled in with values at run time (a printer's name …): translated as templates."""
    sys.path.insert(0, str(ROOT))
    from gridstation.printing.errors import PRINTER_MESSAGES

    yield from PRINTER_MESSAGES.values()


def domain_labels() -> Iterator[str]:
    sys.path.insert(0, str(ROOT))
    from gridstation.ui.case_detail import COMMON_ASSIGNEES
    from gridstation.ui.labels import all_domain_labels

    yield from all_domain_labels()
    yield from COMMON_ASSIGNEES


def add_context(root: ET.Element, name: str, sources: list[str]) -> int:
    context = next((c for c in root.findall("context") if c.findtext("name") == name), None)
    if context is None:
        context = ET.SubElement(root, "context")
        ET.SubElement(context, "name").text = name
    wanted = set(sources)
    present = set()
    for message in context.findall("message"):
        source = message.findtext("source")
        present.add(source)
        translation = message.find("translation")
        # lupdate cannot see these sources and marks them vanished; they are alive, so revive them.
        if source in wanted and translation is not None and translation.get("type") in ("vanished", "obsolete"):
            del translation.attrib["type"]
    added = 0
    for source in dict.fromkeys(sources):
        if source in present:
            continue
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        ET.SubElement(message, "translation", {"type": "unfinished"})
        added += 1
    return added


def drop_retired(root: ET.Element) -> int:
    """Remove messages whose source is gone. Runs after add_context has revived the domain contexts, which lupdate
    cannot see (so `lupdate -no-obsolete` would delete every domain label)."""
    dropped = 0
    for context in root.findall("context"):
        for message in context.findall("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") in ("vanished", "obsolete"):
                context.remove(message)
                dropped += 1
        if not context.findall("message"):
            root.remove(context)
    return dropped


def update() -> None:
    I18N.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gridstation" / "ui").rglob("*.py"))
    for language in LANGUAGES:
        target = ts_path(language)
        subprocess.run([tool("pyside6-lupdate"), *sources, "-source-language", "zh_CN", "-target-language",
                        language, "-ts", str(target.relative_to(ROOT))], cwd=ROOT, check=True)
        tree = ET.parse(target)
        added = add_context(tree.getroot(), "labels", list(domain_labels()))
        added += add_context(tree.getroot(), "errors", sorted(set(static_error_messages()) | set(template_messages())))
        dropped = drop_retired(tree.getroot())
        ET.indent(tree)
        tree.write(target, encoding="utf-8", xml_declaration=True)
        print(f"{target.name}: {added} domain messages added, {dropped} retired messages dropped")


def release() -> None:
    for language in LANGUAGES:
        target = ts_path(language)
        subprocess.run([tool("pyside6-lrelease"), str(target), "-qm", str(target.with_suffix(".qm"))], check=True)


def untranslated(language: str) -> list[str]:
    tree = ET.parse(ts_path(language))
    missing = []
    for context in tree.getroot().findall("context"):
        for message in context.findall("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            retired = kind in ("obsolete", "vanished")
            empty = translation is None or not (translation.text or "").strip()
            if not retired and (kind == "unfinished" or empty):
                missing.append(f"{context.findtext('name')}: {message.findtext('source')}")
    return missing


def check() -> int:
    status = 0
    for language in LANGUAGES:
        missing = untranslated(language)
        for line in missing:
            print(f"{language} untranslated — {line}")
        status |= bool(missing)
    return status


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "release":
        release()
    else:
        raise SystemExit(check())
