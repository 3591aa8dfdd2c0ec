"""Every Flask command is registered here, and only here (as microblog's
app/cli.py): each feature defines its commands or its group in its own
cli.py and never attaches them itself.

``flask surveys ...``   surveys/cli.py, plus analytics' summary and tally,
                        exports' export and fill-sheets, XLSForm import/export
``flask programmes ...`` programmes/cli.py
``flask webhooks ...``  webhooks/cli.py
``flask jobs ...``      jobs/cli.py (the worker and the catch-up)
``flask seed-demo``     below
"""

from __future__ import annotations

import click


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo organisation (safe to run again)."""
    from .demo import seed_demo

    result = seed_demo()
    state = "created" if result.created else "already present, nothing changed"
    click.echo(f"Demo organisation '{result.organisation.name}' ({result.organisation.slug}): {state}.")
    click.echo(f"Log in as {result.owner_email} with password {result.password}")


def register(app) -> None:
    """Attach every feature's group (and the survey commands other features
    define) to the app's ``flask`` command."""
    from .analytics.cli import summary_command, tally_command
    from .exports.cli import export_command, fill_sheets_command
    from .jobs.cli import jobs_cli
    from .programmes.cli import programmes_cli
    from .surveys.cli import surveys_cli
    from .webhooks.cli import webhooks_cli
    from .xlsform.cli import export_xlsform_command, import_xlsform_command

    for command in (
        summary_command,
        tally_command,
        export_command,
        fill_sheets_command,
        import_xlsform_command,
        export_xlsform_command,
    ):
        surveys_cli.add_command(command)
    for group in (surveys_cli, programmes_cli, webhooks_cli, jobs_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo_command)
