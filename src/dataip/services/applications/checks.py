"""The examiner's checklist (审核要点) as the registry computes it: completeness of the R5
form (G§7), the name's form, evidence made before the filing (R6/G§8), sample rows proven to
come from the evidenced data set, each sample file's screening (R26), and the same subjects'
other filings (R4, R14(3)/G§13(3)), and the same evidence or name registered at a peer
registry (issue 21 §5).
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.domain.app_states import PUBLIC_STATES, AppState
from dataip.domain.application import check_name
from dataip.domain.registers import filing_defects
from dataip.evidence import sample as sample_proofs
from dataip.evidence.rows import RowError, row_format, rows_of_bytes
from dataip.ledger.errors import VerificationError
from dataip.services import screening
from dataip.services.context import Env, Identity
from dataip.services.federation import peers_feed
from dataip.services.ports import UnitOfWork


def examination_checks(
    uow: UnitOfWork, env: Env, app: m.Application, *, viewer: Identity | None = None
) -> dict[str, Any]:
    """What the examiner's checklist starts from: defects, duplicates, party warnings. A
    holder sees of the same subjects' other filings only those it may see anyway (its own
    and the public ones), never a co-applicant's drafts."""
    defects = filing_defects(
        app.form, app.register, industry_is_class=uow.industries.is_class, today=env.today()
    )
    name_defect = check_name(app.name)
    party_ids = [ap.party_id for ap in uow.app_parties.for_application(app.id)]
    same = (
        uow.applications.same_subject(
            party_ids,
            evidence_hash=app.evidence_hash,
            name=app.name,
            exclude_id=app.id,
            register=app.register,
        )
        if party_ids
        else []
    )
    if viewer is not None and not viewer.is_registry:
        same = [
            a
            for a in same
            if a.filer_user_id == viewer.user_id or AppState(a.state) in PUBLIC_STATES
        ]
    return {
        "defects": [d.as_dict() for d in defects],
        "name_ok": name_defect is None,
        "evidence": _evidence_check(uow, app),
        "sample_proof": _sample_check(uow, env, app),
        "screening": screening.for_examiner(uow, app),
        # issue 21 §5: a peer registry's registration in force with the same evidence or
        # name (R4, G§10): a warning for the examiner, who decides (G§13(3))
        "registered_elsewhere": (
            peers_feed.matches(
                env,
                uow,
                name=app.name,
                evidence=app.evidence_hash,
                holder_codes=[
                    p.id_number for p in uow.parties.many(party_ids) if p.kind != "natural_person"
                ],
            )
            if viewer is None or viewer.is_registry
            else []
        ),
        "same_subject_filings": [
            {
                "id": a.id,
                "state": a.state,
                "application_number": a.application_number,
                "same_evidence": bool(app.evidence_hash and a.evidence_hash == app.evidence_hash),
                "same_name": a.name == app.name,
            }
            for a in same
        ],
    }


def _evidence_check(uow: UnitOfWork, app: m.Application) -> dict[str, Any]:
    """R6: a deposit here is a recorded fact (and must predate the filing); anything else is
    external evidence, recorded as declared for the examiner to check."""
    ev = app.form.get("evidence") or {}
    number = ev.get("deposit_number")
    dep = uow.deposits.by_number(number) if number else None
    if dep is None:
        return {"kind": "declared" if ev else "none", "verified": False}
    filed = app.filed_at
    return {
        "kind": "deposit",
        "verified": True,
        "number": dep.number,
        "hash": dep.hash,
        "root": dep.root,
        "deposited_at": dep.deposited_at.isoformat(),
        "before_filing": filed is None or dep.deposited_at < filed,
    }


def _sample_check(uow: UnitOfWork, env: Env, app: m.Application) -> dict[str, Any]:
    """Whether the sample rows are proven to be rows of the evidenced data set: the uploaded
    proof (`dataip fingerprint prove-sample`) checked against the evidence root, and the
    uploaded sample files' rows all among the proven rows."""
    ev = app.form.get("evidence") or {}
    blob = ev.get("sample_proof_blob")
    if not blob:
        return {"status": "absent"}
    root = str(ev.get("hash_value") or "")
    against = "deposit" if ev.get("deposit_number") else "declared_hash"
    try:
        proof = env.blobs.get(blob)
        verified = sample_proofs.verify(proof, root)
    except VerificationError as exc:
        return {"status": "not_proven", "against": against, "detail": str(exc)}
    except (KeyError, FileNotFoundError, OSError):
        return {"status": "not_proven", "against": against, "detail": "proof file missing"}
    unproven_files = []
    for sha in app.form.get("sample_blobs") or []:
        meta = uow.blobs.owned(sha, app.filer_user_id)
        fmt = row_format(meta.filename) if meta else None
        if fmt is None:
            continue
        try:
            rows = rows_of_bytes(env.blobs.get(sha), fmt)
        except (RowError, OSError, KeyError):
            unproven_files.append(meta.filename)
            continue
        if any(r not in verified.proven for r in rows):
            unproven_files.append(meta.filename)
    return {
        "status": "proven" if not unproven_files else "partly_proven",
        "against": against,
        "file": verified.path,
        "rows_proven": len(verified.indices),
        "file_rows": verified.rows,
        "samples_not_covered": unproven_files,
    }
