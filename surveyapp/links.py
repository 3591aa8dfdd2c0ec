"""Absolute links: always on the configured public address.

A link that leaves the request (a mail, a QR code, a poster, a WhatsApp
text) must never be built from the request's Host or X-Forwarded-Host: a
forged header would otherwise mail a valid reset token to an attacker's
site (LimeSurvey CVE-2024-42903). So every absolute URL is the path
``url_for`` builds, appended to PUBLIC_BASE_URL, which production requires.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values, _external=True)``, on PUBLIC_BASE_URL."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        # url_for runs the blueprints' url_defaults (invitation and kiosk
        # tokens); the script root is part of PUBLIC_BASE_URL instead.
        path = url_for(endpoint, **values)
        root = request.script_root
        if root and path.startswith(root):
            path = path[len(root) :]
        return base + path
    current_app.inject_url_defaults(endpoint, values)
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def init_app(app) -> None:
    app.add_template_global(external_url)
