"""Every change to a survey's structure moves ``surveys.updated_at`` forward.

The answering path caches survey snapshots per process, keyed on
(public token, survey id, ``updated_at``) (see structure_cache.py), so an
edit must change ``updated_at`` in the transaction that changes the
structure. Edits of the survey row itself get a new value from the
column's ``onupdate``; this hook covers pages, questions and options, added,
changed or deleted through the ORM by any code path (builder, imports,
language changes, retiring ...). Code that changes structure with a Core
UPDATE/DELETE must call ``bump(session, survey_id)`` itself.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..database import utcnow
from ..extensions import db
from .models import Option, Page, Question, Survey

STRUCTURE = (Page, Question, Option)
TICK = timedelta(microseconds=1)


def _survey_id_of(session: Session, obj) -> int | None:
    if isinstance(obj, Option):
        question = obj.question
        if question is None and obj.question_id is not None:
            question = session.get(Question, obj.question_id)
        return _survey_id_of(session, question) if question is not None else None
    if obj.survey_id is not None:
        return obj.survey_id
    if obj.survey is not None:
        return obj.survey.id
    if isinstance(obj, Question) and obj.page is not None:
        return _survey_id_of(session, obj.page)
    return None


def bump(session: Session, survey_id: int) -> None:
    """Give survey ``survey_id`` a new ``updated_at``, later than its last
    one even if the clock stepped back (so the cache key always changes)."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey in session.deleted:
        return
    previous = survey.updated_at
    now = utcnow()
    survey.updated_at = now if previous is None or now > previous else previous + TICK


_registered = threading.Lock()
_listening = False


def init_app(app: Flask) -> None:
    """Listen on Suara's sessions (db.session's own Session class, not every
    SQLAlchemy session in the process), once however many apps are made."""
    global _listening
    with _registered:
        if not _listening:
            event.listen(db.session, "before_flush", _bump_on_structure_change)
            _listening = True


def _bump_on_structure_change(session: Session, _flush_context, _instances) -> None:
    changed = [obj for obj in session.new if isinstance(obj, STRUCTURE)]
    changed += [obj for obj in session.deleted if isinstance(obj, STRUCTURE)]
    changed += [
        obj
        for obj in session.dirty
        if isinstance(obj, STRUCTURE) and session.is_modified(obj, include_collections=False)
    ]
    if not changed:
        return
    with session.no_autoflush:
        survey_ids = {_survey_id_of(session, obj) for obj in changed}
        for survey_id in sorted(i for i in survey_ids if i is not None):
            bump(session, survey_id)
