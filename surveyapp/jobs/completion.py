"""The completion pipeline: the catching-up that follows a completed
response, done by a job and never by a read.

``note(survey_id)`` is called inside every transaction that completes a
response (responses/services.py, the one completion gate); after that
transaction commits, one ``complete`` job is enqueued for the surveys it
touched. The job, idempotently, for each survey:

1. stores the answer sheets its backlog lacks (``responses/sheets.py``);
2. copies new feedback answers into the feedback items of the programme the
   survey belongs to (``programmes/services.sync_survey_feedback``);
3. queues webhook deliveries of new complete responses, sent by the
   ``send_webhooks`` job (leases, retries and the SSRF check stay in
   ``webhooks/``);
4. folds the backlog into the tally (``analytics/tally.py``), last, since
   "complete and not yet folded" (the partial index
   ``ix_responses_survey_unfolded``) is what marks the backlog.

Running it twice, or beside another worker, does nothing twice: each step
writes only what is still missing (claims, unique keys, NULL checks).
Responses stored without the services (bulk loads, demo seeds, a job lost
with its worker) are caught up by the periodic ``catch_up`` job.
"""

from __future__ import annotations

import threading

from flask import current_app, has_app_context
from sqlalchemy import event, select, text

from ..extensions import db

_NOTED = "suara_completed_surveys"
_listening = False
_listen_lock = threading.Lock()


def listen() -> None:
    global _listening
    with _listen_lock:
        if _listening:
            return
        # db.session's sessionmaker has its own Session subclass: the events
        # apply to Suara's sessions only.
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _forget)
        _listening = True


def note(survey_id: int) -> None:
    """Inside the completing transaction: run the pipeline for this survey
    once it commits (nothing if it rolls back)."""
    db.session.info.setdefault(_NOTED, set()).add(survey_id)


def _after_commit(session) -> None:
    surveys = session.info.pop(_NOTED, None)
    if not surveys or not has_app_context():
        return
    from . import jobs_for

    jobs = jobs_for()
    if not jobs.enabled:
        return
    try:
        jobs.tasks.complete(sorted(surveys))
    except Exception:  # noqa: BLE001  the answer is stored; the periodic catch-up will do it
        current_app.logger.exception("Enqueueing the completion job failed")


def _forget(session) -> None:
    session.info.pop(_NOTED, None)


# ---- the pipeline -------------------------------------------------------------


def run_pipeline(survey_ids: list[int], full_webhook_scan: bool = False) -> None:
    from ..analytics import tally
    from ..programmes import services as programmes
    from ..responses import sheets
    from ..webhooks import delivery

    for survey_id in survey_ids:
        sheets.fill(survey_id, unfolded_only=True)
        programmes.sync_feedback_of_survey(survey_id)
    if delivery.has_active_webhooks():
        delivery.enqueue(None if full_webhook_scan else delivery.recent_since())
    for survey_id in survey_ids:
        tally.fold(survey_id)


def webhooks_waiting() -> bool:
    from ..webhooks import delivery

    return delivery.next_due_at() is not None


_BACKLOG = text("SELECT DISTINCT survey_id FROM responses WHERE status = 'complete' AND tally_batch IS NULL")


def surveys_with_backlog() -> list[int]:
    """Surveys with complete responses not yet folded (the partial index)."""
    ids = [int(s) for s in db.session.execute(_BACKLOG).scalars()]
    db.session.commit()
    return ids


def catch_up(full: bool = False) -> None:
    """The pipeline for every survey with a backlog; ``full`` (hourly and at
    start) also fills every missing sheet, syncs every programme and scans
    every response for missing webhook deliveries."""
    from ..programmes import services as programmes
    from ..programmes.models import Programme
    from ..responses import sheets

    run_pipeline(surveys_with_backlog(), full_webhook_scan=full)
    if full:
        sheets.fill()
        for programme in db.session.execute(select(Programme)).scalars().all():
            programmes.sync_survey_feedback(programme)
