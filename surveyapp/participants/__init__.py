"""Pseudonymous participants: one per person per organisation, whichever way
they took part (invitation, check-in); identity, creation, export and erasure."""
