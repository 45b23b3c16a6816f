"""The one exception type screening raises, and the caps it enforces.

A sample file comes from an applicant, so every reader is bounded: bytes read (decompressed,
for XLSX), rows, columns, cells, cell length, record length and nesting depth. Crossing a cap,
or a file that cannot be read as its format, raises :class:`ScreeningError` with a stable
``code`` (safe to branch on), a Chinese and an English message and ``details`` (the cap, where
it was crossed). Nothing else escapes ``screen_bytes`` / ``screen_path``: no
``UnicodeDecodeError``, ``csv.Error`` or ``zipfile.BadZipFile``. The last four codes are
:mod:`.sandbox`'s: what the process that screened the file ran into (its CPU-time or memory
budget, the wall-clock limit, a crash).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CODES",
    "DEFAULT_LIMITS",
    "SAMPLE_LIMITS",
    "Limits",
    "ScreeningError",
    "fail",
    "too_many_columns",
    "too_many_rows",
]

# code -> (zh, en) headline; the message adds what was found.
CODES: dict[str, tuple[str, str]] = {
    "screening_too_large": ("文件过大", "file too large"),
    "screening_too_many_rows": ("行数过多", "too many rows"),
    "screening_too_many_columns": ("列数过多", "too many columns"),
    "screening_too_many_cells": ("单元格过多", "too many cells"),
    "screening_cell_too_long": ("单元格内容过长", "cell too long"),
    "screening_record_too_long": ("单条记录过长", "record too long"),
    "screening_too_deep": ("嵌套层级过深", "nesting too deep"),
    "screening_malformed": ("文件格式错误", "malformed file"),
    "screening_bad_encoding": ("无法识别文件编码", "unreadable text encoding"),
    "screening_unsupported_format": ("不支持的文件格式", "unsupported file format"),
    "screening_entity_expansion": ("XML 含实体或 DTD 声明", "XML entity or DTD declaration"),
    "screening_cpu_time": ("筛查超过 CPU 时间上限", "screening CPU-time budget exceeded"),
    "screening_out_of_memory": ("筛查超过内存上限", "screening memory budget exceeded"),
    "screening_timed_out": ("筛查超时", "screening timed out"),
    "screening_crashed": ("筛查进程异常终止", "the screening process crashed"),
}


class ScreeningError(Exception):
    """A sample file that cannot be screened, with bilingual messages and a stable code."""

    code: str
    message_zh: str
    message_en: str
    details: dict[str, Any]

    def __init__(
        self, code: str, zh: str, en: str, *, details: dict[str, Any] | None = None
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown screening error code {code!r}")
        super().__init__(code, zh, en)
        self.code = code
        self.message_zh = zh
        self.message_en = en
        self.details = dict(details) if details else {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in worker processes and pickled back: keep the details.
        return (_rebuild, (self.code, self.message_zh, self.message_en, self.details))

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "details": self.details,
        }


def _rebuild(code: str, zh: str, en: str, details: dict[str, Any]) -> ScreeningError:
    return ScreeningError(code, zh, en, details=details)


def fail(code: str, zh: str, en: str, **details: Any) -> ScreeningError:
    """A ScreeningError whose messages start with the code's headline."""
    head_zh, head_en = CODES[code]
    return ScreeningError(code, f"{head_zh}：{zh}", f"{head_en}: {en}", details=details)


@dataclass(frozen=True)
class Limits:
    """Caps on what one screening may read. The defaults suit sample files and data sets
    of a few hundred megabytes; the service passes its own.

    * ``max_bytes`` — bytes read from the file (for XLSX: the members' declared uncompressed
      total, checked before anything is decompressed);
    * ``max_document_bytes`` — JSON and XML documents (not JSONL), which are held in memory;
    * ``max_rows`` / ``max_columns`` — data rows and columns of a table;
    * ``max_cells`` — rows × columns read (empty cells count: parsing them costs as much);
    * ``max_cell_chars`` — characters in one cell (kept below ``csv.field_size_limit()``);
    * ``max_record_bytes`` — one CSV/TSV record or JSONL line, so a file with no line
      break is refused after reading that much, not after reading it all;
    * ``max_depth`` — JSON/XML nesting;
    * ``max_compression_ratio`` — per XLSX member whose uncompressed size is over 1 MiB.
    """

    max_bytes: int = 1 << 30
    max_document_bytes: int = 64 << 20
    max_rows: int = 10_000_000
    max_columns: int = 1_000
    max_cells: int = 10_000_000_000
    max_cell_chars: int = 100_000
    max_record_bytes: int = 4 << 20
    max_depth: int = 64
    max_compression_ratio: int = 200

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be positive")


DEFAULT_LIMITS = Limits()

# What fits a *sample* (issue 18): a sample shows what a data set is like, it is not the data
# set. The worst workbook within these takes about 2 s of CPU here (calamine reads it; openpyxl
# took 16 s); the 671 KB workbook that expanded to 106 MB is refused by max_bytes before it is read.
SAMPLE_LIMITS = Limits(
    max_bytes=32 << 20,
    max_document_bytes=32 << 20,
    max_rows=100_000,
    max_columns=1_000,
    max_cells=1_000_000,
)


def too_many_rows(limits: Limits) -> ScreeningError:
    return fail(
        "screening_too_many_rows",
        f"超过 {limits.max_rows} 行",
        f"more than {limits.max_rows} rows",
        limit=limits.max_rows,
    )


def too_many_columns(limits: Limits, found: int) -> ScreeningError:
    return fail(
        "screening_too_many_columns",
        f"{found} 列，超过 {limits.max_columns}",
        f"{found} columns, more than {limits.max_columns}",
        limit=limits.max_columns,
        found=found,
    )
