"""Benefit distribution (R28): the derivation graph (cycle check) and the integer-fen split
with largest-remainder rounding — pure, no storage (DESIGN §10)."""
