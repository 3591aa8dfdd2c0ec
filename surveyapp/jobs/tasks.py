"""The tasks, registered on one app's Huey instance (``Jobs.tasks``).

* ``complete(survey_ids)``: the completion pipeline (completion.py), after
  each commit that completes responses;
* ``send_webhooks()``: send due webhook deliveries, then schedule itself for
  the next retry that falls due;
* ``invitation_opened(id, at)``: the first opening of a personal link;
* ``catch_up()``: every minute, the pipeline for every survey that still has
  a backlog (responses stored in bulk, a job lost with a worker), due
  retries, and hourly the full scans.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from huey import crontab

if TYPE_CHECKING:
    from . import Jobs

BATCH = 50
NEXT_SEND_KEY = "webhooks-next-send"
FULL_SCAN_KEY = "full-scan-at"
FULL_SCAN_SECONDS = 3600


def register(jobs: Jobs) -> SimpleNamespace:
    huey = jobs.huey
    wrap = jobs.in_app_context

    def complete(survey_ids: list[int]) -> None:
        from . import completion

        completion.run_pipeline(survey_ids)
        if completion.webhooks_waiting():
            registered.send_webhooks()

    def send_webhooks() -> None:
        from ..webhooks import delivery

        if not delivery.has_active_webhooks():
            return
        while True:
            delivered, failed = delivery.send_due(BATCH)
            if delivered + failed < BATCH:
                break
        due = delivery.next_due_at()
        if due is not None:
            _schedule_send(due)

    def _schedule_send(due: datetime) -> None:
        """One scheduled send per due time: a second job that sees the same
        (or a later) retry already scheduled adds none."""
        at = due.timestamp() if due.tzinfo else (due - datetime(1970, 1, 1)).total_seconds()
        planned = huey.get(NEXT_SEND_KEY, peek=True)
        if planned is not None and time.time() < float(planned) <= at:
            return
        huey.put(NEXT_SEND_KEY, at)
        registered.send_webhooks.schedule(eta=due if due.tzinfo else due.replace(tzinfo=UTC))

    def catch_up() -> None:
        from . import completion

        last = huey.get(FULL_SCAN_KEY, peek=True)
        full = last is None or time.time() - float(last) >= FULL_SCAN_SECONDS
        completion.catch_up(full=full)
        if full:
            huey.put(FULL_SCAN_KEY, time.time())
        registered.send_webhooks()

    def invitation_opened(invitation_id: int, at: str) -> None:
        from ..distribute.invitations import record_opened

        record_opened(invitation_id, at)

    registered = SimpleNamespace(
        invitation_opened=huey.task(retries=2, retry_delay=10, name="invitation_opened")(wrap(invitation_opened)),
        complete=huey.task(retries=2, retry_delay=10, name="complete")(wrap(complete)),
        send_webhooks=huey.task(name="send_webhooks")(wrap(send_webhooks)),
        catch_up=huey.periodic_task(crontab(), name="catch_up")(wrap(catch_up)),
    )
    return registered
