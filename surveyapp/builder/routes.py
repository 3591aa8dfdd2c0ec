"""Builder pages (organisers: editors and owners design, viewers read)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("builder", __name__, url_prefix="/surveys")
