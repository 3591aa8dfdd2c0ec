"""Failures of the crawler that other branches of issue 12 fix.

Each entry: (endpoint prefix, method or None, substring of the failure
line, reason). A crawl test whose every failure matches an entry is marked
xfail (non-strict: it passes once the fix is merged); the lead deletes the
entry when merging the branch named in the reason.
"""

from __future__ import annotations

# Empty: every failure the crawler found is fixed. Add an entry only for a
# defect being fixed on another branch, and delete it when that lands.
KNOWN_FAILURES: list[tuple[str, str | None, str, str]] = []


def known(endpoint: str, method: str, label: str, line: str) -> str | None:
    """The reason of the first entry that explains ``line``, if any."""
    for prefix, wanted_method, fragment, reason in KNOWN_FAILURES:
        if endpoint.startswith(prefix) and wanted_method in (None, method) and fragment in line:
            return reason
    return None
