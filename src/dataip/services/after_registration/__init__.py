"""Actions on a registration after it is announced (G§19–G§24): renewal, change, transfer,
filings of licence, pledge and trade (a bank's pledge too), abandonment, cancellation,
revocation, re-examination.

`perform` is the one entry point: it locks the registration row, works out who the caller is
for this registration, asks the declarative table (`domain.after_registration`) whether the
action is allowed, applies the action's effect, records its event (ledger leaf), serves its
notices and publishes its announcement, all in one transaction. A refused action changes
nothing.

By feature:

- `action` — `perform`, `apply` and the table of handlers;
- `roles` — who is who (holder, transferee, requester), the guards' context, blocking pledges;
- `payload` — reading a request's fields and counterparties; the public view of a party;
- `outcome` — what a handler gives back (`Outcome`); the end of a registration;
- `renewal` — renewal, certificate versions, the sample publication;
- `change` — change registration and transfer (G§21);
- `filings` — licence, pledge and trade filings, a pledge's release and consents (G§22);
- `pledges` — a bank's pledge (issue 20 §6): proposed by the bank, confirmed or declined by
  the holder, its 中登网 number, enforcement and release by the pledgee;
- `ending` — abandonment and cancellation (G§19, G§20, G§23);
- `revocation` — revocation and re-examination (G§20);
- `decisions` — requests, the registry's decisions on them, withdrawal (G§20, G§24).

What the module was is importable from here. Patch a name where it is looked up: a change
request reads `validate_form` and `require_own_in_form` in `change`, its approval
`validate_form` in `decisions`.
"""

from dataip.schemas.application_form import validate_form
from dataip.services.after_registration.action import apply, not_found, perform, stale
from dataip.services.after_registration.change import UNCHANGEABLE
from dataip.services.after_registration.outcome import Handler, Notify, Outcome
from dataip.services.after_registration.payload import MAX_FEE_FEN, MAX_TEXT, _public_party
from dataip.services.after_registration.roles import (
    Caller,
    caller,
    holder_party_ids,
    holder_users,
    is_holder,
)
from dataip.services.blobs import require_own_in_form

__all__ = [
    "MAX_FEE_FEN",
    "MAX_TEXT",
    "UNCHANGEABLE",
    "Caller",
    "Handler",
    "Notify",
    "Outcome",
    "_public_party",
    "apply",
    "caller",
    "holder_party_ids",
    "holder_users",
    "is_holder",
    "not_found",
    "perform",
    "require_own_in_form",
    "stale",
    "validate_form",
]
