"""Issue 20, done means: a court's IT department connects from docs/sharing.md alone.

Every command and program of the guide's court path runs as written against a live server —
the shell blocks in bash (openssl, curl, jq, `dataip verify-package`), the Python blocks with
the project's interpreter, Authlib's OAuth client with `private_key_jwt` — with only the
example values replaced: the registry's address, the client_id the admin gave, the
registration's number. Between the court's steps the holder tries to dispose of the frozen
registration (refused), and at the end sees who read it, when, under which permission and
for what purpose, through the API and on its portal page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.services.context import SHANGHAI
from dataip.sharing.evidence_package import MEDIA_TYPE
from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support import package_verifier
from tests.support.api import Api, make_uscc, problem
from tests.support.live import serve
from tests.support.visible_text import raw_codes, visible_text

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sharing.md"
CASE = "（2026）黔01民初123号"
COURT = "贵州省贵阳市中级人民法院"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)
RAN: list[str] = []


# the guide's sections a court's IT department follows: every shell and Python block in them
# is run below
COURT_PATH = (
    "1. Registration by the registry's admin",
    "2. Getting a token",
    "3. Reading registrations",
    "Evidence packages",
)


def court_path_blocks() -> list[str]:
    sections = re.split(r"^## ", DOCS.read_text(encoding="utf-8"), flags=re.M)
    return [
        body
        for section in sections
        if section.startswith(COURT_PATH)
        for kind, body in FENCE.findall(section)
        if kind in ("sh", "python")
    ]


def block(lang: str, containing: str) -> str:
    """The one fenced `lang` block of docs/sharing.md holding `containing`."""
    found = [
        body
        for kind, body in FENCE.findall(DOCS.read_text(encoding="utf-8"))
        if kind == lang and containing in body
    ]
    assert len(found) == 1, (lang, containing, len(found))
    RAN.append(found[0])
    return found[0]


class Desk:
    """The court's IT desk: a working directory, a shell whose variables carry from one
    command to the next, and the example values of the guide replaced by this registry's."""

    def __init__(self, where: Path, base: str, admin: str) -> None:
        self.where, self.values = where, {"https://registry.example": base}
        venv = str(Path(sys.executable).parent)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DATAIP_")},
            "PATH": f"{venv}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "ADMIN_USER": admin,
            "ADMIN_PASSWORD": "pass-word-1",
        }

    def text(self, code: str) -> str:
        for example, value in self.values.items():
            code = code.replace(example, value)
        return code

    def sh(self, containing: str) -> str:
        """Run the guide's shell block; its variables are kept for the next one."""
        script = (
            "set -euo pipefail\nset -a\n[ -f .vars ] && source .vars\n"
            + self.text(block("sh", containing))
            + "\nexport -p | grep -E 'declare -x (ADMIN_TOKEN|ASSERTION|TOKEN|FREEZE)=' > .vars"
            + " || true\n"
        )
        r = subprocess.run(
            ["bash", "-c", script],
            cwd=self.where,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, (containing, r.stdout, r.stderr)
        return r.stdout

    def python(self, containing: str, name: str) -> str:
        """Save the guide's Python block as `name` and run it with the project's Python."""
        (self.where / name).write_text(self.text(block("python", containing)), encoding="utf-8")
        r = subprocess.run(
            [sys.executable, name],
            cwd=self.where,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, (name, r.stdout, r.stderr)
        return r.stdout

    def json(self, name: str) -> Any:
        return json.loads((self.where / name).read_text(encoding="utf-8"))


def _now(api: Api) -> None:
    """Authlib and the court's assertions use the real time: the registry's clock follows."""
    api.clock.advance_to(datetime.now(SHANGHAI))


BLOCKED = {
    "request_transfer": {
        "transferees": [{"id_number": make_uscc(9301), "share_bp": 10_000}],
        "reason": "出售",
    },
    "file_pledge": {
        "contract_date": "2026-12-01",
        "pledgee": {"name": "贵阳银行股份有限公司", "credit_code": make_uscc(9302)},
        "secured_amount_fen": 500_000_000,
    },
}


@pytest.mark.usefixtures("app")
def test_i20_court_walkthrough_from_the_integration_guide(
    api: Api, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RAN.clear()
    w = api.world()
    number = w.registered()
    admin = api.user("registrar_admin")
    _now(api)
    with serve(registry, public=True) as base:
        desk = Desk(tmp_path, base, admin)
        desk.values["3301202600000123"] = number

        # 1. the court's key pair, its public half as a JWKS, the admin's registration
        desk.sh("openssl genpkey")
        desk.python("as_dict(private=False)", "jwks.py")
        assert "d" not in desk.json("court-jwks.json")["keys"][0]
        client_id = desk.sh("/api/v1/admin/institutions").strip()
        assert re.fullmatch(r"court-[0-9a-f]{16}", client_id), client_id
        registered = api.c.get(
            f"/api/v1/admin/institutions/{client_id}", headers=api.h(admin)
        ).json()
        assert (registered["kind_label"]["zh"], registered["name"]) == ("法院", COURT)
        assert registered["uscc"] == "11520100MB1C2D3E4E" and registered["kids"] == ["court-key-1"]
        desk.values["court-3f1c0a9e5d7b2c41"] = client_id

        # 2. a token: the assertion by Authlib's helper and curl; then Authlib's OAuth client
        desk.python("print(assertion)", "make-assertion.py")
        _now(api)
        desk.sh('client_assertion="$ASSERTION"')
        token = desk.json("token.json")
        assert token["token_type"] == "Bearer" and token["expires_in"] == 600, token
        assert set(token["scope"].split()) == {
            "registrations:read",
            "registrations:read-full",
            "freezes:write",
        }
        monkeypatch.chdir(tmp_path)
        _now(api)
        program: dict[str, Any] = {}
        exec(desk.text(block("python", "OAuth2Client(")), program)  # the guide's program
        assert program["record"]["registration_number"] == number
        assert program["record"]["visibility"] == "public"
        client = program["client"]

        # 3. the court freezes the registration (保全) with its case number
        desk.sh("/freezes \\")
        frozen = desk.json("freeze.json")
        assert (frozen["state"], frozen["case_number"]) == ("in_force", CASE), frozen
        # ... and the holder can no longer transfer or pledge it
        offered = set(api.reg(w.applicant, number).json()["allowed_actions"])
        assert not offered & set(BLOCKED), offered
        version = api.reg(w.applicant, number).json()["version"]
        for action, payload in BLOCKED.items():
            body = problem(
                api.reg_act(w.applicant, number, action, **payload), 409, "registration_frozen"
            )
            assert body["details"]["freezes"] == [frozen["number"]]
            assert "保全" in body["message_zh"] and "frozen" in body["message_en"]
        assert api.reg(w.applicant, number).json()["version"] == version
        # the public sees the freeze; the court's client sees it too
        assert [f["number"] for f in api.reg(None, number).json()["freezes"]] == [frozen["number"]]
        assert (
            client.get(f"{base}/api/v1/institutions/registrations/{number}").json()["freezes"][0][
                "state"
            ]
            == "in_force"
        )

        # 4. the full record and the archive, read with the case number
        desk.sh("-d view=full")
        assert desk.json("record.json")["visibility"] == "full"
        full, public = desk.json("record.json")["holders"][0], program["record"]["holders"][0]
        assert "party_id" in full and "party_id" not in public  # the private fields
        assert desk.json("archive.json")["format"] == "dataip-archive"

        # 5. the evidence package, verified by `dataip verify-package` (in the block: bash
        # stops on its exit status) and by a verifier written from the specs alone
        out = desk.sh("dataip verify-package")
        assert "验证通过" in out and "VERIFIED" in out, out
        package = (tmp_path / "evidence.json").read_bytes()
        vkey = (tmp_path / "registry-log.vkey").read_text(encoding="utf-8").strip()
        assert vkey == registry.log_keys.verifier_text
        assert package_verifier.verify(package, vkey) == []
        doc = json.loads(package)
        assert doc["scope"] == "full" and doc["purpose"] == {"text": CASE}
        assert "RegistrationFrozen" in {e["type"] for e in doc["events"]}
        r = client.get(
            f"{base}/api/v1/institutions/registrations/{number}/evidence-package",
            params={"purpose": CASE},
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith(MEDIA_TYPE)

        # 6. the court lifts the freeze: the holder may dispose of its right again
        desk.sh("/lift")
        assert desk.json("lifted.json")["state"] == "lifted"
        assert set(BLOCKED) <= set(api.reg(w.applicant, number).json()["allowed_actions"])

    assert len(court_path_blocks()) >= 10
    missed = [b for b in court_path_blocks() if b not in RAN]
    assert not missed, missed  # every example of the court's path has run

    # 7. the holder sees every read: who, when, under which permission, for what purpose
    rows = api.c.get(f"/api/v1/registrations/{number}/reads", headers=api.h(w.applicant)).json()
    assert [r["resource"] for r in rows] == [
        "record",
        "archive",
        "evidence_package",
        "evidence_package",
    ]
    for row in rows:
        assert (row["client_id"], row["institution_name"]) == (client_id, COURT)
        assert row["kind_label"] == {"zh": "法院", "en": "court"}
        assert row["scope"] == "registrations:read-full"
        assert row["scope_label"]["zh"] == "读取完整登记信息与档案（须说明用途）"
        assert row["purpose"] == CASE and row["read_at"]
    sign_in(api, w.applicant)
    page = api.c.get(f"/registrations/{number}")
    assert page.status_code == 200, page.text
    text = visible_text(page.text)
    reads = text[text.index("机构查阅记录") :]
    for shown in (COURT, "法院", "完整登记信息", "登记档案", "证据包（含登记档案）", CASE):
        assert shown in reads, shown
    assert "读取完整登记信息与档案（须说明用途）" in reads
    read_at = datetime.fromisoformat(rows[0]["read_at"]).astimezone(SHANGHAI)
    assert f"{read_at.year}年{read_at.month}月{read_at.day}日 {read_at:%H:%M}" in reads
    assert not {"registrations:read-full", "evidence_package", "court"} & set(
        re.findall(r"[\w:-]+", reads)
    )
    assert not [c for c in raw_codes(reads) if c in ("evidence_package", "read_full")]
