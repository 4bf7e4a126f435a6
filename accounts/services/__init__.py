"""Writes to accounts, organisations and tokens (STYLE: services for writes)."""
