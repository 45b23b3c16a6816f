"""Use cases of the sharing interface (issue 20): what institutions — courts, banks,
exchanges — do through their OAuth clients, and what the registry's staff do for them.

- `preservation` — a court's freeze (保全) and its lifting, for a registrar or a court client;
- `evidence_package` — the offline-verifiable evidence package (证据包).
"""
