"""Issue 18 §5: `Idempotency-Key` holds under concurrency. The key is reserved in the database
before the work is done, so simultaneous duplicates run the work once: the others wait for the
first answer (bounded) or are told 409 `idempotency_in_progress`. A replay is the first answer
whole: status, body and headers (`ETag`, `Location`). A reservation whose request died expires.
On PostgreSQL the requests really overlap; on SQLite their transactions serialise, which must
not change the outcome."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import applications as app_service
from dataip.services import idempotency
from tests.support.api import Api, complete_form, problem
from tests.support.db import changed_tables, count, snapshot
from tests.support.race import race

PREFIX = "/api/v1"
WRITERS = 8
KEPT_HEADERS = ("etag", "location", "content-type")


def _create_body(api: Api, who: str, party: int) -> dict[str, Any]:
    return {"form": complete_form(sample=api.upload(who)), "applicants": [{"party_id": party}]}


def test_i18_eight_simultaneous_creates_with_one_key_make_one_draft(
    api: Api, registry: Registry
) -> None:
    """The reported fault: 8 identical `POST /applications` at once with one key made 8 drafts.
    Now one draft; every answer is that draft's 201 with its ETag and Location (seven of them
    replays), or 409 `idempotency_in_progress` — never a second draft."""
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    headers = {**api.h(w.applicant), "Idempotency-Key": "create-once"}
    before = count(registry, "applications")
    results = race(
        *[partial(api.c.post, f"{PREFIX}/applications", headers=headers, json=body)] * WRITERS
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert count(registry, "applications") == before + 1
    assert count(registry, "events", type="DraftCreated") == 1
    created = [r for r in results if r.status_code == 201]
    waiting = [r for r in results if r.status_code != 201]
    for r in waiting:
        problem(r, 409, "idempotency_in_progress")
    assert created, [r.text for r in results]
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1, [dict(r.headers) for r in created]
    first = originals[0]
    assert first.headers["location"] == f"{PREFIX}/applications/{first.json()['id']}"
    for r in created:
        assert r.json() == first.json()
        for h in KEPT_HEADERS:
            assert r.headers.get(h) == first.headers.get(h), (h, dict(r.headers))


def test_i18_replay_returns_status_body_and_headers(api: Api, registry: Registry) -> None:
    """A replay carried the body but dropped `ETag` and `Location`: an integrator retrying a
    create after a timeout could not find what it had made, nor send If-Match next."""
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    headers = {**api.h(w.applicant), "Idempotency-Key": "replay-headers"}
    first = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == '"1"' and first.headers["location"]
    again = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    for h in KEPT_HEADERS:
        assert again.headers.get(h) == first.headers.get(h), h
    assert "set-cookie" not in again.headers
    # an action's answer (200 with the new ETag) as well
    url = f"{PREFIX}/applications/{first.json()['id']}/actions/submit"
    key = {**api.h(w.applicant), "Idempotency-Key": "replay-submit", "If-Match": '"1"'}
    done = api.c.post(url, headers=key)
    etag = f'"{done.json()["version"]}"'
    assert done.status_code == 200 and done.headers["etag"] == etag, done.text
    replay = api.c.post(url, headers=key)
    assert (replay.status_code, replay.headers["etag"]) == (200, etag)
    assert replay.content == done.content
    assert count(registry, "events", type="ApplicationSubmitted") == 1


class Held:
    """Holds `create_draft` inside its request until released, so a duplicate arrives while
    the first request is certainly in progress."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        real = app_service.create_draft

        def held(*args: Any, **kw: Any) -> Any:
            self.entered.set()
            assert self.release.wait(60)
            return real(*args, **kw)

        monkeypatch.setattr(app_service, "create_draft", held)


def test_i18_duplicate_while_in_progress_waits_then_gets_409(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    headers = {**api.h(w.applicant), "Idempotency-Key": "slow-create"}
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    held = Held(monkeypatch)
    out: list[Any] = []
    first = threading.Thread(
        target=lambda: out.append(api.c.post(f"{PREFIX}/applications", headers=headers, json=body))
    )
    first.start()
    try:
        assert held.entered.wait(30)
        before = snapshot(registry)
        busy = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
        problem(busy, 409, "idempotency_in_progress")
        assert busy.headers["retry-after"] == "1"
        assert "idempotent-replayed" not in busy.headers
        # the same key with another body is still a misuse, in progress or not
        other = {**body, "fast_track": True}
        problem(
            api.c.post(f"{PREFIX}/applications", headers=headers, json=other),
            422,
            "idempotency_key_reused",
        )
        assert changed_tables(before, snapshot(registry)) == {}
    finally:
        held.release.set()
        first.join(60)
    assert out and out[0].status_code == 201, out
    replay = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == out[0].json()
    assert count(registry, "applications") == 1


def test_i18_reservation_of_a_crashed_request_expires(api: Api, registry: Registry) -> None:
    """A process killed mid-request leaves its reservation behind: the key is refused as in
    progress until the reservation's lease runs out, then the request is done afresh."""
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    headers = {**api.h(w.applicant), "Idempotency-Key": "crashed"}
    request = api.c.build_request("POST", f"{PREFIX}/applications", headers=headers, json=body)
    user_id = int(api.c.get(f"{PREFIX}/me", headers=api.h(w.applicant)).json()["id"])
    claim = idempotency.claim(
        env=registry.env,
        user_id=user_id,
        key="crashed",
        req_hash=idempotency.request_hash("POST", request.url.raw_path.decode(), request.content),
    )
    assert isinstance(claim, idempotency.Reservation)  # ... and the process dies here
    idempotency_wait = idempotency.WAIT_SECONDS
    try:
        idempotency.WAIT_SECONDS = 0.2
        r = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
        problem(r, 409, "idempotency_in_progress")
        api.later(seconds=idempotency.LEASE.total_seconds() - 1)
        problem(
            api.c.post(f"{PREFIX}/applications", headers=headers, json=body),
            409,
            "idempotency_in_progress",
        )
        api.later(seconds=2)
        r = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
        assert r.status_code == 201, r.text
        assert "idempotent-replayed" not in r.headers
    finally:
        idempotency.WAIT_SECONDS = idempotency_wait
    # the crashed request's reservation can no longer record an answer over the new one
    assert not idempotency.complete(
        env=registry.env, reservation=claim, status=500, body=b"late", headers={}
    )
    again = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == r.json()
    assert count(registry, "applications") == 1


def test_i18_a_server_error_releases_the_key(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 is not an answer to replay: the key is free for the retry at once."""
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    headers = {**api.h(w.applicant), "Idempotency-Key": "after-a-crash"}
    real = app_service.create_draft

    def broken(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(app_service, "create_draft", broken)
    raw = TestClient(api.c.app, raise_server_exceptions=False)
    problem(raw.post(f"{PREFIX}/applications", headers=headers, json=body), 500, "internal_error")
    monkeypatch.setattr(app_service, "create_draft", real)
    r = api.c.post(f"{PREFIX}/applications", headers=headers, json=body)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers, r.text
    assert count(registry, "applications") == 1


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"", "application/json", 422, "invalid_request"),
        (b'{"form": ', "application/json", 422, "invalid_request"),
        (
            '{"form": {"name": "交通数据集"}}'.encode("gb18030"),
            "application/json",
            400,
            "bad_request",
        ),
        (b"[" * 100_000, "application/json", 400, "bad_request"),
    ],
    ids=["empty", "malformed", "gb18030", "deeply-nested"],
)
def test_i18_bad_bodies_with_a_key_are_answered_and_replayed(
    api: Api, registry: Registry, content: bytes, content_type: str, status: int, code: str
) -> None:
    """Empty, malformed, wrongly encoded or pathological bodies carrying a key get their
    problem answer, recorded like any other answer, and nothing else changes."""
    w = api.world()
    headers = {**api.h(w.applicant), "Idempotency-Key": "bad-body", "Content-Type": content_type}
    before = snapshot(registry)
    first = problem(
        api.c.post(f"{PREFIX}/applications", headers=headers, content=content), status, code
    )
    again = api.c.post(f"{PREFIX}/applications", headers=headers, content=content)
    assert problem(again, status, code) == first
    assert again.headers["idempotent-replayed"] == "true"
    changed = changed_tables(before, snapshot(registry))
    assert set(changed) == {"idempotency_records"}, changed


@pytest.mark.parametrize("key", ["\u00e9t\u00e9", "tab\tkey", " "])
def test_i18_idempotency_key_must_be_printable_ascii(
    api: Api, registry: Registry, key: str
) -> None:
    w = api.world()
    body = _create_body(api, w.applicant, w.party)
    before = snapshot(registry)
    r = api.c.post(
        f"{PREFIX}/applications",
        headers={**api.h(w.applicant), "Idempotency-Key": key.encode()},
        json=body,
    )
    problem(r, 400, "invalid_idempotency_key")
    assert changed_tables(before, snapshot(registry)) == {}
