"""Respondent pages (display_*) and distribution pages (manage_*)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("collect", __name__)
