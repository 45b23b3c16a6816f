"""Issue 25 §2: the registry end to end on the database blob store (DATAIP_BLOB_STORE=database;
PostgreSQL in CI's PostgreSQL pass): files uploaded, an application filed with them, its
registration's certificate downloaded — no file on this machine's disk — and a file whose
stored bytes no longer match their hash answered with a problem, never with the bytes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dataip.bootstrap import Registry, build, open_blob_store
from dataip.db.blobstore import DatabaseObjectStore
from dataip.services.blobstore import content_key
from dataip.services.context import Env
from tests.support.api import Api, problem


def test_i25_the_setting_picks_the_database_store(env: Env, registry: Registry) -> None:
    """DATAIP_BLOB_STORE=database: the registry's own database holds the files, and what one
    server (its own engine, as another process or machine has) stores another reads."""
    settings = registry.settings.model_copy(update={"blob_store": "database"})
    reg = build(settings)
    try:
        assert isinstance(reg.env.blobs.objects, DatabaseObjectStore)
        assert reg.env.blobs.objects.engine is reg.engine  # the registry's own database
        digest = reg.env.blobs.put(b"stored by one server")
        other = open_blob_store(registry.settings, "database", engine=registry.engine)
        assert other.get(digest) == b"stored by one server"
    finally:
        reg.dispose()


def test_i25_registry_files_and_certifies_on_the_database_store(
    api: Api, env: Env, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_blob_store(registry.settings, "database", engine=registry.engine)
    monkeypatch.setattr(env, "blobs", store)
    on_disk = set(registry.settings.blob_dir.rglob("*"))
    w = api.world()
    sample = b"id,region,count\n1,GY,3\n2,ZY,5\n"
    sha = api.upload(w.applicant, sample, "样例.csv")
    number = w.registered(sample_blobs=[sha])
    assert set(registry.settings.blob_dir.rglob("*")) == on_disk  # nothing written locally
    assert store.exists(sha) and store.get(sha) == sample

    got = api.c.get(f"/api/v1/blobs/{sha}", headers=api.h(w.applicant))
    assert got.status_code == 200 and got.content == sample
    pdf = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    with registry.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE stored_object_chunks SET data = :d WHERE key = :k"),
            {"d": b"id,region,count\n1,GY,4\n", "k": content_key(sha)},
        )
    bad = api.c.get(f"/api/v1/blobs/{sha}", headers=api.h(w.examiner))
    body = problem(bad, 503, "blob_unavailable")
    assert body["details"] == {"sha256": sha}
    assert b"GY,4" not in bad.content
