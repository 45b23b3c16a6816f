"""What the registry's own operations raise: accounts, parties, files, evidence deposits,
applications and their procedure, reference data, registrations and their actions,
announcements, certificates, the transparency log; the one window's dossiers (issue 24 §2)
and the catalogue (issue 24 §3–§5).
"""

from __future__ import annotations

from dataip.web.problems.machinery import ADMIN, LOGIN, NONE, RACE, REGISTRY, Problems, p

# Issue 18 §4 (merged on main before this): co-applicants and transferees named by credit code
# or ID number (`invalid_id_number`), forms naming only the filer's own uploads
# (`blob_not_found`), only the filer edits (`not_the_filer`), the sign-in throttle
# (`too_many_attempts`).
_APPLICANTS = p(
    s403="not_authorised_for_party",
    s422="party_not_found applicants_required duplicate_applicant invalid_id_number "
    "invalid_share rights_bounds_required shares_not_100",
)
_FORM = p(s413="form_too_large", s422="deposit_not_found blob_not_found")
_APPLICATION = p(s404="application_not_found")
_PROCEDURE = (
    LOGIN
    | RACE
    | p(
        s403="forbidden forbidden_action",
        s404="application_not_found unknown_action",
        s409="action_not_allowed_in_state duplicate_registration no_objection_to_answer "
        "own_application "
        "no_objection_to_notify objection_not_notified objection_open publicity_not_over "
        "publicity_over screening_pending "
        # R8, G§12: fast track, extension, reinstatement (domain/procedural_requests.py)
        "correction_period_over fast_track_already_granted no_pending_request "
        "reinstatement_period_over request_pending",
        s422="blob_not_found co_applicant_consent_missing defects_required evidence_required "
        "grounds_required incomplete_application invalid_defect invalid_ground invalid_outcome "
        "missing_fields outcome_required party_not_found party_not_verified text_too_long "
        "unknown_outcome due_not_working_day extension_not_later ground_required "
        "invalid_due_on invalid_evidence invalid_reason_code reason_code_required "
        "invalid_announcement_date unknown_register register_not_kept",
    )
)
_REGISTRATION_ACTIONS = (
    LOGIN
    | RACE
    | p(
        s400="invalid_uscc",
        s403="forbidden forbidden_action",
        s404="registration_not_found filing_not_found request_not_found unknown_action",
        s409="action_not_allowed_in_state agreement_expired filing_not_in_force no_open_request "
        "no_pending_request no_pledge_in_force no_sample nothing_to_confirm pledged "
        "re_examination_not_available renewal_window_closed renewal_window_not_open "
        "request_not_pending request_pending sample_missing sample_not_clean sample_unreadable "
        "screening_pending",
        s422="blob_not_found change_incomplete contract_date_in_future duplicate_party "
        "form_too_large grounds_required invalid_amount invalid_basis invalid_choice invalid_date "
        "invalid_for_action invalid_ground invalid_id_number invalid_licence_type "
        "invalid_party_kind invalid_right "
        "invalid_share invalid_subject_change invalid_term missing_fields no_change "
        "party_not_found party_not_verified same_holder shares_must_total_100 text_too_long "
        "unchangeable_field unknown_outcome",
    )
)
_CERTIFICATE = p(s404="certificate_not_found")
# A forged, altered or unreadable token is a 200 with `authentic: false` and its code; only a
# request without a usable token is refused (by the schema, before the service).
_VERIFY = NONE

RAISES: dict[str, Problems] = {
    # accounts
    "POST /api/v1/accounts": ADMIN  # staff accounts: an admin signs them up
    | p(
        s409="username_taken",
        s422="invalid_display_name invalid_role invalid_username weak_password",
    ),
    "POST /api/v1/auth/token": p(s401="invalid_credentials", s429="too_many_attempts"),
    "DELETE /api/v1/auth/token": LOGIN,
    "GET /api/v1/me": LOGIN,
    # parties
    "GET /api/v1/parties": LOGIN,
    "POST /api/v1/parties": LOGIN
    | p(
        s400="invalid_resident_id invalid_uscc",
        s403="forbidden",
        s422="invalid_address invalid_name invalid_party_kind",
    ),
    "GET /api/v1/parties/{party_id}": LOGIN | p(s404="party_not_found"),
    "POST /api/v1/parties/{party_id}/verification": LOGIN
    | p(s404="party_not_found", s409="already_verified", s422="blob_not_found invalid_method"),
    "POST /api/v1/parties/{party_id}/verification/decision": REGISTRY
    | p(s404="party_not_found", s409="not_pending", s422="missing_fields"),
    "GET /api/v1/authorisations": LOGIN,
    "POST /api/v1/authorisations": LOGIN
    | p(s403="forbidden", s422="blob_not_found party_not_found invalid_id_number"),
    "POST /api/v1/authorisations/{authorisation_id}/decision": REGISTRY
    | p(s404="authorisation_not_found", s409="not_pending"),
    # files
    "POST /api/v1/blobs": LOGIN | p(s413="file_too_large", s422="empty_file"),
    "GET /api/v1/blobs/{sha256}": LOGIN | p(s404="blob_not_found", s503="blob_unavailable"),
    # evidence deposits
    "GET /api/v1/evidence": LOGIN,
    "POST /api/v1/evidence": LOGIN
    | p(
        s403="forbidden",
        s409="already_deposited",
        s422="invalid_hash invalid_manifest invalid_root manifest_mismatch",
    ),
    "GET /api/v1/evidence/{number}": p(s404="deposit_not_found"),
    # applications
    "POST /api/v1/applications": LOGIN
    | p(s403="forbidden", s422="fast_track_needs_grounds register_not_kept")
    | _APPLICANTS
    | _FORM,
    "GET /api/v1/applications": p(s422="invalid_state"),
    "GET /api/v1/applications/{application_id}": _APPLICATION,
    "PATCH /api/v1/applications/{application_id}": LOGIN
    | RACE
    | _APPLICATION
    | _APPLICANTS
    | _FORM
    | p(s403="not_the_filer", s409="not_editable"),
    "POST /api/v1/applications/{application_id}/consent": LOGIN
    | RACE
    | _APPLICATION
    | p(s409="not_editable"),
    "POST /api/v1/applications/{application_id}/actions/{action}": _PROCEDURE,
    "GET /api/v1/applications/{application_id}/versions": _APPLICATION,
    "GET /api/v1/applications/{application_id}/history": _APPLICATION,
    "GET /api/v1/inbox": LOGIN,
    "POST /api/v1/inbox/{notice_id}/read": LOGIN | p(s404="notice_not_found"),
    "GET /api/v1/examination/queue": REGISTRY,
    "GET /api/v1/examination/requests": REGISTRY,
    # reference data
    "GET /api/v1/industries": p(s422="invalid_level"),
    "PUT /api/v1/industries": ADMIN | p(s422="invalid_encoding invalid_industry_table"),
    "GET /api/v1/calendar/due-date": p(s422="date_out_of_range unknown_period"),
    "PUT /api/v1/calendar/overrides/{day}": ADMIN | p(s422="missing_fields"),
    "PUT /api/v1/calendar/years/{year}": ADMIN | p(s422="invalid_arrangement"),
    "GET /api/v1/profile": NONE,
    # registrations
    "GET /api/v1/registrations": NONE,
    "GET /api/v1/registrations/{number}": p(s404="registration_not_found"),
    "POST /api/v1/registrations/{number}/actions/{action}": _REGISTRATION_ACTIONS,
    "GET /api/v1/registrations/{number}/archive": LOGIN
    | p(s403="forbidden", s404="registration_not_found"),
    # announcements
    "GET /api/v1/announcements": p(
        s422="invalid_announcement_type invalid_date_range invalid_industry invalid_region "
        "query_too_long"
    ),
    "GET /api/v1/announcements/{number}": p(s404="announcement_not_found"),
    # certificates
    "GET /api/v1/registrations/{number}/certificate": _CERTIFICATE | p(s406="not_cosigned"),
    "GET /api/v1/certificates/{number}/status": _CERTIFICATE,
    "GET /api/v1/certificates/status-lists/{list_no}": p(s404="status_list_not_found"),
    "POST /api/v1/certificates/verify": _VERIFY,
    "GET /.well-known/jwks.json": NONE,
    # the transparency log
    "GET /api/v1/log/proofs/inclusion": p(
        s404="log_not_found", s422="log_index_out_of_range log_size_out_of_range"
    ),
    "GET /api/v1/log/proofs/consistency": p(s404="log_not_found", s422="log_size_out_of_range"),
    "GET /api/v1/log/entries/{index}": p(s404="log_not_found"),
    "GET /api/v1/log/entries/{index}/receipt": p(s404="log_not_found"),
    "GET /log/checkpoint": p(s404="log_not_found"),
    "GET /log/cosigned-checkpoint": p(s404="cosigned_checkpoint_not_found"),
    "GET /log/key": NONE,
    "GET /log/tile/{path}": p(s404="log_not_found"),
    # operations
    "GET /healthz": NONE,
}

# issue 24 §3–§5: CSTR and DOI added by change registration (domain.resource_ids), the DCAT
# catalogue's cursor (services/catalogue/harvest.py)
RAISES["POST /api/v1/registrations/{number}/actions/{action}"] |= p(s422="invalid_cstr invalid_doi")
RAISES["GET /api/v1/catalogue"] = p(s422="invalid_cursor")

# issue 24 §2: one window (web/api/dossiers.py; services/one_window/)
_DOSSIER = p(s404="dossier_not_found")
RAISES.update(
    {
        "POST /api/v1/dossiers": LOGIN
        | RACE
        | p(s403="forbidden", s422="invalid_registers register_not_kept")
        | _APPLICANTS
        | _FORM,
        "GET /api/v1/dossiers": LOGIN,
        "GET /api/v1/dossiers/{dossier_id}": _DOSSIER,
        "POST /api/v1/dossiers/{dossier_id}/submit": _PROCEDURE
        | _DOSSIER
        | p(s409="dossier_submitted", s422="register_not_kept"),
    }
)
