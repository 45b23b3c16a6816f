"""Issue 18 §6: what a cache may keep. The URL of "the current certificate" changes meaning with
every change, transfer or renewal, so caches must revalidate it (no-cache + ETag, 304 while
nothing changed); a certificate version whose log proof is attached never changes and may be
kept for good; problems (a 404 for a version or tile not there yet) are never stored."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx

from dataip.bootstrap import Registry
from dataip.services import certificates, ledger
from tests.support.api import Api, problem

PDF = "application/pdf"
JOSE = "application/jose+json"


def _publish(registry: Registry) -> None:
    """What the server's integrator does each round: checkpoint, then the certificates' proofs."""
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)


def _max_age(r: httpx.Response) -> int:
    m = re.search(r"max-age=(\d+)", r.headers.get("cache-control", ""))
    return int(m.group(1)) if m else 0


def _revalidated(r: httpx.Response) -> None:
    """Stored by a cache only on condition that it asks again before each use."""
    cache = r.headers["cache-control"]
    assert "no-cache" in cache or "no-store" in cache, cache
    assert "immutable" not in cache and _max_age(r) == 0, cache


def _version(token: str) -> int:
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return int(claims["credentialSubject"]["certificateVersion"])


def _holders(token: str) -> list[Any]:
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return [h.get("name") for h in claims["credentialSubject"]["holders"]]


def _get(api: Api, url: str, etag: str | None = None, **headers: str) -> httpx.Response:
    if etag is not None:
        headers["If-None-Match"] = etag
    return api.c.get(url, headers=headers)


def test_i18_current_certificate_url_is_revalidated_and_serves_the_new_version_after_change_and_transfer(  # noqa: E501
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    _publish(registry)  # the proof attached: the branch that sent max-age=31536000
    url = f"/api/v1/registrations/{number}/certificate"

    first = _get(api, url)
    assert first.status_code == 200, first.text
    _revalidated(first)
    assert "accept" in first.headers["vary"].lower()
    assert first.headers["content-location"] == f"{url}?version=1"
    etag = first.headers["etag"]
    assert not etag.startswith("W/"), etag  # the token's bytes: a strong validator
    assert _version(first.text) == 1

    # Nothing changed: the cache's copy is confirmed, without a body.
    same = _get(api, url, etag)
    assert same.status_code == 304, same.text
    assert same.content == b""
    assert same.headers["etag"] == etag
    _revalidated(same)
    assert _get(api, url, f'"other", {etag}').status_code == 304  # a list of tags
    assert _get(api, url, "*").status_code == 304

    # A change issues version 2: the same URL and the cache's validator get the new one.
    api.at("2026-10-20 10:00")
    w.changed(number)
    changed = _get(api, url, etag)
    assert changed.status_code == 200, changed.text
    assert _version(changed.text) == 2
    assert changed.headers["etag"] != etag
    assert changed.headers["content-location"] == f"{url}?version=2"
    _revalidated(changed)
    _publish(registry)  # version 2's proof is attached: its token changes once more
    proven = _get(api, url, changed.headers["etag"])
    assert proven.status_code == 200 and _version(proven.text) == 2
    assert proven.text != changed.text

    # A transfer issues version 3 with the new holder.
    api.at("2026-10-22 10:00")
    w.transferred(number)
    _publish(registry)
    moved = _get(api, url, proven.headers["etag"])
    assert moved.status_code == 200, moved.text
    assert _version(moved.text) == 3
    assert _holders(moved.text) == ["贵阳受让数据有限公司"]
    _revalidated(moved)


def test_i18_each_certificate_representation_has_its_own_validator(
    api: Api, registry: Registry
) -> None:
    """vc+jwt, the SM2 co-signed JSON and the PDF of one version are different bytes: a 304
    for one must never confirm another (Vary: Accept, one ETag each); after a change every
    one of them is served anew."""
    w = api.world()
    number = w.registered()
    _publish(registry)
    url = f"/api/v1/registrations/{number}/certificate"
    tags = {}
    for accept in ("application/vc+jwt", JOSE, PDF):
        r = _get(api, url, Accept=accept)
        assert r.status_code == 200, (accept, r.text[:300])
        assert r.headers["content-type"].startswith(accept), r.headers
        _revalidated(r)
        tags[accept] = r.headers["etag"]
        assert _get(api, url, tags[accept], Accept=accept).status_code == 304, accept
    assert len(set(tags.values())) == 3, tags
    assert tags[PDF].startswith("W/")  # a rendering, not byte-stable across releases
    assert _get(api, url, tags[JOSE], Accept=PDF).status_code == 200

    api.at("2026-10-20 10:00")
    w.changed(number)
    for accept, tag in tags.items():
        r = _get(api, url, tag, Accept=accept)
        assert r.status_code == 200, (accept, r.status_code)
        assert r.headers["etag"] != tag


def test_i18_a_certificate_version_is_immutable_once_its_log_proof_is_attached(
    api: Api, registry: Registry
) -> None:
    w = api.world()
    number = w.registered()
    url = f"/api/v1/registrations/{number}/certificate"
    # Before the proof, version 1's token will still change once: revalidate.
    early = api.c.get(url, params={"version": 1})
    assert early.status_code == 200, early.text
    _revalidated(early)
    _publish(registry)
    final = api.c.get(url, params={"version": 1})
    assert final.status_code == 200
    assert final.text != early.text  # the proof was added
    assert "immutable" in final.headers["cache-control"], final.headers
    assert _max_age(final) >= 31536000
    assert "content-location" not in final.headers
    # ... and still served the same after a change made version 2 current
    api.at("2026-10-20 10:00")
    w.changed(number)
    again = api.c.get(url, params={"version": 1})
    assert again.text == final.text and again.headers["etag"] == final.headers["etag"]
    # The PDF is rendered from those bytes anew each time: kept a day, not for good.
    pdf = api.c.get(url, params={"version": 1}, headers={"Accept": PDF})
    assert pdf.status_code == 200 and "immutable" not in pdf.headers["cache-control"]
    assert 0 < _max_age(pdf) <= 86400


def test_i18_problem_answers_are_never_stored(api: Api, registry: Registry) -> None:
    """A 404 for a certificate version or a log tile that does not exist yet will exist
    later: a cache that kept the 404 would hide it."""
    w = api.world()
    number = w.registered()
    _publish(registry)
    missing = api.c.get(f"/api/v1/registrations/{number}/certificate", params={"version": 2})
    problem(missing, 404, "certificate_not_found")
    assert missing.headers["cache-control"] == "no-store"
    tile = api.c.get("/log/tile/0/001")
    assert tile.status_code == 404
    assert tile.headers["cache-control"] == "no-store"


def test_i18_long_lived_answers_are_the_ones_that_cannot_change(
    api: Api, registry: Registry
) -> None:
    """Every public GET that lets caches keep it: only full tiles and final certificate
    versions for good; the checkpoint for a second; keys, partial tiles and status lists for
    minutes to an hour (a partial tile's bytes never change, but the log may delete it
    once the full tile exists, C2SP tlog-tiles)."""
    w = api.world()
    number = w.registered()
    _publish(registry)
    checkpoint = api.c.get("/log/checkpoint")
    assert _max_age(checkpoint) <= 5 and "immutable" not in checkpoint.headers["cache-control"]
    size = int(checkpoint.text.splitlines()[1])
    assert 0 < size < 256
    partial = api.c.get(f"/log/tile/0/000.p/{size}")
    assert partial.status_code == 200
    assert "immutable" not in partial.headers["cache-control"] and _max_age(partial) <= 3600
    for path in ("/.well-known/jwks.json", "/log/key", "/api/v1/certificates/status-lists/0"):
        r = api.c.get(path)
        assert r.status_code == 200, (path, r.text)
        assert "immutable" not in r.headers["cache-control"], path
        assert _max_age(r) <= 3600, (path, r.headers["cache-control"])
    status = api.c.get(f"/api/v1/certificates/{number}/status")
    assert "max-age" not in status.headers.get("cache-control", "")


def test_i18_if_none_match_is_read_as_rfc_9110_writes_it() -> None:
    """A list of entity tags, weak or strong, compared weakly; `*` matches any; a comma
    inside a quoted tag does not split it."""
    from starlette.requests import Request

    from dataip.web.caching import none_match

    def asking(value: str) -> Request:
        return Request({"type": "http", "headers": [(b"if-none-match", value.encode())]})

    assert none_match(asking('"abc"'), '"abc"')
    assert none_match(asking('W/"abc"'), '"abc"') and none_match(asking('"abc"'), 'W/"abc"')
    assert none_match(asking('"x", W/"y" ,"abc"'), '"abc"')
    assert none_match(asking('"a,b", "c"'), '"a,b"')
    assert not none_match(asking('"a,b"'), '"a"')
    assert none_match(asking(" * "), '"anything"')
    assert not none_match(asking('"abcd"'), '"abc"')
    assert not none_match(asking("abc"), '"abc"')  # not a quoted tag
    assert not none_match(asking('"abc'), '"abc"')  # unterminated
    assert not none_match(Request({"type": "http", "headers": []}), '"abc"')
