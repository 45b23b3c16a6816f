"""Service matching's use cases (issue 23 §3–§4): needs (`needs`), the per-process indexes
(`index`), push to the inbox (`push`), contact through the platform (`contacts`) and the demo's
part (`demo`). The formulas are `dataip.matching`'s."""

from __future__ import annotations
