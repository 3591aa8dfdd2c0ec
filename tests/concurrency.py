"""Racing threads for the exactly-once and cache tests: one helper, so each
test says what races, not how threads are started."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from surveyapp.extensions import db


def run_concurrently(
    app, work: Callable[..., Any], n: int, *, prepare: Callable[[], Any] | None = None, timeout: float = 60.0
) -> list[Any]:
    """Call ``work()`` from ``n`` threads released together by a barrier,
    each in its own app context and database session; return what each
    returned (in the order they finished) and re-raise the first error.
    ``prepare()``, when given, runs in each thread before the barrier and
    its result is passed to ``work``: loading is kept out of the race."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            try:
                state = prepare() if prepare else None
                barrier.wait(timeout=10)
                value = work(state) if prepare else work()
                with lock:
                    results.append(value)
            except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a racing thread ran past {timeout} s"
    if errors:
        raise errors[0]
    return results
