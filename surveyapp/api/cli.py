"""Registers the interop commands: surveys import-xlsform / export-xlsform /
export, and ``flask webhooks deliver``."""

from __future__ import annotations


def register(app) -> None:
    from ..exports import cli as _exports_cli  # noqa: F401  (adds to surveys_cli)
    from ..webhooks.cli import webhooks_cli
    from ..xlsform import cli as _xlsform_cli  # noqa: F401  (adds to surveys_cli)

    app.cli.add_command(webhooks_cli)
