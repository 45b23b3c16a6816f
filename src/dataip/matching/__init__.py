"""Service matching (服务撮合, R29, Z§4.1; issue 23 §3–§4): usage intentions (需求) matched to
registrations and registrations to needs.

Pure (mypy strict, no storage, no HTTP): what a need holds and which of its values are valid
(`needs`), the words a text is ranked by (`text`: jieba search mode through
`dataip.domain.search`, a short stop list), BM25 ranking with filters (`rank`, on bm25s) and the
measure the labelled set is scored with (`evaluate`: nDCG@k). The use cases — storage, the
index kept per process, push and contact — are `services/matching/`.
"""

from __future__ import annotations

from dataip.matching.evaluate import ndcg_at
from dataip.matching.needs import BUDGET_BANDS, NeedFields, validate_need
from dataip.matching.rank import PUSH, Doc, Filters, Hit, Index, PushRule, strong_hits
from dataip.matching.text import need_text, registration_text, terms

__all__ = [
    "BUDGET_BANDS",
    "PUSH",
    "Doc",
    "Filters",
    "Hit",
    "Index",
    "NeedFields",
    "PushRule",
    "ndcg_at",
    "need_text",
    "registration_text",
    "strong_hits",
    "terms",
    "validate_need",
]
