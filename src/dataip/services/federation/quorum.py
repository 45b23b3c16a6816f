"""The witness quorum of a certificate's log proof (C2SP tlog-policy; issue 21 §4): whether the
tree that proves the certificate's issuance was cosigned by a quorum of witnesses.

The proof a certificate carries is to the checkpoint of the round that logged it, signed by the
log alone; the witnesses cosign the registry's checkpoints afterwards, and the registry serves
the newest one they cosigned at ``<issuer>/log/cosigned-checkpoint``. So, with a policy:

1. the proof (leaf, inclusion, checkpoint signature) must hold against the *policy's* log key
   for the proof's origin — not a key the issuer serves;
2. the cosigned checkpoint must carry the policy's quorum of valid cosignatures;
3. the proof's tree must be that cosigned tree (same size and root) or a prefix of it (an
   RFC 6962 consistency proof). A cosigned checkpoint older than the proof: the issuance is
   not witnessed yet.

:func:`check` is the procedure, with the cosigned checkpoint and the consistency proof given
by the caller (`dataip verify --policy` fetches them from the issuer or reads a file).
:func:`evaluate` is the registry's own answer for `POST /api/v1/certificates/verify` and the
`/verify` page, under the policy the registry is configured with (``DATAIP_WITNESS_POLICY_FILE``
or ``DATAIP_WITNESS_POLICY_QUORUM``: docs/federation.md): ``met``, ``not_met`` (with the
witnesses that cosigned) or ``not_evaluated`` (no policy, no proof, the issuer unreachable) —
never silently accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from dataip.certs import tlog
from dataip.domain.errors import DomainError
from dataip.federation import policy as tlog_policy
from dataip.federation.policy import Policy, PolicyError
from dataip.federation.trust_list import TrustList
from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.client import LogClient
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Verifier
from dataip.ledger.proof import parse_proof
from dataip.services.context import Env
from dataip.services.federation import trust

__all__ = ["COSIGNED", "Refused", "Witnessed", "check", "configured_policy", "evaluate"]

COSIGNED = "cosigned-checkpoint"
MAX_BODY = 1 << 20
# (first size, cosigned checkpoint) -> the RFC 6962 consistency proof between them
Consistency = Callable[[int, Checkpoint], list[bytes]]


class Refused(Exception):
    """Not accepted under the policy: a stable ``code``, the reason, the CLI's exit status."""

    def __init__(self, code: str, reason: str, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.code, self.reason, self.exit_code = code, reason, exit_code


@dataclass(frozen=True)
class Witnessed:
    """What :func:`check` found; ``satisfied`` False only for a checkpoint without the quorum
    (every other shortfall raises :class:`Refused`)."""

    satisfied: bool
    quorum: str
    cosigned_by: tuple[str, ...]
    invalid: tuple[str, ...]
    cosigned_size: int
    proof_size: int
    checkpoint_from: str
    summary: str = ""
    witness_keys: Mapping[str, str] = field(default_factory=dict)  # name -> vkey

    def to_dict(self) -> dict[str, Any]:
        return {
            "satisfied": self.satisfied,
            "quorum": self.quorum,
            "cosigned_by": list(self.cosigned_by),
            "cosigned_size": self.cosigned_size,
            "proof_size": self.proof_size,
            "checkpoint_from": self.checkpoint_from,
        }


def proved_checkpoint(
    credential: Mapping[str, Any], policy: Policy
) -> tuple[Checkpoint, str, list[Verifier]]:
    """Step 1: the certificate's proof against the policy's key for its log; returns the
    proof's checkpoint, the origin and the policy's keys for it."""
    raw = credential.get(tlog.CLAIM)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("proof"), str):
        raise Refused(
            "no_log_proof", "the certificate carries no log proof yet (it is added once logged)"
        )
    origin = str(raw.get("origin"))
    keys = [lg.verifier for lg in policy.logs if lg.origin == origin]
    if not keys:
        raise Refused("log_not_in_policy", f"the log {origin!r} is not in the policy")
    try:
        tlog.check(credential, keys)
        proved, _ = open_checkpoint(parse_proof(str(raw["proof"])).checkpoint, keys, origin=origin)
    except DomainError as exc:
        raise Refused(exc.code, exc.message_en) from None
    except (FormatError, VerificationError) as exc:
        raise Refused("tlog_proof_invalid", f"the log proof does not hold: {exc}") from None
    return proved, origin, keys


def check(
    credential: Mapping[str, Any],
    policy: Policy,
    cosigned_note: Callable[[], tuple[str, str]],
    consistency: Consistency,
) -> Witnessed:
    """Steps 1 to 3. ``cosigned_note()`` gives (the cosigned checkpoint, where it came from);
    ``consistency`` the proof from the proof's size to the cosigned checkpoint (only called
    when the cosigned tree is larger). Raises :class:`Refused` for anything but a missing
    quorum, which is returned with ``satisfied`` False and who cosigned."""
    proved, origin, _ = proved_checkpoint(credential, policy)
    note, source = cosigned_note()
    try:
        result = tlog_policy.check(policy, note, origin=origin)
    except VerificationError as exc:
        raise Refused(
            "cosigned_checkpoint_invalid",
            f"the cosigned checkpoint ({source}) does not verify: {exc}",
        ) from None
    cosigned = result.checkpoint
    found = Witnessed(
        satisfied=result.satisfied,
        quorum=policy.describe(),
        cosigned_by=tuple(sorted(result.cosigned)),
        invalid=tuple(sorted(result.invalid)),
        cosigned_size=cosigned.size,
        proof_size=proved.size,
        checkpoint_from=source,
        summary=result.summary(policy),
        witness_keys={n: w.verifier.to_text() for n, w in policy.witnesses.items()},
    )
    if result.satisfied:
        _connect(proved, cosigned, consistency)
    return found


def _connect(proved: Checkpoint, cosigned: Checkpoint, consistency: Consistency) -> None:
    """Step 3: the proof's tree is the cosigned tree or a prefix of it."""
    if proved.size > cosigned.size:
        raise Refused(
            "not_witnessed_yet",
            f"the newest cosigned checkpoint (size {cosigned.size}) is older than the proof "
            f"(size {proved.size}): the issuance is not witnessed yet; try again later",
        )
    if proved.size == cosigned.size:
        if proved.root_hash != cosigned.root_hash:
            raise Refused("split_view", f"SPLIT VIEW: two different trees of size {proved.size}")
        return
    try:
        proof = consistency(proved.size, cosigned)
        merkle.verify_consistency(
            proved.size, cosigned.size, proof, proved.root_hash, cosigned.root_hash
        )
    except (VerificationError, FormatError, ValueError, DomainError) as exc:
        raise Refused(
            "split_view",
            f"the cosigned checkpoint (size {cosigned.size}) does not extend the proof's "
            f"(size {proved.size}): {exc}",
        ) from None


def remote_consistency(fetch: Callable[[str], bytes], keys: Sequence[Verifier]) -> Consistency:
    """The consistency proof built from a log's tiles (``fetch(path)`` under ``<issuer>/log``),
    after checking that the tiles rebuild the cosigned root."""

    def build(first: int, cosigned: Checkpoint) -> list[bytes]:
        client = LogClient(fetch, list(keys), origin=cosigned.origin)
        reader = client.check_root(cosigned)
        return merkle.consistency_proof_from_reader(reader, first, cosigned.size)

    return build


# --- the registry's answer ------------------------------------------------------------------


def configured_policy(env: Env, listed: TrustList | None) -> Policy | None:
    """The registry's witness policy: the file it is configured with, or "k of the registries
    on the list in force" (None without either, or with a quorum but no list in force).
    Raises :class:`PolicyError` when the quorum does not fit the list."""
    setup = trust.setup_of(env)
    if setup.policy is not None:
        return setup.policy
    if setup.policy_quorum <= 0 or listed is None:
        return None
    key = (listed.operator, listed.sequence, setup.policy_quorum)
    cached = setup.derived_policies.get(key)
    if cached is None:
        text = tlog_policy.policy_text_from_registries(
            [(e.agency_code, e.log_key, e.witness_key) for e in listed.registries],
            setup.policy_quorum,
        )
        cached = setup.derived_policies[key] = tlog_policy.parse_policy(text)
    return cached


_MESSAGES: dict[str, tuple[str, str]] = {
    "no_policy": (
        "本登记机构未配置见证策略，未核验见证法定数",
        "not evaluated: this registry has no witness policy configured",
    ),
    "policy_invalid": (
        "本登记机构的见证策略与现行信任列表不符，未核验见证法定数",
        "not evaluated: this registry's witness policy does not fit the trust list in force",
    ),
    "no_log_proof": (
        "该证书副本未附透明日志证明，无从核验见证法定数",
        "not evaluated: this copy carries no log proof",
    ),
    "offline": (
        "离线核验，未获取签发登记机构的联署检查点",
        "not evaluated: verified offline, the issuer's cosigned checkpoint was not fetched",
    ),
    "unreachable": (
        "无法获取签发登记机构的联署检查点，未核验见证法定数",
        "not evaluated: the issuer's cosigned checkpoint could not be fetched",
    ),
    "log_not_in_policy": (
        "该证书的透明日志不在本机构的见证策略中",
        "not met: the certificate's log is not in this registry's witness policy",
    ),
    "no_cosigned_checkpoint": (
        "签发登记机构的透明日志尚无任何见证人联署",
        "not met: no witness has cosigned the issuer's log yet",
    ),
    "cosigned_checkpoint_invalid": (
        "签发登记机构的联署检查点验证不通过",
        "not met: the issuer's cosigned checkpoint does not verify",
    ),
    "not_witnessed_yet": (
        "签发后的日志尚未经见证人联署（稍后再试）",
        "not met: the issuance is not witnessed yet (try again later)",
    ),
    "split_view": (
        "分叉：联署的日志与证书所证明的日志不一致",
        "not met: SPLIT VIEW, the cosigned log does not extend the certificate's proof",
    ),
    "quorum_not_met": (
        "日志视图未获见证法定数联署",
        "not met: the log view is not witnessed by the quorum",
    ),
}
_NOT_EVALUATED = frozenset(
    {"no_policy", "policy_invalid", "no_log_proof", "offline", "unreachable"}
)


def _answer(code: str | None, detail: str = "", **facts: Any) -> dict[str, Any]:
    if code is None:
        status = "met"
        zh, en = "日志视图已获见证法定数联署", "met: the log view is witnessed by the quorum"
    else:
        status = "not_evaluated" if code in _NOT_EVALUATED else "not_met"
        zh, en = _MESSAGES.get(code, _MESSAGES["quorum_not_met"])
    return {
        "status": status,
        "code": code,
        "quorum": facts.get("quorum"),
        "quorum_zh": facts.get("quorum_zh"),
        "cosigned_by": facts.get("cosigned_by", []),
        "invalid": facts.get("invalid", []),
        "cosigned_size": facts.get("cosigned_size"),
        "proof_size": facts.get("proof_size"),
        "checkpoint_from": facts.get("checkpoint_from"),
        "message_zh": zh,
        "message_en": en,
        "detail": detail or None,
    }


def _witness_names(found: Witnessed, names: Sequence[str], listed: TrustList | None) -> list[Any]:
    """Each witness as the policy names it, with its registry's name when its key is on the
    trust list."""
    by_key = {e.witness_key: e for e in listed.registries} if listed is not None else {}
    out = []
    for name in names:
        entry = by_key.get(found.witness_keys.get(name, ""))
        out.append(
            {
                "name": name,
                "registry": entry.name if entry is not None else None,
                "agency_code": entry.agency_code if entry is not None else None,
            }
        )
    return out


def _get(url: str, timeout: float) -> bytes:
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url) as r,
        ):
            if r.status_code == 404 and url.endswith(COSIGNED):
                raise Refused("no_cosigned_checkpoint", f"GET {url}: HTTP 404")
            if r.status_code != 200:
                raise Refused("unreachable", f"GET {url}: HTTP {r.status_code}")
            body = b""
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    raise Refused("unreachable", f"GET {url}: larger than {MAX_BODY} bytes")
    except httpx.HTTPError as exc:
        raise Refused("unreachable", f"{url} could not be reached: {exc}") from None
    return body


def _local(env: Env) -> tuple[Callable[[], tuple[str, str]], Consistency]:
    """This registry's own log: the cosigned checkpoint it serves, proofs from its database."""
    from dataip.services import ledger
    from dataip.services.federation import push

    def note() -> tuple[str, str]:
        found = push.cosigned_checkpoint(env)
        if found is None:
            raise Refused("no_cosigned_checkpoint", "no witness has cosigned this log yet")
        return found, f"{env.certificate_keys.issuer_id}/log/{COSIGNED}"

    def consistency(first: int, cosigned: Checkpoint) -> list[bytes]:
        proof: list[bytes] = ledger.consistency(env, first, cosigned.size)["proof"]
        return proof

    return note, consistency


def evaluate(
    env: Env,
    listed: TrustList | None,
    issuer: str,
    credential: Mapping[str, Any],
    log_status: str,
    *,
    online: bool,
) -> dict[str, Any]:
    """The ``witness_quorum`` member of a verification answer (the signature already
    verified): met, not met (who cosigned), or not evaluated (why)."""
    try:
        policy = configured_policy(env, listed)
    except PolicyError as exc:
        return _answer("policy_invalid", str(exc))
    if policy is None:
        return _answer("no_policy")
    by_key = {e.witness_key: e.name for e in listed.registries} if listed is not None else {}
    keys_of = {n: w.verifier.to_text() for n, w in policy.witnesses.items()}
    described = {
        "quorum": policy.describe(),
        "quorum_zh": policy.describe_zh(lambda n: by_key.get(keys_of.get(n, ""), n)),
    }
    if log_status != "included":
        return _answer("no_log_proof", **described)
    if issuer == env.certificate_keys.issuer_id:
        note, consistency = _local(env)
    elif not online:
        return _answer("offline", **described)
    else:
        timeout = trust.setup_of(env).fetch_timeout
        log_url = f"{issuer.rstrip('/')}/log"

        def note() -> tuple[str, str]:
            url = f"{log_url}/{COSIGNED}"
            return _get(url, timeout).decode("utf-8", "replace"), url

        keys = [lg.verifier for lg in policy.logs]
        consistency = remote_consistency(lambda path: _get(f"{log_url}/{path}", timeout), keys)
    try:
        found = check(credential, policy, note, consistency)
    except Refused as exc:
        return _answer(exc.code, exc.reason, **described)
    facts = {
        **described,
        "cosigned_by": _witness_names(found, found.cosigned_by, listed),
        "invalid": _witness_names(found, found.invalid, listed),
        "cosigned_size": found.cosigned_size,
        "proof_size": found.proof_size,
        "checkpoint_from": found.checkpoint_from,
    }
    if not found.satisfied:
        return _answer("quorum_not_met", found.summary, **facts)
    return _answer(None, found.summary, **facts)


def summary_suffix(answer: Mapping[str, Any]) -> tuple[str, str]:
    """What the verification's one-line summary adds (nothing when no policy is configured:
    the `witness_quorum` member still says it was not evaluated)."""
    if answer.get("code") == "no_policy":
        return "", ""
    if answer["status"] == "met":
        return "；日志视图已获见证法定数联署", "; log view witnessed by the quorum"
    names = "、".join(w["registry"] or w["name"] for w in answer.get("cosigned_by") or []) or "无"
    names_en = ", ".join(w["name"] for w in answer.get("cosigned_by") or []) or "none"
    if answer["status"] == "not_met":
        return (
            f"；但日志视图未获见证法定数联署（要求{answer['quorum_zh']}；已联署：{names}）",
            f"; but the log view is NOT witnessed by the quorum (required {answer['quorum']}; "
            f"cosigned by {names_en})",
        )
    return "；见证法定数未核验", "; witness quorum not evaluated"
