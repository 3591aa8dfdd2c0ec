"""``flask programmes list`` and ``flask programmes metrics PROGRAMME_ID --window 2026-Q3``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

programmes_cli = AppGroup("programmes", help="List programmes and print their engagement metrics.")


@programmes_cli.command("list")
def list_programmes():
    """One line per programme: id, organisation slug, name (tab-separated)."""
    from ..extensions import db
    from ..orgs.models import Organisation
    from .models import Programme

    rows = db.session.execute(
        db.select(Programme.id, Organisation.slug, Programme.name)
        .join(Organisation, Organisation.id == Programme.organisation_id)
        .order_by(Programme.id)
    )
    for pid, slug, name in rows:
        click.echo(f"{pid}\t{slug}\t{name}")


@programmes_cli.command("metrics")
@click.argument("programme_id", type=int)
@click.option(
    "--window", "window_text", required=True, help='"2026-07", "2026-Q3", "2026" or "2026-07-01..2026-09-30".'
)
@click.option(
    "--trend", default=4, show_default=True, type=click.IntRange(0, 12), help="Previous windows in the trend."
)
def metrics_command(programme_id: int, window_text: str, trend: int):
    """Print the metric set of a programme for a window as JSON."""
    from ..extensions import db
    from .metrics import compute_set
    from .models import Programme
    from .windows import WindowError, parse_window

    try:
        window = parse_window(window_text)
    except WindowError as error:
        raise click.BadParameter(str(error), param_hint="--window") from None
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise click.ClickException(f"No programme with id {programme_id}. See `flask programmes list`.")
    # Links in the output are built as they would be on the site.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        result = compute_set(programme, window, trend=trend, external_links=True)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
