"""Sharing with courts, banks and exchanges (issue 20, R25): the use cases.

* `institutions` — the admin registers institutions and their OAuth clients, suspends,
  reactivates and revokes them, replaces their keys (rotation by `kid`);
* `tokens` — the OAuth 2.0 token endpoint (client credentials, `private_key_jwt`) and the
  check of the access tokens it issues;
* `reads` — the audited institutional reads and their chained account;
* `preservation` — a court's freeze (保全) and its lifting, for a registrar or a court client
  (issue 20 §7);
* `evidence_package` — the offline-verifiable evidence package (证据包, issue 20 §7);
* `feed` — the CloudEvents event feed, its cursor a log position (issue 20 §4);
* `subscriptions`, `delivery` — webhook subscriptions and their delivery from the outbox,
  signed per Standard Webhooks (issue 20 §5).
"""
