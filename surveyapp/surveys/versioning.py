"""Every change to a survey's structure moves ``surveys.updated_at`` forward.

The answering path caches survey snapshots per process, keyed on
(public token, survey id, ``updated_at``) (see structure_cache.py), so an
edit must change ``updated_at`` in the transaction that changes the
structure. Edits of the survey row itself get a new value from the
column's ``onupdate``; this hook covers pages, questions and options, added,
changed or deleted through the ORM by any code path (builder, imports,
language changes, retiring ...). Code that changes structure with a Core
UPDATE/DELETE must call ``bump(session, survey_id)`` itself.

Other features react to structural edits by subscribing here
(``subscribe``) instead of being called by the editing code: surveys/ then
imports none of them. The analytics tally subscribes so that deleting an
answered question or option resets its totals (analytics.init_app).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..database import utcnow
from ..extensions import db
from .models import Option, Page, Question, Survey

STRUCTURE = (Page, Question, Option)
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class StructureEdit:
    """One survey's structural changes in a flush, told to subscribers
    before they are written (the rows to be deleted are still there)."""

    survey_id: int
    deleted: tuple[Page | Question | Option, ...]


Subscriber = Callable[[Session, StructureEdit], None]
_subscribers: list[Subscriber] = []


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


def subscribe(subscriber: Subscriber) -> None:
    """Call ``subscriber(session, edit)`` for every survey whose structure a
    flush of db.session changes (once, however often it is subscribed)."""
    with _registered:
        if subscriber not in _subscribers:
            _subscribers.append(subscriber)


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
        by_survey: dict[int, list] = {}
        for obj in changed:
            survey_id = _survey_id_of(session, obj)
            if survey_id is not None:
                by_survey.setdefault(survey_id, []).append(obj)
        for survey_id in sorted(by_survey):
            bump(session, survey_id)
            survey = session.get(Survey, survey_id)
            if survey is None or survey in session.deleted:
                continue
            edit = StructureEdit(survey_id, tuple(obj for obj in by_survey[survey_id] if obj in session.deleted))
            for subscriber in list(_subscribers):
                subscriber(session, edit)
