"""What the value operations raise: data quality and valuations (issue 22 §1–§2), the
hotness ranking and daily counts (§3–§4), statistics and typical cases (§5–§6), derivation
and benefit distribution (issue 23 §1–§2).
"""

from __future__ import annotations

from dataip.web.problems.institutions import INSTITUTION as _INSTITUTION
from dataip.web.problems.machinery import LOGIN, NONE, RACE, REGISTRY, Problems, p

RAISES: dict[str, Problems] = {}

# issue 22 §1: data quality (web/api/quality.py, services/value/quality.py)
_QUALITY = LOGIN | RACE | p(s403="not_the_holder", s404="registration_not_found")
RAISES.update(
    {
        "POST /api/v1/registrations/{number}/quality": _QUALITY
        | p(
            s409="action_not_allowed_in_state no_sample screening_pending",
            s422="invalid_access invalid_availability",
        ),
        "GET /api/v1/registrations/{number}/quality": p(
            s404="registration_not_found quality_not_found"
        ),
        "POST /api/v1/registrations/{number}/quality/publish": _QUALITY
        | p(s404="quality_not_found", s409="action_not_allowed_in_state quality_already_published"),
        "POST /api/v1/registrations/{number}/quality/unpublish": _QUALITY
        | p(s409="quality_not_published"),
        "GET /api/v1/applications/{application_id}/quality": REGISTRY
        | p(s404="application_not_found", s409="no_sample screening_pending"),
    }
)

# issue 23 §1–§2: derivation and benefit distribution (web/api/distribution.py)
_DIST_REG = p(s404="registration_not_found")
_SOURCE_ANSWER = (
    LOGIN
    | _DIST_REG
    | p(s403="not_upstream_holder", s404="source_not_found", s409="source_not_pending")
)
RAISES.update(
    {
        "GET /api/v1/registrations/{number}/sources": _DIST_REG,
        "POST /api/v1/registrations/{number}/sources": LOGIN
        | RACE
        | _DIST_REG
        | p(
            s403="forbidden",
            s409="action_not_allowed_in_state source_already_declared source_cycle "
            "source_not_in_force",
            s422="invalid_source_kind invalid_stage invalid_weight registry_not_listed "
            "source_name_required source_not_found source_not_foreign source_weights_over_100",
        ),
        "POST /api/v1/registrations/{number}/sources/{link_id}/confirm": _SOURCE_ANSWER | RACE,
        "POST /api/v1/registrations/{number}/sources/{link_id}/dispute": _SOURCE_ANSWER
        | RACE
        | p(s422="reason_required"),
        "GET /api/v1/registrations/{number}/graph": _DIST_REG,
        "POST /api/v1/registrations/{number}/distributions": LOGIN
        | RACE
        | _DIST_REG
        | p(
            s403="forbidden",
            s404="filing_not_found",
            s409="distribution_not_computable income_already_distributed",
            s422="distribution_too_large filing_has_no_amount income_source_required "
            "invalid_amount",
        ),
        "GET /api/v1/registrations/{number}/distributions/{distribution_id}": _DIST_REG
        | p(s404="distribution_not_found"),
        "GET /api/v1/registrations/{number}/distributions/{distribution_id}/statements/"
        "{beneficiary}": LOGIN | _DIST_REG | p(s404="distribution_not_found statement_not_found"),
    }
)

# issue 22 §2: valuations (web/api/valuations.py, services/value/valuation.py)
_VALUATION = p(
    s404="registration_not_found",
    s409="valuation_not_available_in_state valuation_not_computable",
    s422="invalid_valuation_input",
)
_VALUATION_READ = p(s404="registration_not_found valuation_not_found")
_VALUATION_SET = LOGIN | RACE | _VALUATION_READ | p(s403="not_the_holder")
RAISES.update(
    {
        "POST /api/v1/registrations/{number}/valuations": LOGIN | p(s403="forbidden") | _VALUATION,
        "POST /api/v1/institutions/registrations/{number}/valuations": _INSTITUTION
        | _VALUATION
        | p(
            s409="valuation_figure_mismatch valuation_already_recorded",
            s422="invalid_valuation_signature valuation_payload_mismatch",
        ),
        "GET /api/v1/registrations/{number}/valuations": p(s404="registration_not_found"),
        "GET /api/v1/institutions/registrations/{number}/valuations/{valuation}": _INSTITUTION
        | _VALUATION_READ
        | p(s422="purpose_required invalid_purpose"),
        "GET /api/v1/registrations/{number}/valuations/{valuation}": _VALUATION_READ,
        "GET /api/v1/registrations/{number}/valuations/{valuation}.pdf": _VALUATION_READ,
        # publish or withdraw afterwards (services/value/valuation_publication.py)
        "POST /api/v1/registrations/{number}/valuations/{valuation}/publish": _VALUATION_SET
        | p(s409="valuation_not_available_in_state valuation_already_published"),
        "POST /api/v1/registrations/{number}/valuations/{valuation}/unpublish": _VALUATION_SET
        | p(s409="valuation_not_published"),
    }
)

# issue 22 §3, §4: the hotness ranking and the published daily counts (web/api/rankings.py)
RAISES.update(
    {
        "GET /api/v1/rankings/hot": p(
            s422="ranking_filter_conflict unknown_section unknown_region"
        ),
        "GET /api/v1/rankings/daily-counts": p(s422="invalid_cursor range_too_long"),
        "GET /api/v1/rankings/daily-counts.csv": p(s422="range_too_long"),
    }
)

# Issue 22 §5–6: statistics (R30) and typical cases (JS25§10)
_PERIOD = p(s422="invalid_period")
RAISES.update(
    {
        "GET /api/v1/statistics": _PERIOD,
        "GET /api/v1/statistics/{table}": _PERIOD | p(s404="statistics_table_not_found"),
        "GET /api/v1/typical-cases": NONE,
        "POST /api/v1/typical-cases": REGISTRY
        | p(
            s404="registration_not_found",
            s409="typical_case_exists",
            s422="invalid_case_title invalid_case_text invalid_period typical_case_personal_data",
        ),
        "DELETE /api/v1/typical-cases/{case_id}": REGISTRY | p(s404="typical_case_not_found"),
    }
)
