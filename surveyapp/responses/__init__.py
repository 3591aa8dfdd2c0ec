"""Responses in long format, and pseudonymous participants."""
