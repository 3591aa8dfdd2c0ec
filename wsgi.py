"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``."""

from surveyapp import create_app

app = create_app()
