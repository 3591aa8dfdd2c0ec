"""Collecting responses: the resident's answering pages and the channels."""
