"""Contact exchange through the platform (issue 23 §4–§5), the one state machine behind a
match's contact (`services/matching/contacts.py`) and a service request to an agency
(`services/directory/requests.py`): `exchange`."""
