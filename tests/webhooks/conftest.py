"""A real HTTP receiver on 127.0.0.1, loopback allowed for the test, and a
delivery worker thread that a test starts and always stops."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveyapp.webhooks import dispatch


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
def worker_mode(app):
    """Switch the test app to the background thread (fast retries) and
    stop the thread before the tables are emptied."""
    dispatcher = dispatch.dispatcher_for(app)
    saved_mode = dispatcher.mode
    saved = {k: app.config[k] for k in ("WEBHOOK_RETRY_BASE_SECONDS", "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_POLL_SECONDS")}
    app.config.update(WEBHOOK_RETRY_BASE_SECONDS=0.5, WEBHOOK_MAX_ATTEMPTS=4, WEBHOOK_POLL_SECONDS=5)
    dispatcher.mode = "thread"
    yield dispatcher
    dispatcher.stop_worker()
    dispatcher.mode = saved_mode
    app.config.update(saved)
