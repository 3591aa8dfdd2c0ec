"""Commands are registered in one place (surveyapp/cli.py, issue 16): each
feature defines its group or commands, none attaches them itself, and
every command name in the README still answers."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "surveyapp"
REGISTERS = re.compile(r"\.add_command\(|\bapp\.cli\b|\bcli\.command\(")

EXPECTED = {
    "surveys": {
        "list",
        "export-definition",
        "import-definition",
        "summary",
        "tally",
        "export",
        "fill-sheets",
        "import-xlsform",
        "export-xlsform",
    },
    "programmes": {"list", "metrics"},
    "webhooks": {"deliver"},
    "jobs": {"worker", "catch-up"},
}


def test_every_command_is_registered(app):
    commands = app.cli.commands
    assert "seed-demo" in commands
    for group, names in EXPECTED.items():
        assert names <= set(commands[group].commands), group


def test_only_surveyapp_cli_registers_commands():
    registering = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if REGISTERS.search(path.read_text(encoding="utf-8"))
    )
    assert registering == ["surveyapp/cli.py"]


def test_a_command_runs_through_the_registry(runner, world):
    result = runner.invoke(args=["surveys", "list", "--org", "nobody-here"])
    assert result.exit_code != 0 and "No organisation with slug 'nobody-here'" in result.output
