"""Compile and check the message catalogues (used by make and the tests)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveyapp" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "_n": (1, 2)}
METHODS = [("surveyapp/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def compile_catalogs() -> None:
    """Write each .mo next to its .po when the .po is newer."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)


def stale_catalogs() -> list[str]:
    """Languages whose compiled catalogue is missing or older than its .po
    (git ignores the .mo files: a server that never compiled them shows
    every Indonesian page in English, silently)."""
    stale = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path.parent.parent.name)
    return stale


def source_messages() -> set:
    """Every translatable message in the code and templates right now."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
        directory_filter=lambda path: not Path(path).name.startswith(".") and ".venv" not in path,
    ):
        found.add(message if isinstance(message, str) else tuple(m for m in message if m))
    return found


def catalog_problems(language: str) -> list[str]:
    """Messages missing, untranslated, fuzzy or with mismatched placeholders."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {}
    problems = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        translated[key] = message
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {key!r}")
            continue
        wanted = set(PLACEHOLDER.findall(key if isinstance(key, str) else key[0]))
        if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            problems.append(f"placeholders differ: {key!r}")
    for key in source_messages() - set(translated):
        problems.append(f"not in the catalogue: {key!r}")
    return sorted(problems)
