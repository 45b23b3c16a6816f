"""Sample-data screening (样本数据筛查, DESIGN §7, issue 7): find personal information in a
sample file before anyone else sees it. Pure: the standard library, defusedxml and
python-calamine (check characters are computed here; the tests compare them with python-stdnum); no
framework, no database.

    report = screen_bytes(data, filename="样本.csv", pseudonym_key=key)
    report.has_personal_data, report.kinds, report.to_dict()

* :mod:`.parse`, :mod:`.tables` — bounded, safe readers (CSV/TSV, JSON Lines, JSON, XML,
  XLSX); every cap and every malformed file is a :class:`ScreeningError` with a stable code;
* :mod:`.detect` — identifiers that validate (check digits, dates, segments), found in Chinese
  text without ``\\b``; :mod:`.columns` — names, addresses, health, birth dates per column;
* :mod:`.mask` — GB/T 37964 masking, generalisation, keyed pseudonymisation, suppression;
* :mod:`.report` — findings per column, the masking preview, the GB/T 43697 grade hint.
"""

from dataip.screening.columns import COLUMN_KINDS
from dataip.screening.detect import CHECKSUMMED_KINDS, VALUE_KINDS, Entity, find_entities
from dataip.screening.errors import CODES, DEFAULT_LIMITS, SAMPLE_LIMITS, Limits, ScreeningError
from dataip.screening.report import (
    PERSONAL_KINDS,
    SENSITIVE_KINDS,
    ColumnReport,
    Finding,
    GradeHint,
    GradeRules,
    MaskingPreview,
    PublicSample,
    Report,
    grade_hint,
)
from dataip.screening.screen import screen_bytes, screen_path

KINDS = VALUE_KINDS + COLUMN_KINDS

__all__ = [
    "CHECKSUMMED_KINDS",
    "CODES",
    "COLUMN_KINDS",
    "DEFAULT_LIMITS",
    "KINDS",
    "PERSONAL_KINDS",
    "SAMPLE_LIMITS",
    "SENSITIVE_KINDS",
    "VALUE_KINDS",
    "ColumnReport",
    "Entity",
    "Finding",
    "GradeHint",
    "GradeRules",
    "Limits",
    "MaskingPreview",
    "PublicSample",
    "Report",
    "ScreeningError",
    "find_entities",
    "grade_hint",
    "screen_bytes",
    "screen_path",
]
