"""Prompt webhook delivery from inside the app process.

When a transaction that completed a response commits (any channel: the
session events below see the UPDATE or INSERT that sets ``responses.status``,
so the collection code needs no call into this package), the process's
delivery worker is woken. ``WEBHOOK_DELIVERY`` chooses what happens:

* ``thread`` (default): one daemon thread per process sends the delivery in
  the background, so the resident's request only sets an Event; the same
  thread wakes when a retry falls due and at least every
  ``WEBHOOK_POLL_SECONDS``, which also picks up responses stored by other
  processes (CLI imports, other gunicorn workers). It starts on the first
  request a process serves, so ``flask db upgrade`` and other commands
  never start it, and after a fork it starts again in the child.
* ``inline`` (tests): the delivery is attempted synchronously right after
  the commit, in a fresh app context (own session and connection).
* ``off``: nothing here; cron runs ``flask webhooks deliver`` (or a separate
  ``flask webhooks worker`` runs).

Several processes never send the same delivery at once: see the lease in
``delivery.claim``.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect

from ..database import utcnow
from ..extensions import db
from ..responses.models import Response
from . import delivery

MODES = ("thread", "inline", "off")
EXTENSION = "suara_webhooks"
POLL_SECONDS = 30
# Under heavy traffic each completion wakes the worker; a short pause
# between passes lets one pass serve many completions (well inside the
# one-to-two-second target) instead of spinning.
MIN_GAP_SECONDS = 0.2
FULL_SCAN_SECONDS = 3600
BATCH = 50
_COMPLETED = "suara_webhooks_completed"
_listening = False
_listen_lock = threading.Lock()


def init_app(app: Flask) -> None:
    mode = app.config.get("WEBHOOK_DELIVERY", "thread")
    if mode not in MODES:
        raise RuntimeError(f"WEBHOOK_DELIVERY must be one of {', '.join(MODES)}, not {mode!r}.")
    dispatcher = Dispatcher(app, mode)
    app.extensions[EXTENSION] = dispatcher
    app.before_request(dispatcher.ensure_started)
    _listen_once()


def dispatcher_for(app: Flask) -> Dispatcher | None:
    return app.extensions.get(EXTENSION)


def wake(app: Flask) -> None:
    """Nudge the running worker of ``app`` (no-op when there is none)."""
    dispatcher = dispatcher_for(app)
    if dispatcher is not None and dispatcher.mode == "thread":
        dispatcher.wake()


# ---- noticing completed responses ---------------------------------------------


def _listen_once() -> None:
    global _listening
    with _listen_lock:
        if _listening:
            return
        # db.session's sessionmaker has its own Session subclass: the events
        # apply to Suara's sessions only.
        event.listen(db.session, "do_orm_execute", _note_statement)
        event.listen(db.session, "after_flush", _note_flush)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _forget)
        _listening = True


def _note_statement(state) -> None:
    """UPDATE/INSERT statements on responses that may set the status (the
    exactly-once completion is a Core UPDATE the ORM does not track)."""
    if not (state.is_update or state.is_insert):
        return
    statement = state.statement
    if getattr(getattr(statement, "table", None), "name", None) != Response.__tablename__:
        return
    values = getattr(statement, "_values", None)
    if values:
        hit = any(getattr(column, "key", column) == "status" for column in values)
    else:  # values passed as parameters, e.g. execute(insert(Response.__table__), {...})
        rows = state.parameters if isinstance(state.parameters, (list, tuple)) else [state.parameters or {}]
        hit = any(isinstance(row, dict) and row.get("status") == "complete" for row in rows)
    if hit:
        state.session.info[_COMPLETED] = True


def _note_flush(session, _context) -> None:
    """Responses added or changed through the ORM with status complete."""
    for obj in session.new:
        if isinstance(obj, Response) and obj.status == "complete":
            session.info[_COMPLETED] = True
            return
    for obj in session.dirty:
        if isinstance(obj, Response) and "complete" in (inspect(obj).attrs.status.history.added or ()):
            session.info[_COMPLETED] = True
            return


def _after_commit(session) -> None:
    if session.info.pop(_COMPLETED, False) and has_app_context():
        dispatcher = dispatcher_for(current_app._get_current_object())
        if dispatcher is not None:
            dispatcher.notify()


def _forget(session) -> None:
    session.info.pop(_COMPLETED, None)


# ---- the dispatcher and its worker ------------------------------------------------


class Dispatcher:
    """Per app: what to do after a completion, and the worker thread."""

    def __init__(self, app: Flask, mode: str):
        self.app = app
        self.mode = mode
        self._worker: Worker | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def notify(self) -> None:
        if self.mode == "thread":
            self.wake()
        elif self.mode == "inline":
            self.deliver_now()

    def wake(self) -> None:
        worker = self._worker
        if worker is not None and self._pid == os.getpid():
            worker.wake()

    def deliver_now(self) -> None:
        """Attempt new deliveries now, in a fresh app context (the caller's
        session has just committed and must not be reused inside its own
        commit). Never raises into the caller's request."""
        if getattr(self._local, "busy", False):
            return
        self._local.busy = True
        try:
            with self.app.app_context():
                delivery.deliver_due(since=delivery.recent_since())
        except Exception:  # noqa: BLE001  the resident's answer is stored; the retry will come
            self.app.logger.exception("Inline webhook delivery failed")
        finally:
            self._local.busy = False

    def ensure_started(self) -> None:
        """before_request: start this process's worker once (again after a fork)."""
        if self.mode != "thread":
            return
        worker = self._worker
        if worker is not None and self._pid == os.getpid() and worker.alive:
            return
        self.start_worker()

    def start_worker(self) -> Worker:
        with self._lock:
            if self._worker is None or self._pid != os.getpid() or not self._worker.alive:
                self._worker = Worker(self.app)
                self._pid = os.getpid()
                self._worker.start()
            return self._worker

    def stop_worker(self, timeout: float = 10) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout)


class Worker:
    """Sends due deliveries until stopped: after each wake-up, when the
    earliest retry falls due, and at least every poll interval. Exceptions
    are logged and the loop goes on after a growing pause."""

    def __init__(self, app: Flask):
        self.app = app
        self.poll = float(app.config.get("WEBHOOK_POLL_SECONDS", POLL_SECONDS))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_full: float | None = None
        self.passes = 0

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        # daemon: never keeps the process from exiting; a call cut short is
        # repeated by another process once its lease expires.
        self._thread = threading.Thread(target=self.run, name="suara-webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                pause = self.run_pass()
                failures = 0
            except Exception:  # noqa: BLE001  the thread must outlive a bad pass (database restart, bug)
                self.app.logger.exception("Webhook delivery pass failed")
                failures += 1
                pause = min(self.poll, 2.0**failures)
            if self._stop.wait(MIN_GAP_SECONDS):
                break
            self._wake.wait(max(0.0, pause - MIN_GAP_SECONDS))
            self._wake.clear()

    def run_pass(self) -> float:
        """One round of queueing and sending; returns seconds until the next
        retry falls due (at most the poll interval)."""
        with self.app.app_context():
            if not delivery.has_active_webhooks():
                self.passes += 1
                return self.poll
            full = self._last_full is None or time.monotonic() - self._last_full >= FULL_SCAN_SECONDS
            delivery.enqueue(None if full else delivery.recent_since())
            if full:
                self._last_full = time.monotonic()
            while not self._stop.is_set():
                delivered, failed = delivery.send_due(BATCH)
                if delivered + failed < BATCH:
                    break
            due = delivery.next_due_at()
        self.passes += 1
        if due is None:
            return self.poll
        return min(self.poll, max(0.0, (due - utcnow()).total_seconds()))
