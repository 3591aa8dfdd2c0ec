"""Outgoing e-mail: SMTP when configured, otherwise the log.

Running without SMTP is normal for a small organisation: the message (with
its link) is written to the application log so an admin can pass it on.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("E-mail not sent (no MAIL_SERVER); to=%s subject=%s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
