"""Per-process cache of survey snapshots for residents' pages.

Every answering request needs the whole structure of its survey (pages,
questions, options, logic) to read, validate and store a page; loading it
took four of the dozen statements of a submission. A snapshot is read-only
(surveys/snapshot.py), so one copy serves every thread of the process.

Each request still reads ``id, updated_at`` of the survey by its public
token (one indexed row) and uses the cached snapshot only when both match;
surveys/versioning.py makes every edit of the survey or its structure move
``updated_at`` forward in the edit's own transaction, so an edit is seen by
the first request that starts after it commits. A new public link is a new
key, and a survey reusing an id (tests, SQLite) has another ``updated_at``.
The cache lives on the app object (``app.extensions``), so two apps in one
process (tests) never share entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from . import snapshot
from .models import Survey

MAX_SURVEYS = 256
EXTENSION_KEY = "suara.survey_structure_cache"


class StructureCache:
    """Least-recently-used snapshots by public token; thread-safe."""

    def __init__(self, size: int = MAX_SURVEYS):
        self.size = size
        self._entries: OrderedDict[str, snapshot.SurveySnapshot] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # snapshots built (tests read it)

    def get(self, token: str, survey_id: int, updated_at) -> snapshot.SurveySnapshot | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None or entry.id != survey_id or entry.updated_at != updated_at:
                return None
            self._entries.move_to_end(token)
            return entry

    def put(self, token: str, entry: snapshot.SurveySnapshot) -> None:
        with self._lock:
            self.loads += 1
            self._entries[token] = entry
            self._entries.move_to_end(token)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def cache_for(app) -> StructureCache:
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION_KEY, StructureCache())
    return cache


_KEY_QUERY = None


def _key_query():
    global _KEY_QUERY
    if _KEY_QUERY is None:
        from sqlalchemy import bindparam

        _KEY_QUERY = select(Survey.id, Survey.updated_at).where(Survey.public_token == bindparam("token"))
    return _KEY_QUERY


def by_public_token(token: str) -> snapshot.SurveySnapshot | None:
    """The snapshot of the survey with this public link, current as of this
    call; None when there is none."""
    connection = db.session.connection()
    key = connection.execute(_key_query(), {"token": token}).first()
    if key is None:
        return None
    cache = cache_for(current_app)
    entry = cache.get(token, key.id, key.updated_at)
    if entry is None:
        # The row is read again with the structure, after the key: the
        # snapshot is at least as new as the key it is filed under.
        entry = snapshot.load(connection, key.id)
        if entry is None:
            return None
        cache.put(token, entry)
    return entry
