"""A real HTTP receiver on 127.0.0.1, loopback allowed for the test, and a
real job queue (Huey on a SQLite file) with a consumer thread that a test
starts and always stops."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveyapp import jobs


class Receiver:
    """Records every POST (headers, exact body, arrival time); answers with
    ``status`` after ``delay`` seconds."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.calls: list[tuple[dict, bytes, float]] = []
        self.status = status
        self.delay = delay
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.arrived:
                    receiver.calls.append((dict(self.headers), body, time.monotonic()))
                    receiver.arrived.notify_all()
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Whether ``count`` calls arrived within ``timeout`` seconds."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.calls) >= count, timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_loopback(app):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    yield
    app.config.pop("WEBHOOKS_ALLOW_PRIVATE", None)


@pytest.fixture
def receiver(allow_loopback):
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def worker_mode(app, tmp_path):
    """Switch the test app to a queue on a SQLite file consumed by a thread
    in this process (as `make run` does; fast retries), and stop the
    consumer before the tables are emptied."""
    saved_jobs = app.extensions[jobs.EXTENSION]
    keys = ("WEBHOOK_RETRY_BASE_SECONDS", "WEBHOOK_MAX_ATTEMPTS", "JOBS_BACKEND", "JOBS_SQLITE_PATH")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(
        WEBHOOK_RETRY_BASE_SECONDS=1.0,  # Huey's scheduler wakes once a second
        WEBHOOK_MAX_ATTEMPTS=4,
        JOBS_BACKEND="sqlite",
        JOBS_SQLITE_PATH=str(tmp_path / "jobs.db"),
        JOBS_POLL_SECONDS=0.1,
    )
    queue = jobs.Jobs(app)
    app.extensions[jobs.EXTENSION] = queue
    yield queue
    queue.stop_consumer()
    app.extensions[jobs.EXTENSION] = saved_jobs
    app.config.update(saved)
    app.config.pop("JOBS_POLL_SECONDS", None)
