"""What the matching operations raise: needs and contacts (issue 23 §3–§4) and the service
directory's agencies and service requests (§5).
"""

from __future__ import annotations

from dataip.web.problems.machinery import LOGIN, NONE, RACE, Problems, p

RAISES: dict[str, Problems] = {}

# issue 23 §3–§4: service matching (web/api/needs.py; services/matching/)
_NEED = p(s404="need_not_found")
_NEED_FIELDS = p(
    s422="need_personal_data party_not_found party_not_verified invalid_need_title "
    "invalid_data_wanted invalid_scenario invalid_industry invalid_region invalid_budget_band "
    "invalid_period invalid_expiry"
)
_CONTACT_ANSWER = (
    LOGIN
    | RACE
    | p(s403="not_contact_recipient", s404="contact_not_found", s409="contact_not_proposed")
)
RAISES.update(
    {
        "GET /api/v1/needs": NONE,
        "POST /api/v1/needs": LOGIN | _NEED_FIELDS,
        "GET /api/v1/needs/{need_id}": _NEED,
        "POST /api/v1/needs/{need_id}/withdraw": LOGIN
        | RACE
        | _NEED
        | p(s403="not_need_author", s409="need_not_open"),
        "GET /api/v1/needs/{need_id}/matches": _NEED,
        "GET /api/v1/registrations/{number}/needs": p(s404="registration_not_found"),
        "POST /api/v1/needs/{need_id}/contacts": LOGIN
        | RACE
        | p(
            s403="not_party_to_match",
            s404="need_not_found registration_not_found",
            s409="own_match need_not_open registration_not_valid contact_exists",
        ),
        "GET /api/v1/contacts": LOGIN,
        "POST /api/v1/contacts/{contact_id}/accept": _CONTACT_ANSWER,
        "POST /api/v1/contacts/{contact_id}/decline": _CONTACT_ANSWER,
    }
)

# issue 23 §5: the service directory (web/api/directory.py; services/directory/)
_AGENCY_STATE = LOGIN | RACE | p(s403="forbidden", s404="agency_not_found")
_SERVICE_ANSWER = (
    LOGIN
    | RACE
    | p(s403="not_agency_user", s404="service_request_not_found", s409="service_request_answered")
)
RAISES.update(
    {
        "GET /api/v1/agencies": NONE,
        "POST /api/v1/agencies": LOGIN
        | RACE
        | p(
            s409="agency_exists",
            s422="agency_personal_data invalid_agency_category party_not_found "
            "agency_not_legal_person party_not_verified invalid_uscc",
        ),
        "GET /api/v1/agencies/{agency_id}": p(s404="agency_not_found"),
        "POST /api/v1/agencies/{agency_id}/suspend": _AGENCY_STATE | p(s409="agency_suspended"),
        "POST /api/v1/agencies/{agency_id}/reinstate": _AGENCY_STATE | p(s409="agency_listed"),
        "POST /api/v1/registrations/{number}/service-requests": LOGIN
        | RACE
        | p(
            s403="not_registration_holder",
            s404="registration_not_found agency_not_found",
            s409="own_agency registration_not_valid service_request_exists",
            s422="service_request_personal_data invalid_agency_category "
            "agency_category_not_offered",
        ),
        "GET /api/v1/service-requests": LOGIN,
        "POST /api/v1/service-requests/{request_id}/accept": _SERVICE_ANSWER,
        "POST /api/v1/service-requests/{request_id}/decline": _SERVICE_ANSWER,
    }
)
