"""``flask webhooks deliver`` (one round, for cron) and ``flask webhooks
worker`` (a long-running loop, for a separate process)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

webhooks_cli = AppGroup("webhooks", help="Deliver webhook calls.")


@webhooks_cli.command("deliver")
@click.option("--limit", default=100, show_default=True, help="At most this many deliveries in one run.")
def deliver_command(limit: int):
    """Send due deliveries (first attempts and retries with back-off)."""
    from .delivery import deliver_due

    sent, failed = deliver_due(limit=limit)
    click.echo(f"{sent} delivered, {failed} failed (will retry or have given up).")


@webhooks_cli.command("worker")
def worker_command():
    """Send deliveries as they fall due until stopped (Ctrl-C or SIGTERM).

    For deployments with WEBHOOK_DELIVERY=off that prefer one delivery
    process to a thread in every web process; safe to run beside them."""
    from .dispatch import Worker

    worker = Worker(current_app._get_current_object())
    click.echo(f"Delivering webhooks; polling every {worker.poll:g} s. Stop with Ctrl-C.")
    try:
        worker.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")
