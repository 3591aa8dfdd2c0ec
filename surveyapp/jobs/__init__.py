"""Background jobs on Huey: the one queue for work that must not run in a
request (the completion pipeline, webhook calls and their retries, the
periodic catch-up).

``JOBS_BACKEND`` chooses where the queue lives:

* ``sqlite`` (default): a SQLite file (``JOBS_SQLITE_PATH``, in instance/),
  so ``make run`` needs no extra service;
* ``redis``: ``REDIS_URL``, for production with several app machines;
* ``immediate`` (tests): a job runs synchronously when it is enqueued;
* ``off``: no background work at all. Reads then catch up explicitly
  (``tally.fold_if_backlog``, ``programmes.services.sync_feedback_if_backlog``)
  and webhooks wait for ``flask webhooks deliver`` from cron.

``JOBS_IN_PROCESS`` (default on) starts a consumer thread in each app
process on its first request (again after a fork), so ``flask run`` and
``make run`` need nothing else; production turns it off and runs
``flask jobs worker`` on one or more machines.

Each task runs in a fresh app context of the app that registered it: its
own database session, never the session of the request that enqueued it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

BACKENDS = ("sqlite", "redis", "immediate", "off")
EXTENSION = "suara_jobs"


class Jobs:
    """Per app: the Huey instance, its tasks, and the in-process consumer."""

    def __init__(self, app: Flask):
        self.app = app
        self.backend = app.config.get("JOBS_BACKEND", "sqlite")
        if self.backend not in BACKENDS:
            raise RuntimeError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}.")
        self.in_process = bool(app.config.get("JOBS_IN_PROCESS", True)) and self.backend in ("sqlite", "redis")
        self.huey = _make_huey(app, self.backend)
        self._consumer: Consumer | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        from . import tasks

        self.tasks = tasks.register(self)

    @property
    def enabled(self) -> bool:
        """Whether background work runs at all (reads may then leave a
        backlog to the jobs instead of catching up themselves)."""
        return self.backend != "off"

    def in_app_context(self, function):
        """``function`` wrapped to run in a fresh app context of this app."""
        app = self.app

        def run(*args, **kwargs):
            from ..extensions import db

            with app.app_context():
                try:
                    return function(*args, **kwargs)
                finally:
                    db.session.remove()

        run.__name__ = function.__name__
        run.__qualname__ = function.__qualname__
        run.__module__ = function.__module__
        return run

    # ---- the consumer ---------------------------------------------------------

    def consumer(self, workers: int = 1) -> Consumer:
        return Consumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=True,
            # An idle worker polls at most this far apart (SQLite has no
            # blocking read; Redis blocks and answers at once).
            max_delay=float(self.app.config.get("JOBS_POLL_SECONDS", 1.0)),
            scheduler_interval=1,
        )

    def ensure_started(self) -> None:
        """before_request: start this process's consumer once (again after a fork)."""
        if not self.in_process:
            return
        if self._consumer is not None and self._pid == os.getpid() and self.alive:
            return
        self.start_consumer()

    @property
    def alive(self) -> bool:
        consumer = self._consumer
        return consumer is not None and all(t.is_alive() for _w, t in consumer.worker_threads)

    def start_consumer(self, workers: int = 1) -> Consumer:
        """Start worker and scheduler threads without Huey's signal handling
        (which only the main thread may install): daemon threads, so they
        never keep the process from exiting; a job cut short runs again."""
        with self._lock:
            if self._consumer is None or self._pid != os.getpid() or not self.alive:
                consumer = self.consumer(workers)
                consumer.scheduler.start()
                for _worker, thread in consumer.worker_threads:
                    thread.start()
                self._consumer, self._pid = consumer, os.getpid()
            return self._consumer

    def stop_consumer(self, timeout: float = 10) -> None:
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop_flag.set()
            for thread in [consumer.scheduler] + [t for _w, t in consumer.worker_threads]:
                if thread is not threading.current_thread():
                    thread.join(timeout)


def _make_huey(app: Flask, backend: str) -> Huey:
    name = app.config.get("JOBS_QUEUE_NAME") or "suara"
    if backend == "redis":
        url = app.config.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        return RedisHuey(name, url=url, blocking=True, read_timeout=1, utc=True)
    if backend == "sqlite":
        path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), utc=True)
    # immediate, and off (never enqueued to): in memory, run on the spot.
    return MemoryHuey(name, immediate=True, utc=True)


def init_app(app: Flask) -> None:
    jobs = Jobs(app)
    app.extensions[EXTENSION] = jobs
    # Looked up per request, so a test may swap the app's queue.
    app.before_request(lambda: jobs_for(app).ensure_started())
    from . import completion

    completion.listen()


def jobs_for(app: Flask | None = None) -> Jobs:
    return (app or current_app._get_current_object()).extensions[EXTENSION]


def run_later(task: str, *args) -> None:
    """Enqueue the task ``task`` of the current app (Jobs.tasks); with
    background work off, run its function here and now instead."""
    jobs = jobs_for()
    if jobs.enabled:
        getattr(jobs.tasks, task)(*args)
    else:
        getattr(jobs.tasks, task).func(*args)


def background_enabled() -> bool:
    """Whether the current app runs background work (JOBS_BACKEND != off)."""
    jobs = current_app.extensions.get(EXTENSION)
    return jobs is not None and jobs.enabled
