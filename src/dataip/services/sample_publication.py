"""What a registration's public page shows of its sample data (issue 7, point 4; R26).

Sample files are private to the holder and the registry. The holder may choose to show
their first rows on the public page:

* ``none`` — nothing (the default);
* ``raw`` — the rows as read, only if screening finds nothing in any sample file;
* ``masked`` — the rows de-identified (GB/T 37964: masking, generalisation, suppression),
  every flagged column with its technique and every other cell still run through the
  detectors.

The holder chooses while the registration is in force; an ended registration's page shows
no sample whatever was chosen. A transfer withdraws the publication (the new holders
choose); an approved change publishes the new version's files the same way, if it still
can. Each choice uses the files' screening by today's detectors (a detector added since the
submission is applied before anything goes public) and stores the rows exactly as they will
be shown, so a public read never parses a sample file. The ledger records the choice and a
commitment to the published rows.

Issue 18: no file is parsed here. The screening worker stores, with each report, the rows as
they may be published (masked; as read only when nothing was found) and the fingerprint of
the screening code that made them. :func:`prepare`, called before the holder's transaction
opens, has files screened by other code screened again (a bounded wait); in the transaction
a file without today's result refuses the choice (409 ``screening_pending``, nothing changed),
and a change approved meanwhile withdraws the publication rather than publish stale rows.
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import IN_FORCE, RegState
from dataip.domain.after_registration_codes import SAMPLE_PUBLICATION
from dataip.domain.errors import DomainError
from dataip.screening.sandbox import engine_id
from dataip.services import screening
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment
from dataip.services.screening_worker import settle, setup


def _err(code: str, zh: str, en: str, status: int = 409, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def sample_files(uow: UnitOfWork, reg: m.Registration) -> list[str]:
    """The sample files of the registration's current version."""
    version = uow.registration_versions.latest(reg.id)
    form = version.form if version is not None else {}
    return [str(s) for s in form.get("sample_blobs") or []]


def choose(
    uow: UnitOfWork, env: Env, reg: m.Registration, choice: str, user_id: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record the holder's choice in the caller's transaction; returns the event's public
    part and its private commitments. Raises a DomainError, changing nothing, when the
    choice is not possible."""
    if choice not in SAMPLE_PUBLICATION:
        raise _err(
            "invalid_choice",
            "公开方式须为 none、raw 或 masked",
            "choice must be none, raw or masked",
            422,
        )
    files: list[dict[str, Any]] = []
    if choice != "none":
        shas = sample_files(uow, reg)
        if not shas:
            raise _err("no_sample", "该登记没有样例数据", "the registration has no sample data")
        files = [_publishable(uow, env, reg, sha, masked=choice == "masked") for sha in shas]
    row = uow.sample_publications.get(reg.id)
    if row is None:
        row = uow.sample_publications.add(
            m.SamplePublication(
                registration_id=reg.id,
                choice=choice,
                files=files,
                certificate_version=reg.certificate_version,
                chosen_at=env.now(),
                chosen_by_user_id=user_id,
            )
        )
    else:
        row.choice = choice
        row.files = files
        row.certificate_version = reg.certificate_version
        row.chosen_at = env.now()
        row.chosen_by_user_id = user_id
    public: dict[str, Any] = {"sample_publication": choice}
    private: dict[str, Any] = {"published_rows": commitment(files)} if files else {}
    return public, private


def follow_new_version(uow: UnitOfWork, env: Env, reg: m.Registration, reason: str) -> None:
    """A new certificate version (in the caller's transaction, after it is added): after a
    transfer the new holders decide afresh (back to ``none``); after a change the published
    rows are made again from the version's sample files with the same choice, or withdrawn
    (``none``) when that choice is no longer possible (``raw`` and the new files have
    findings; no sample; a file that cannot be read)."""
    row = uow.sample_publications.get(reg.id)
    if row is None or row.choice == "none" or reason not in ("transfer", "change"):
        return
    files: list[dict[str, Any]] = []
    if reason == "change":
        try:
            shas = sample_files(uow, reg)
            files = [
                _publishable(uow, env, reg, sha, masked=row.choice == "masked") for sha in shas
            ]
        except DomainError:
            files = []
    row.choice = row.choice if files else "none"
    row.files = files
    row.certificate_version = reg.certificate_version
    row.chosen_at = env.now()


def _authors(uow: UnitOfWork, reg: m.Registration) -> list[int]:
    """Whose uploads the registration's files are: the approved changes' requesters (the
    latest first: a change's new files are its requester's own), then the filer."""
    changes = [
        r.requester_user_id
        for r in reversed(uow.requests.for_registration(reg.id))
        if r.kind == "change" and r.outcome == "approve"
    ]
    app = uow.applications.get(reg.application_id)
    return list(dict.fromkeys([*changes, app.filer_user_id]))


def prepare(env: Env, number: str, action: str, payload: dict[str, Any]) -> None:
    """Before a registration's transaction opens (issue 18): the screening its action needs,
    waited for a bounded time with no transaction open — today's screening of the files to
    publish (``publish_sample``), and the new sample files of a change the registry is about
    to approve (``decide_request``). What is not ready by then refuses the action (409
    ``screening_pending``) inside the transaction, changing nothing."""
    shas: list[str] = []
    fresh = action == "publish_sample"
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            return
        if fresh and payload.get("choice") in ("raw", "masked"):
            shas = sample_files(uow, reg)
        elif action == "decide_request" and payload.get("outcome") == "approve":
            rid = payload.get("request_id")
            r = uow.requests.get(rid) if isinstance(rid, int) else None
            if r is not None and r.registration_id == reg.id and r.kind == "change":
                changed = (r.payload.get("changes") or {}).get("sample_blobs")
                shas = screening.samples_of({"sample_blobs": changed})
    if shas:
        settle(env, shas, timeout=setup(env).submit_wait_seconds, fresh=fresh)


def _publishable(
    uow: UnitOfWork, env: Env, reg: m.Registration, sha: str, *, masked: bool
) -> dict[str, Any]:
    meta = uow.blobs.first_owned(sha, _authors(uow, reg))
    filename = meta.filename if meta else "sample"
    row = uow.screenings.get(sha)
    if row is None or row.engine != engine_id() or (row.error is None and not row.public):
        screening.request(uow, env, [sha], fresh=True)
        raise _err(
            "screening_pending",
            f"样例数据文件 {filename} 正在按当前规则筛查，请稍后再试",
            f"the sample file {filename} is being screened with today's detectors: try again "
            "shortly",
            file=filename,
        )
    if row.error is not None:
        if row.error.get("code") == "sample_missing":
            raise _err(
                "sample_missing",
                f"样例数据文件 {filename} 缺失",
                f"the sample file {filename} is missing",
                file=filename,
            )
        raise _err(
            "sample_unreadable",
            f"样例数据文件 {filename} 无法读取：{row.error.get('message_zh')}",
            f"the sample file {filename} cannot be read: {row.error.get('message_en')}",
            file=filename,
            cause=row.error.get("code"),
        )
    if not masked and row.kinds:
        kinds = sorted(row.kinds)
        raise _err(
            "sample_not_clean",
            f"筛查在 {filename} 中发现 {'、'.join(kinds)}：只能公开去标识化的样例数据",
            f"screening found {', '.join(kinds)} in {filename}: only the masked sample may be "
            "published",
            file=filename,
            kinds=kinds,
        )
    assert row.public is not None
    rows = row.public["masked" if masked else "raw"]
    assert rows is not None  # raw rows are stored exactly when nothing was found
    return {**rows, "filename": filename}


def public_view(uow: UnitOfWork, reg: m.Registration) -> dict[str, Any] | None:
    """What the public sees: None unless the holder chose to publish rows and the
    registration is still in force."""
    row = uow.sample_publications.get(reg.id)
    if row is None or row.choice == "none" or RegState(reg.state) not in IN_FORCE:
        return None
    return {
        "choice": row.choice,
        "certificate_version": row.certificate_version,
        "chosen_at": row.chosen_at,
        "files": row.files,
    }


def choice_of(uow: UnitOfWork, reg: m.Registration) -> str:
    """The holder's current choice (``none`` when never chosen)."""
    row = uow.sample_publications.get(reg.id)
    return row.choice if row is not None else "none"
