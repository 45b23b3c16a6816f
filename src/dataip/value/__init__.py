"""Value (R27, R30): GB/T 36344 data quality measures, the three valuation approaches of the
China Appraisal Society's 2023 guidance, the hotness formula — pure formulas that carry
their inputs and factors so that every page can explain its numbers (DESIGN §10)."""
