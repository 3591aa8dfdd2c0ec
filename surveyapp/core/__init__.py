"""Core pages: landing, dashboard, language switch, health check."""
