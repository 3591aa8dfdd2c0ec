"""Flask commands: ``flask seed-demo`` and friends."""
from __future__ import annotations

import click


def register(app) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create the demo organisation (safe to run again)."""
        from .demo import seed_demo

        result = seed_demo()
        state = "created" if result.created else "already present, nothing changed"
        click.echo(f"Demo organisation '{result.organisation.name}' ({result.organisation.slug}): {state}.")
        click.echo(f"Log in as {result.owner_email} with password {result.password}")
