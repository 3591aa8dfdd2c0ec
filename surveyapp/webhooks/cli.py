"""``flask webhooks deliver``: one round, for cron where background jobs
are off (JOBS_BACKEND=off); otherwise the jobs send (surveyapp/jobs/)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

webhooks_cli = AppGroup("webhooks", help="Deliver webhook calls.")


@webhooks_cli.command("deliver")
@click.option("--limit", default=100, show_default=True, help="At most this many deliveries in one run.")
def deliver_command(limit: int):
    """Send due deliveries (first attempts and retries with back-off)."""
    from .delivery import deliver_due

    sent, failed = deliver_due(limit=limit)
    click.echo(f"{sent} delivered, {failed} failed (will retry or have given up).")
