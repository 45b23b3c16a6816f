"""Jurisdiction profile (管辖地配置): every period, term and code the procedure uses.

The profile is data: `config.load_profile` reads a TOML file into this dataclass and the rest of
the registry reads periods from it, so a province with other periods runs the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PeriodUnit = Literal["working_days", "calendar_days"]
Authority = Literal["local", "forward"]
AUTHORITIES = ("local", "forward")
ValidityStart = Literal["registration_date", "announcement_date"]
# R8 / G§12: when the registry's examination period starts — the day the application was
# received (a correction does not restart it), or the day the complete materials were
# received (a corrected filing starts a new period; G§12 "在接到材料之日起")
ExaminationStart = Literal["submission", "materials_complete"]
EXAMINATION_STARTS = ("submission", "materials_complete")

PERIOD_KEYS = (
    "accept",
    "examine",
    "correction",
    "publicity",
    "notify_objection",
    "answer_objection",
    "re_examination",
    "filing",
)
# periods a profile may leave out, with what they default to: the registry's decision on a
# procedural request (fast track, extension, reinstatement) and the period after a deemed
# withdrawal within which reinstatement may be asked for (G§12's good reason; the measures
# set none, so the default follows 专利法实施细则 第六条's two months)
OPTIONAL_PERIODS: dict[str, tuple[int, PeriodUnit]] = {
    "decide_request": (3, "working_days"),
    "reinstatement": (60, "calendar_days"),
}
DEFAULT_FAST_TRACK_GROUNDS = ("pledge_financing", "litigation", "major_project")


@dataclass(frozen=True)
class Period:
    """A statutory period: N working days (R0.1) or N calendar days (R0.2)."""

    days: int
    unit: PeriodUnit = "working_days"


@dataclass(frozen=True)
class Profile:
    id: str
    name_zh: str
    name_en: str
    registry_name_zh: str
    registry_name_en: str
    registry_code: str
    periods: dict[str, Period]
    validity_years: int = 2
    validity_starts: ValidityStart = "registration_date"
    agreement_end_caps: bool = True
    renewal_window_months: int = 1
    auto_approve: bool = False
    sm2_cosign: bool = False  # certificates also carry an SM2/SM3 signature (JWS JSON)
    timezone: str = "Asia/Shanghai"
    examination_starts: ExaminationStart = "materials_complete"
    fast_track_grounds: tuple[str, ...] = DEFAULT_FAST_TRACK_GROUNDS
    source_codes: dict[str, str] = field(default_factory=dict)
    applicant_type_codes: dict[str, str] = field(default_factory=dict)
    # issue 23 §2 (R28, Z§4.3): the retention rule of a penetrating distribution — the share
    # of what reaches a registration that its holders keep before the rest passes upstream
    # (by the confirmed links' weights), in basis points
    distribution_retention_bp: int = 3000
    # issue 22 §4: the hotness ranking's `[hotness]` table as written (weights, half-life,
    # window, caps); `dataip.value.hotness.HotnessPolicy` reads and checks it
    hotness: dict[str, Any] = field(default_factory=dict)
    # issue 24 §1 (R31): the register this profile runs ("data_ip" or "data_property"), the
    # prefix of its registration and certificate numbers (none: the national data IP layout,
    # `domain.numbering`), and who decides its filings — this registry ("local") or another
    # body the filings are forwarded to ("forward", `services/property_authority`)
    register: str = "data_ip"
    number_prefix: str = ""
    authority: Authority = "local"

    def period(self, key: str) -> Period:
        return self.periods[key]
