"""Issue 21 §3: the witness keeps the add-checkpoint requests it refused — origin, the sizes
named, the refusal's code and status, when; never the body — and `dataip federation
witness-log` shows them to the operator (a fork attempt reads as a 409 from `old 0` and a 422
`witness_inconsistent` on the origin)."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app
from dataip.federation.witness import MAX_BODY_BYTES, AddCheckpoint
from dataip.services.context import Env
from dataip.services.federation import trust
from dataip.services.federation import witness as svc
from tests.e2e.api.test_i21_witness import JS, URL, ZJ, zj
from tests.support.federation import federation, signed, trust_list


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, registry: Registry) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def test_i21_refused_add_checkpoints_are_kept_without_bodies_for_the_operator(
    client: TestClient, env: Env, cli_env: None
) -> None:
    with federation(env):
        assert client.post(URL, content=zj(3).request(0)).status_code == 503  # no list yet
        trust.accept(env, signed(trust_list(ZJ, JS)))
        log = zj(6)
        assert client.post(URL, content=log.request(0)).status_code == 200
        # a fork: another tree of size 6 signed by the same log key
        fork = AddCheckpoint(0, (), log.note()).to_body()
        other = zj(6)
        other.append(b"another leaf")
        forked = other.note(7)
        assert client.post(URL, content=fork).status_code == 409  # from 0: the known size
        assert client.post(URL, content=AddCheckpoint(9, (), forked).to_body()).status_code == 400
        bad_proof = AddCheckpoint(6, (bytes(32),), forked).to_body()
        assert client.post(URL, content=bad_proof).status_code == 422
        assert client.post(URL, content=b"old x\n\n").status_code == 400
        assert client.post(URL, content=b"old 0\n\n" + b"x" * MAX_BODY_BYTES).status_code == 413
        rows = svc.refusals(env)
    got = [(r["status"], r["code"], r["origin"], r["old_size"], r["size"]) for r in rows]
    assert got == [
        (413, "request_too_large", None, None, None),
        (400, "witness_malformed_request", None, None, None),
        (422, "witness_inconsistent", ZJ.log_origin, 6, 7),
        (400, "witness_malformed_request", ZJ.log_origin, 9, 7),
        (409, "witness_old_size_mismatch", ZJ.log_origin, 0, 6),
        (503, "witness_unavailable", ZJ.log_origin, 0, 3),
    ]
    assert all(r["at"] == env.now() for r in rows)
    # no body, no checkpoint, no proof is kept: only those columns
    with env.read() as uow:
        columns = {
            c["name"] for c in sa.inspect(uow.session.connection()).get_columns("witness_refusals")
        }
    assert columns == {"id", "at", "origin", "old_size", "size", "code", "status"}

    # the operator's view
    runner = CliRunner()
    r = runner.invoke(app, ["federation", "witness-log", "--json", "--limit", "3"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert [d["code"] for d in doc] == [
        "request_too_large", "witness_malformed_request", "witness_inconsistent"
    ]  # fmt: skip
    assert doc[2]["origin"] == ZJ.log_origin and doc[2]["at"] == env.now().isoformat()
    r = runner.invoke(app, ["federation", "witness-log", "--origin", ZJ.log_origin, "--json"])
    assert r.exit_code == 0, r.output
    assert [d["status"] for d in json.loads(r.output)] == [422, 400, 409, 503]
    assert hashlib.sha256(forked.encode()).hexdigest() not in r.output
    r = runner.invoke(app, ["federation", "witness-log"])  # the table
    assert r.exit_code == 0 and "409" in r.output and "413" in r.output, r.output
