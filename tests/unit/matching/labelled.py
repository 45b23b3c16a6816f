"""The labelled matching set (tests/data/matching/, made for the test, Chinese): 72 registrations
across GB/T 4754 sections and 38 needs worded unlike the names they want, each need grading
every registration (3 exactly what is wanted, 2 closely related, 1 partly useful, unlisted 0):
38 × 72 = 2,736 judged pairs. Shared by the nDCG test and bench/matching.py."""

from __future__ import annotations

import csv
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from dataip.domain.application import SCENARIOS
from dataip.matching import Doc, Index, need_text, registration_text, terms

DATA = Path(__file__).resolve().parents[2] / "data" / "matching"


@dataclass(frozen=True)
class Need:
    id: int
    title: str
    scenario: str
    industry_code: str
    data_wanted: str
    grades: dict[int, int]


def industry_names() -> dict[str, str]:
    text = importlib.resources.files("dataip.data").joinpath("gbt4754-2017.csv").read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text("utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def registrations() -> list[dict[str, str]]:
    keys = ("id", "name", "industry_code", "scenarios", "coverage", "description")
    return [dict(zip(keys, row, strict=True)) for row in _rows("registrations.tsv")]


def needs() -> list[Need]:
    out = []
    for nid, title, scenario, code, wanted, judged in _rows("needs.tsv"):
        grades = {int(k): int(v) for k, v in (p.split(":") for p in judged.split())}
        out.append(Need(int(nid), title, scenario, code, wanted, grades))
    return out


def registration_doc(r: dict[str, str], names: dict[str, str]) -> Doc:
    text = registration_text(
        name=r["name"],
        industry_name=names.get(r["industry_code"]),
        scenarios=[SCENARIOS[s][0] for s in r["scenarios"].split(",")],
        coverage=r["coverage"],
        description=r["description"],
    )
    code = r["industry_code"]
    return Doc(int(r["id"]), tuple(terms(text)), industry_code=code)


def need_words(n: Need, names: dict[str, str]) -> list[str]:
    return terms(
        need_text(
            title=n.title,
            data_wanted=n.data_wanted,
            scenario=SCENARIOS[n.scenario][0],
            industry_name=names.get(n.industry_code),
        )
    )


def bm25_index() -> Index:
    names = industry_names()
    return Index([registration_doc(r, names) for r in registrations()])
