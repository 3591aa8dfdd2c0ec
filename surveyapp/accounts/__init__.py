"""Accounts: users, sign-up, log-in, password reset."""
