"""What the institutions' operations raise (issue 20): their registration and tokens, the
reads, the event feed and webhooks, evidence packages, a court's preservation and a bank's
pledges — and what the holder's side of the last two adds to a registration's actions.
"""

from __future__ import annotations

from dataip.web.problems.machinery import ADMIN, BODY, LOGIN, NONE, RACE, Problems, p

# the token endpoint's RFC 6749 §5.2 errors (services/sharing/tokens.py)
_OAUTH = p(
    s400="invalid_request unsupported_grant_type invalid_scope",
    s401="invalid_client",
)
# issue 20 §7: a court's preservation (freeze) and its lifting
_PRESERVATION = p(
    s404="freeze_not_found",
    s409="registration_frozen no_freeze_in_force freeze_not_in_force",
    s422="invalid_case_number",
)

# Issue 20 §4–§5: institutional routes (web/api/institution_auth.require_scopes): a missing,
# expired or invalid access token, or one without the scopes the route needs.
INSTITUTION = p(s401="invalid_token", s403="insufficient_scope")
_WEBHOOK = INSTITUTION | p(s404="webhook_not_found")

RAISES: dict[str, Problems] = {
    # institutions (issue 20 §1–§3; services/sharing)
    "POST /oauth/token": _OAUTH | BODY,
    "GET /.well-known/oauth-authorization-server": NONE,
    "POST /api/v1/admin/institutions": ADMIN
    | p(
        s400="invalid_uscc",
        s422="invalid_institution_kind invalid_name invalid_scope scope_not_grantable "
        "keys_required invalid_jwks invalid_jwks_uri",
    ),
    "GET /api/v1/admin/institutions": ADMIN,
    "GET /api/v1/admin/institutions/{client_id}": ADMIN | p(s404="institution_not_found"),
    "POST /api/v1/admin/institutions/{client_id}/actions/{action}": ADMIN
    | RACE
    | p(s404="institution_not_found unknown_action", s409="action_not_allowed_in_state"),
    "PUT /api/v1/admin/institutions/{client_id}/keys": ADMIN
    | RACE
    | p(
        s404="institution_not_found",
        s409="action_not_allowed_in_state",
        s422="keys_required invalid_jwks invalid_jwks_uri",
    ),
    "PUT /api/v1/admin/institutions/{client_id}/scopes": ADMIN
    | RACE
    | p(
        s404="institution_not_found",
        s409="action_not_allowed_in_state",
        s422="invalid_scope scope_not_grantable",
    ),
    "GET /api/v1/institutions/registrations/{number}": p(
        s404="registration_not_found", s422="purpose_required invalid_purpose"
    ),
    "GET /api/v1/institutions/registrations/{number}/archive": p(
        s404="registration_not_found", s422="purpose_required invalid_purpose"
    ),
    "GET /api/v1/registrations/{number}/reads": LOGIN
    | p(s403="forbidden", s404="registration_not_found"),
    # issue 20 §4: the event feed
    "GET /api/v1/events": INSTITUTION,
    "GET /api/v1/events/types": NONE,
    # issue 20 §5: webhooks
    "POST /api/v1/webhooks": INSTITUTION
    | p(
        s403="webhook_type_not_allowed",
        s409="webhook_limit_reached",
        s422="webhook_url_invalid webhook_url_forbidden webhook_signing_invalid",
    ),
    "GET /api/v1/webhooks": INSTITUTION,
    "GET /api/v1/webhooks/{sub_id}": _WEBHOOK,
    "PATCH /api/v1/webhooks/{sub_id}": _WEBHOOK | RACE | p(s422="webhook_state_invalid"),
    "DELETE /api/v1/webhooks/{sub_id}": _WEBHOOK | RACE,
    "POST /api/v1/webhooks/{sub_id}/replay": _WEBHOOK | RACE,
    "GET /api/v1/webhooks/{sub_id}/deliveries": _WEBHOOK,
}

# issue 20 §7: evidence packages and a court's freeze (web/api/preservation.py); the
# institutional routes answer require_scopes's 401 / 403 (web/api/institution_auth.py)
_INSTITUTION = p(s401="invalid_token", s403="insufficient_scope")
_PACKAGE = p(s404="registration_not_found log_not_found", s503="log_key_missing")
_COURT_ACTION = (
    _INSTITUTION
    | RACE
    | _PRESERVATION
    | p(
        s403="forbidden_action",
        s404="registration_not_found",
        s409="action_not_allowed_in_state",
        s422="missing_fields text_too_long invalid_date invalid_term",
    )
)
RAISES.update(
    {
        "GET /api/v1/registrations/{number}/evidence-package": LOGIN
        | _PACKAGE
        | p(s403="forbidden"),
        "GET /api/v1/institutions/registrations/{number}/evidence-package": _INSTITUTION
        | _PACKAGE
        | p(s422="purpose_required text_too_long"),
        "POST /api/v1/institutions/registrations/{number}/freezes": _COURT_ACTION,
        "POST /api/v1/institutions/registrations/{number}/freezes/{freeze_number}/lift": (
            _COURT_ACTION
        ),
    }
)

# issue 20 §6: a bank's pledges (web/api/pledges.py) and the holder's answer to a proposal
# (the registration's actions `confirm_pledge`, `decline_pledge`)
_PLEDGE = p(
    s403="not_pledgee not_own_proposal pledgee_not_caller",
    s404="pledge_proposal_not_found",
    s409="no_pledge_proposal pledge_proposal_not_awaiting",
    s422="invalid_reference invalid_zdw_reference invalid_enforcement_method",
)
_BANK_ACTION = _COURT_ACTION | _PLEDGE | p(s404="filing_not_found", s409="filing_not_in_force")
RAISES.update(
    {
        "POST /api/v1/institutions/registrations/{number}/pledges": _BANK_ACTION
        | p(s409="registration_frozen", s422="contract_date_in_future invalid_amount"),
        "POST /api/v1/institutions/registrations/{number}/pledges/proposals/{proposal_number}"
        "/withdraw": _BANK_ACTION,
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/reference": (
            _BANK_ACTION | p(s409="no_pledge_in_force")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/enforcement": (
            _BANK_ACTION | p(s409="no_pledge_in_force", s422="invalid_amount")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/consents": (
            _BANK_ACTION | p(s409="no_pledge_in_force", s422="invalid_for_action")
        ),
        "POST /api/v1/institutions/registrations/{number}/pledges/{filing_number}/release": (
            _BANK_ACTION | p(s409="no_pledge_in_force")
        ),
        "GET /api/v1/institutions/registrations/{number}/encumbrances": _INSTITUTION
        | p(s404="registration_not_found", s422="purpose_required invalid_purpose"),
    }
)

# the holder's side: a freeze refuses the registration's actions; the holder answers a proposal
RAISES["POST /api/v1/registrations/{number}/actions/{action}"] = _PRESERVATION | _PLEDGE
