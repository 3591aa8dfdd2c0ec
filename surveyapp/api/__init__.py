"""JSON API under /api/v1 with per-organisation bearer tokens."""
