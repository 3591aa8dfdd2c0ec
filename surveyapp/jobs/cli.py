"""``flask jobs worker``: the job consumer as its own process (production,
``JOBS_IN_PROCESS=0``); ``flask jobs catch-up``: the pipeline once for
every backlog, for deployments without background work (cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Run background jobs.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker_command(workers: int):
    """Run jobs until stopped (Ctrl-C or SIGTERM). Safe to run on several
    machines at once against the same Redis."""
    from . import jobs_for

    jobs = jobs_for(current_app._get_current_object())
    if jobs.backend not in ("sqlite", "redis"):
        raise click.ClickException(f"JOBS_BACKEND={jobs.backend}: there is no queue to consume.")
    click.echo(f"Running jobs from {jobs.backend} with {workers} worker(s). Stop with Ctrl-C.")
    jobs.consumer(workers).run()


@jobs_cli.command("catch-up")
def catch_up_command():
    """Fold tallies, fill answer sheets, sync programme feedback and queue
    webhook deliveries for everything still waiting."""
    from .completion import catch_up

    catch_up(full=True)
    click.echo("Caught up.")
