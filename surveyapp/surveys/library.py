"""The templates library: ready surveys in Indonesian and English.

Each file in ``library/`` holds ``key``, ``name``, ``summary``, ``blocks``
and a version-1 ``definition``; a block's pages (e.g. the demographic
block) are appended to every template that lists it, so they are written once.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LIBRARY_DIR = Path(__file__).with_name("library")
BLOCKS = ("demographics",)
ORDER = ("needs_assessment", "satisfaction", "trust", "community_relations", "quick_poll")


@dataclass(frozen=True)
class LibraryEntry:
    key: str
    name: dict
    summary: dict
    kind: str
    blocks: tuple[str, ...]
    definition: dict


@lru_cache(maxsize=1)
def _entries() -> dict[str, LibraryEntry]:
    entries = {}
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        entries[data["key"]] = LibraryEntry(
            key=data["key"],
            name=data["name"],
            summary=data["summary"],
            kind=data["definition"]["kind"],
            blocks=tuple(data.get("blocks") or ()),
            definition=data["definition"],
        )
    return entries


def templates() -> list[LibraryEntry]:
    """Templates to start a survey from, in a sensible order (blocks excluded)."""
    entries = _entries()
    ordered = [entries[k] for k in ORDER if k in entries]
    return ordered + [e for k, e in entries.items() if k not in ORDER and k not in BLOCKS]


def block(key: str) -> LibraryEntry:
    return _entries()[key]


def definition(key: str) -> dict:
    """A template's definition with its blocks' pages appended (a fresh copy).

    Raises KeyError for an unknown key."""
    entry = _entries()[key]
    if key in BLOCKS:
        raise KeyError(key)
    document = copy.deepcopy(entry.definition)
    for block_key in entry.blocks:
        document["pages"].extend(copy.deepcopy(_entries()[block_key].definition["pages"]))
    return document
