"""Identifiers that link a registration to the rest of the world (R32, Z§2.2, Z§3.4): the
science and technology resource identifier (CSTR, 科技资源标识), the DOI, and how the one
search box tells an identifier from text.

CSTR — GB/T 32843-2016《科技资源标识》, as the CSTR registration centre (cstr.cn, "built on
GB/T 32843—2016") publishes and resolves it. What this module checks, and where it comes from:

* the written form is ``CSTR:`` + the registration agency's code (标识注册机构代码, **5
  digits**, assigned by the centre) + ``.`` + the resource type code (资源类型代码, **2
  digits**; ``11`` is scientific data, 科学数据) + ``.`` + the resource's own identifier
  (资源内部标识, chosen by the agency). The pattern ``\\d{5}\\.\\d{2}\\..+`` is also the one
  the identifier registries record for CSTR (identifiers.org / Bioregistry, prefix ``cstr``:
  ``^cstr:\\w{5}\\.\\d{2}\\..*$``; Bioregistry issue 1693 quotes ``\\d{5}\\.\\d{2}\\.\\w+``);
* published identifiers use ASCII letters, digits, ``.``, ``-``, ``_`` in the own part
  (``CSTR:31253.11.sciencedb.00245``, ``CSTR:11738.11.NCDC.BNORSG.DB7212.2026``,
  ``CSTR:16389.09.A08V-0001``); ``/`` is admitted too, as handle-style suffixes use it. The own
  part starts and ends with a letter or digit and has no empty segment (``..``);
* the resolver's link is ``https://cstr.cn/<agency>.<type>.<own>`` (without ``CSTR:``); a
  pasted link, ``cstr:`` in any case, full-width characters and surrounding spaces are
  accepted and normalised away.

DOI — the DOI Handbook §2.2 (ISO 26324): ``10.`` + the registrant code (digits, possibly
further ``.``-separated digit groups, ``10.1000.10``) + ``/`` + the suffix (any printable
characters, at least one). DOI names are case-insensitive (Handbook §2.4: ASCII letters
compare upper-cased), so the search key is upper-cased while the holder's spelling is kept
for display. ``doi:`` and ``https://doi.org/`` / ``http://dx.doi.org/`` prefixes are removed.
Resolution is not checked (the registry may be offline); the link is
``https://doi.org/<doi>`` with the characters the Handbook §2.5.2.4 says to encode
percent-encoded. idutils (Invenio) has a DOI regex but no CSTR and brings its own
dependencies; two rules do not justify it.

Public institutions (事业单位) have had unified social credit codes since 2015 (GB 32100-2015:
authority code ``1`` 机构编制, type ``2`` 事业单位, so the code starts with ``12``); their old
registration certificate numbers were replaced by the code, so a credit code is the one
number to search them by (`is_public_institution`).

Pure: stdlib only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import check_uscc

__all__ = [
    "CSTR_TYPES",
    "Cstr",
    "Doi",
    "check_changes",
    "check_cstr",
    "check_doi",
    "classify",
    "is_public_institution",
    "search_key",
]

MAX_LENGTH: Final = 200

#: Resource type codes named in the CSTR centre's registration forms that this registry shows
#: by name; others are accepted as two digits and shown as the code.
CSTR_TYPES: Final[dict[str, tuple[str, str]]] = {"11": ("科学数据", "scientific data")}

_CSTR = re.compile(
    r"(?P<agency>[0-9]{5})\.(?P<type>[0-9]{2})\."
    r"(?P<own>[A-Za-z0-9](?:[A-Za-z0-9_\-/]|\.(?=[A-Za-z0-9]))*)"
)
_CSTR_LINK = re.compile(r"^(?:https?://)?(?:www\.)?cstr\.cn/(?:detail\?identifier=)?", re.I)
_CSTR_PREFIX = re.compile(r"^cstr:\s*", re.I)
_DOI = re.compile(r"(?P<prefix>10(?:\.[0-9]+)+)/(?P<suffix>\S+)")
_DOI_LINK = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.I)
_DOI_PREFIX = re.compile(r"^doi:\s*", re.I)


@dataclass(frozen=True)
class Cstr:
    """A CSTR as the holder wrote it (normalised: ``CSTR:`` prefix, ASCII)."""

    agency: str
    type_code: str
    own: str

    @property
    def text(self) -> str:
        return f"CSTR:{self.agency}.{self.type_code}.{self.own}"

    @property
    def key(self) -> str:
        """What the search index holds: the identifier without ``CSTR:``, upper-cased."""
        return f"{self.agency}.{self.type_code}.{self.own}".upper()

    @property
    def url(self) -> str:
        return f"https://cstr.cn/{self.agency}.{self.type_code}.{quote(self.own, safe='._-/')}"


@dataclass(frozen=True)
class Doi:
    """A DOI name as the holder wrote it (without ``doi:`` or a resolver link)."""

    prefix: str
    suffix: str

    @property
    def text(self) -> str:
        return f"{self.prefix}/{self.suffix}"

    @property
    def key(self) -> str:
        return self.text.upper()  # DOI Handbook §2.4: case-insensitive

    @property
    def url(self) -> str:
        # Handbook §2.5.2.4: encode what a URL would read as syntax; keep / and the usual
        # punctuation of suffixes
        return f"https://doi.org/{self.prefix}/{quote(self.suffix, safe='/:;()._-<>[]')}"


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def _error(code: str, zh: str, en: str, reason: str) -> DomainError:
    return DomainError(code, zh, en, status=422, details={"reason": reason})


def check_cstr(raw: str) -> Cstr:
    """A CSTR (GB/T 32843-2016), normalised; ``DomainError("invalid_cstr")`` (422) with
    ``details.reason`` one of ``length``, ``format`` otherwise."""
    text = _clean(raw)
    if not text or len(text) > MAX_LENGTH:
        raise _error(
            "invalid_cstr",
            f"科技资源标识（CSTR）长度应为1–{MAX_LENGTH}个字符",
            f"a CSTR is 1–{MAX_LENGTH} characters long",
            "length",
        )
    body = _CSTR_PREFIX.sub("", _CSTR_LINK.sub("", text), count=1)
    m = _CSTR.fullmatch(body)
    if m is None:
        raise _error(
            "invalid_cstr",
            "科技资源标识（CSTR）格式应为“CSTR:”+5位注册机构代码+“.”+2位资源类型代码+“.”+"
            "资源内部标识（字母、数字及 . - _ /），如 CSTR:31253.11.sciencedb.00245（GB/T 32843）",
            "a CSTR reads CSTR: + the 5-digit registration agency code + . + the 2-digit "
            "resource type code + . + the resource's own identifier (letters, digits, . - _ /), "
            "e.g. CSTR:31253.11.sciencedb.00245 (GB/T 32843)",
            "format",
        )
    return Cstr(m["agency"], m["type"], m["own"])


def check_doi(raw: str) -> Doi:
    """A DOI name (DOI Handbook §2.2), normalised; ``DomainError("invalid_doi")`` (422) with
    ``details.reason`` one of ``length``, ``format`` otherwise."""
    text = _clean(raw)
    if not text or len(text) > MAX_LENGTH:
        raise _error(
            "invalid_doi",
            f"DOI 长度应为1–{MAX_LENGTH}个字符",
            f"a DOI is 1–{MAX_LENGTH} characters long",
            "length",
        )
    body = _DOI_PREFIX.sub("", _DOI_LINK.sub("", text), count=1)
    m = _DOI.fullmatch(body)
    if m is None or not body.isprintable():
        raise _error(
            "invalid_doi",
            "DOI 格式应为“10.”+注册者代码+“/”+后缀，如 10.1000/182",
            "a DOI reads 10. + the registrant code + / + the suffix, e.g. 10.1000/182",
            "format",
        )
    return Doi(m["prefix"], m["suffix"])


def check_changes(changes: object) -> None:
    """G§21, R32: a change registration's CSTR and DOI (``changes.identifiers``) checked
    before anything else, so a bad one is refused with its own code (`invalid_cstr`,
    `invalid_doi`) and nothing changes. ``null`` removes one (RFC 7396)."""
    if not isinstance(changes, dict):
        return
    ids = changes.get("identifiers")
    if not isinstance(ids, dict):
        return
    for key, check in (("cstr", check_cstr), ("doi", check_doi)):
        value = ids.get(key)
        if isinstance(value, str):
            check(value)


def is_public_institution(credit_code: str) -> bool:
    """Whether a unified social credit code is a public institution's (事业单位: authority
    ``1`` 机构编制, type ``2``), the number that replaced its registration certificate's."""
    return credit_code[:2] == "12"


# --- the one search box ------------------------------------------------------------------------

_REGISTRATION_NUMBER = re.compile(r"[0-9]{15}[0-9X]")
_CERTIFICATE_NUMBER = re.compile(r"[0-9]{17}")
_ANNOUNCEMENT_NUMBER = re.compile(r"GG[0-9]{15}")
# the registry's own filing numbers: two capital letters, then the year, registry code, serial
_REGISTRY_NUMBER = re.compile(r"[A-Z]{2}[0-9]{8,20}")


def classify(raw: str) -> tuple[str, str] | None:
    """What a search text is, if it is an identifier: ``(kind, key)`` for an exact lookup —
    ``cstr``, ``doi``, ``credit_code``, ``registration_number``, ``certificate_number``,
    ``announcement_number`` or ``number`` (a filing's or another number the registry
    issued) — or None for text. Patterns are tried first (a CSTR or DOI, then the fixed
    layouts of the registry's numbers and of a credit code); the key is what
    `search_key` makes of the same identifier when it is indexed."""
    text = _clean(raw)
    if not text or len(text) > MAX_LENGTH or " " in text:
        return None
    if _CSTR_PREFIX.match(text) or _CSTR_LINK.match(text) or _CSTR.fullmatch(text):
        try:
            return "cstr", check_cstr(text).key
        except DomainError:
            return None
    if _DOI_PREFIX.match(text) or _DOI_LINK.match(text) or text.startswith("10."):
        try:
            return "doi", check_doi(text).key
        except DomainError:
            return None
    upper = text.upper()
    if _REGISTRATION_NUMBER.fullmatch(upper):
        return "registration_number", upper
    if _CERTIFICATE_NUMBER.fullmatch(upper):
        return "certificate_number", upper
    if _ANNOUNCEMENT_NUMBER.fullmatch(upper):
        return "announcement_number", upper
    if len(upper) == 18:
        try:
            return "credit_code", check_uscc(upper).number
        except DomainError:
            pass
    if _REGISTRY_NUMBER.fullmatch(upper):
        return "number", upper
    return None


def search_key(kind: str, value: str) -> str:
    """The key an identifier of `kind` is indexed under (what `classify` looks up)."""
    if kind == "cstr":
        return check_cstr(value).key
    if kind == "doi":
        return check_doi(value).key
    if kind == "holder_name":
        return name_key(value)
    return _clean(value).upper()


def name_key(name: str) -> str:
    """A legal person's name as the index holds it: NFKC, spaces removed, Latin upper-cased —
    so 贵州黔通智联科技股份有限公司 and its full-width or spaced spellings meet."""
    return re.sub(r"\s+", "", _clean(name)).upper()
