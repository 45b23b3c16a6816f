"""Sharing with courts, banks and exchanges (issue 20, R25; DESIGN §10): the pure part —
scopes and what each allows, the CloudEvents mapping of ledger events, Standard Webhooks
signatures. No storage, no HTTP (mypy strict)."""
