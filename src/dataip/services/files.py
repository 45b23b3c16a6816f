"""Files as a person sees them (issue 19 §4): the name it was uploaded under, its size, its type
and what screening found — never a prefix of its digest. The application form, the
examiner's view, objection evidence and the requests after registration all show files this
way; the digest stays the file's key (links, forms), not its name.

Only the uploader and the registry describe a file (the name a person gave a private file is
private too): ``owner`` is whose upload names the file — the applicant's for an
application's files, the objector's for objection evidence, the requester's for a request's
instrument; the registry falls back to the first upload of the same bytes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from dataip.services import screening
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork


@dataclass(frozen=True)
class FileInfo:
    sha256: str
    filename: str
    size: int
    media_type: str
    # a sample file's screening state (screening.PENDING … NOT_SCREENED); None for a
    # document that is not sample data and was never screened (a licence, an instrument)
    screening: str | None
    kinds: tuple[str, ...] = field(default_factory=tuple)  # what screening found
    error_code: str | None = None


def describe(
    uow: UnitOfWork,
    shas: Iterable[str],
    *,
    owner: int | None,
    samples: Collection[str] = (),
    registry: bool = False,
) -> dict[str, FileInfo]:
    """Each file by its digest. ``samples``: the files that are sample data (screened: their
    state is always shown); a document that screening never saw has ``screening=None``."""
    wanted = [s for s in dict.fromkeys(shas) if isinstance(s, str)]
    if not wanted:
        return {}
    states = screening.states(uow, wanted)
    reports = uow.screenings.many(wanted)
    out: dict[str, FileInfo] = {}
    for sha in wanted:
        meta = uow.blobs.owned(sha, owner) if owner is not None else None
        if meta is None and registry:
            meta = uow.blobs.earliest(sha)
        if meta is None:
            continue  # not the caller's to see (or gone): not described
        state: str | None = states.get(sha, screening.NOT_SCREENED)
        if state == screening.NOT_SCREENED and sha not in samples:
            state = None
        row = reports.get(sha)
        settled = state == screening.DONE and row is not None
        out[sha] = FileInfo(
            sha256=sha,
            filename=meta.filename,
            size=meta.size,
            media_type=meta.media_type,
            screening=state,
            kinds=tuple(row.kinds) if settled and row is not None else (),
            error_code=(row.error or {}).get("code")
            if state == screening.FAILED and row is not None
            else None,
        )
    return out


def describe_for(
    identity: Identity,
    *,
    env: Env,
    shas: Sequence[str],
    owner: int | None = None,
    samples: Collection[str] = (),
) -> dict[str, FileInfo]:
    """What ``identity`` may see of these files: the registry every file (named by ``owner``'s
    upload, else the first); anyone else only their own uploads."""
    uid = identity.require_login()
    registry = identity.is_registry
    with env.read() as uow:
        return describe(
            uow,
            shas,
            owner=owner if registry and owner is not None else uid,
            samples=samples,
            registry=registry,
        )
