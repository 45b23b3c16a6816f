"""The kinds of value a transparency-log leaf's public part may hold (`domain.public_record`
declares which kind each field of each event type has): codes from a named vocabulary
(`VOCABULARIES`, built from the domain's code lists), integers, booleans, dates, hex digests,
and the numbers the registry issues, each checked by its full syntax. A kind also says whether
the screening detectors read its strings (:class:`Kind`).
Pure: the domain's code lists and python-stdnum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum.iso7064 import mod_11_2, mod_37_2

from dataip.domain import after_registration as ar
from dataip.domain import after_registration_codes as arc
from dataip.domain import lifecycle as lc
from dataip.domain import procedural_requests as pr
from dataip.domain.app_states import AppState
from dataip.domain.numbering import REGISTRATION_NUMBER_LENGTH
from dataip.domain.pledges import ENFORCEMENT_METHODS, ZDW_REFERENCE
from dataip.domain.preservation import valid_case_number
from dataip.domain.registers import REGISTERS

# The G§7 form's items (登记申请书事项): what a change request may name (web's ApplicationForm
# has the same fields; a test keeps the two in step). "subject" is a change of holder details.
FORM_ITEMS = frozenset(
    "name industry_code scenarios practical_values intellectual_achievement source_kinds "  # noqa: SIM905
    "acquisition_methods agreement_end_date source_proof_blobs processing_rules anonymisation "
    "scope update evidence sample_blobs data_formats other_notes commitment_accepted "
    "identifiers property".split()
)

VOCABULARIES: dict[str, frozenset[str]] = {
    "actions": frozenset(lc.ACTIONS),
    "app_states": frozenset(AppState),
    "outcomes": frozenset(o for outs in lc.OUTCOMES.values() for o in outs),
    "deadline_kinds": frozenset(lc.DEADLINE_LABELS),
    # R0.4: what a recomputed date belongs to — a deadline, a filing period, a window
    "recomputed_kinds": frozenset({*lc.DEADLINE_LABELS, "filing", "re_examination"}),
    # G§14: the items publicity shows (procedure._publicise)
    "publicity_fields": frozenset(
        "applicants name scenarios data_source scope processing_rules application_number".split()  # noqa: SIM905
    ),
    "reg_states": frozenset(ar.RegState),
    "registers": frozenset(REGISTERS),  # issue 24 §1
    "request_kinds": frozenset(ar.REQUEST_KINDS),
    "request_states": frozenset(
        {*ar.OPEN_REQUEST_STATES, "approved", "refused", "withdrawn", "lapsed"}
    ),
    "decision_outcomes": frozenset({"approve", "refuse", "uphold", "overturn"}),
    "transfer_bases": frozenset({"agreement", *arc.UNILATERAL_BASES}),
    "cancellation_grounds": frozenset(arc.CANCELLATION_GROUNDS),
    "sample_publication": frozenset(arc.SAMPLE_PUBLICATION),
    "consent_kinds": frozenset(arc.CONSENT_KINDS),
    "licence_types": frozenset(arc.LICENCE_TYPES),
    "filing_kinds": frozenset(arc.FILING_KINDS),
    "enforcement_methods": frozenset(ENFORCEMENT_METHODS),
    "trade_rights": frozenset({"usage", "operation", "other"}),
    "changed_items": FORM_ITEMS | {"subject"},
    "party_kinds": frozenset({"natural_person", "legal_person", "unincorporated"}),
    # services.parties.VERIFICATION_METHODS and evidence.hashing.HASH_NAMES (tests compare)
    "verification_methods": frozenset(
        {"id_document", "business_licence", "bank_account", "face_recognition", "in_person"}
    ),
    "hash_names": frozenset({"sha256", "sm3"}),
    # R8, G§12: a procedural request's ground and the registry's reason for refusing it
    "request_grounds": frozenset({*pr.FAST_TRACK_GROUNDS, *pr.RELIEF_GROUNDS}),
    "request_refusal_reasons": frozenset(pr.REFUSAL_REASONS),
    # issue 22 §1: the grade bands of value.quality.GRADES (a test keeps them in step)
    "quality_grades": frozenset({"excellent", "good", "fair", "poor"}),
    # issue 22 §2: a valuation's kind and approaches (dataip.value.valuation_model)
    "valuation_kinds": frozenset({"reference", "appraisal"}),
    "valuation_approaches": frozenset({"cost", "income", "market"}),
}

# --- kinds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of public value. ``screened``: whether the detectors read its strings.

    Kinds whose syntax the registry fixes completely (a number it issued, with its check; a
    hex digest; a key thumbprint) are checked by that syntax and not screened: they cannot
    carry words, and the detectors misread them — a registration or certificate number starts
    with 2, a bank-card prefix, and passes Luhn one time in ten (measured: 9 % and 10 % of
    20,000 consecutive numbers); a random SHA-256 in hex holds a valid mobile number or the
    like about one time in a hundred (0.9 %). Integers and dates are not screened either."""

    name: str
    screened: bool = True
    zh: str = ""  # what the refusal's Chinese message calls it

    def ok(self, value: Any) -> bool:
        raise NotImplementedError

    def reads(self) -> bool:
        """Whether the detectors read any string of a value of this kind."""
        return self.screened


@dataclass(frozen=True)
class Code(Kind):
    vocabulary: str = ""

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and value in VOCABULARIES[self.vocabulary]


@dataclass(frozen=True)
class Int(Kind):
    """Integers are never screened: a size of 13,985,012,345 bytes is not a phone number."""

    screened: bool = False
    lo: int = 0
    hi: int = 2**53  # what every JSON reader holds exactly

    def ok(self, value: Any) -> bool:
        return type(value) is int and self.lo <= value <= self.hi


@dataclass(frozen=True)
class Bool(Kind):
    screened: bool = False

    def ok(self, value: Any) -> bool:
        return isinstance(value, bool)


@dataclass(frozen=True)
class Day(Kind):
    """An ISO date, YYYY-MM-DD: ten characters no detector reads as anything, not screened."""

    screened: bool = False

    def ok(self, value: Any) -> bool:
        if not (isinstance(value, str) and len(value) == 10):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class Pattern(Kind):
    regex: str = ""

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and re.fullmatch(self.regex, value, re.ASCII) is not None


@dataclass(frozen=True)
class RegistrationNumber(Kind):
    """The national data IP layout, or a prefixed register's (issue 24 §1: two capital
    letters, 13 digits and an ISO 7064 MOD 37-2 check character; `domain.numbering`)."""

    def ok(self, value: Any) -> bool:
        if not isinstance(value, str) or len(value) != REGISTRATION_NUMBER_LENGTH:
            return False
        if value[:15].isascii() and value[:15].isdigit():
            return value[15] == mod_11_2.calc_check_digit(value[:15])
        return re.fullmatch(
            r"[A-Z]{2}[0-9]{13}[0-9A-Z*]", value, re.ASCII
        ) is not None and mod_37_2.is_valid(value)


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind = Kind("none")
    max_items: int = 200

    def ok(self, value: Any) -> bool:
        return (
            isinstance(value, list)
            and len(value) <= self.max_items
            and all(self.item.ok(v) for v in value)
        )

    def reads(self) -> bool:
        return self.item.reads()


@dataclass(frozen=True)
class MapOf(Kind):
    key: Code = Code("none")
    value: Kind = Kind("none")

    def ok(self, value: Any) -> bool:
        return isinstance(value, dict) and all(
            self.key.ok(k) and self.value.ok(v) for k, v in value.items()
        )

    def reads(self) -> bool:
        return True  # its keys


@dataclass(frozen=True)
class Nullable(Kind):
    inner: Kind = Kind("none")

    def ok(self, value: Any) -> bool:
        return value is None or self.inner.ok(value)

    def reads(self) -> bool:
        return self.inner.reads()


def code(vocabulary: str) -> Code:
    """The kind of a code from the named vocabulary."""
    return Code(f"code:{vocabulary}", vocabulary=vocabulary, zh=f"代码（{vocabulary}）")


INT = Int("integer", zh="整数")
ID = Int("id", lo=1, zh="编号")
BOOL = Bool("boolean", zh="布尔值")
DAY = Day("date", zh="日期")
DIGEST = Pattern("digest", screened=False, regex=r"[0-9a-f]{64}", zh="哈希值")
# RFC 7638 thumbprint, base64url
KEY_ID = Pattern("key_id", screened=False, regex=r"[A-Za-z0-9_-]{43}", zh="密钥标识")
REG_NO = RegistrationNumber("registration_number", screened=False, zh="登记号")
CERT_NO = Pattern(
    "certificate_number",
    screened=False,
    # the national layout, or a prefixed register's (issue 24 §1, `domain.numbering`)
    regex=r"[0-9]{4}(?:0[1-9]|1[0-2])[0-9]{11}|[A-Z]{2}[0-9]{4}(?:0[1-9]|1[0-2])[0-9]{9}",
    zh="证书编号",
)
FILING_NO = Pattern(
    "filing_number", screened=False, regex=r"BA[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="备案编号"
)
ANNOUNCEMENT_NO = Pattern(
    "announcement_number", screened=False, regex=r"GG[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="公告编号"
)
DEPOSIT_NO = Pattern(
    "deposit_number", screened=False, regex=r"CZ[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="存证编号"
)
# a standard's designation, e.g. GB/T 4754-2017 or "GB/T 4754-2017 GB18030" (the industry
# table's edition): capital letters, digits, "/", ".", "-" and spaces, no Chinese, no lower
# case — room for a number, so it is screened
DESIGNATION = Pattern(
    "standard_designation",
    regex=r"(?=.{1,32}\Z)[A-Z]{1,8}(?:/[A-Z]{1,2})? ?[0-9][0-9./-]*(?: [A-Z0-9][A-Z0-9./-]*)*",
    zh="标准编号（如 GB/T 4754-2017）",
)
IDS = ListOf("ids", item=ID, zh="编号列表")


@dataclass(frozen=True)
class CaseNumber(Kind):
    """Issue 20 §7: a court's case number (案号, domain.preservation): a province
    abbreviation, digits and a case-type code of a closed list — no words, so not screened."""

    def ok(self, value: Any) -> bool:
        return valid_case_number(value)


CASE_NO = CaseNumber("case_number", screened=False, zh="案号")
VALUATION_NO = Pattern(
    "valuation_number", screened=False, regex=r"PG[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="估值编号"
)
FREEZE_NO = Pattern(
    "freeze_number", screened=False, regex=r"BQ[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="保全编号"
)

# issue 20 §6: a bank's pledge proposal (ZY: 质押), and the pledge's number at 中登网
PROPOSAL_NO = Pattern(
    "proposal_number", screened=False, regex=r"ZY[0-9]{4}[0-9A-Z]{4}[0-9]{7}", zh="质押申请编号"
)
ZDW_NO = Pattern(
    "zdw_reference", screened=False, regex=ZDW_REFERENCE.pattern, zh="中登网登记证明编号"
)
