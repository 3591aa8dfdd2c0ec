"""Organisations, memberships with roles, and invitations."""
