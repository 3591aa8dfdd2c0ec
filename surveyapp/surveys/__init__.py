"""Surveys: the questionnaire structure (pages, questions, options)."""
