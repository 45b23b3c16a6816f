"""C2SP tlog-policy (c2sp.org/tlog-policy): which logs and witnesses a verifier trusts, and
the quorum of witnesses whose cosignatures make a checkpoint valid (issue 21 §4).

A policy file, one definition a line (items separated by spaces and tabs only; blank lines
and ``#`` comment lines ignored)::

    log <vkey> [<url>]                       a log: its checkpoint key (type 0x01), named
                                             after its origin
    witness <name> <vkey> [<url>]            a witness: its cosignature/v1 key (type 0x04)
    group <name> all|any|<k> <name>...       witnessed when k of its members witnessed
    quorum <name>                            exactly one; a witness, a group, or ``none``

A group or the quorum names only witnesses and groups defined on earlier lines; witnesses and
groups share one namespace in which ``none`` is predefined (never a group member); a name is
a member of a group at most once; ``1 <= k <= n``. Two logs, or two witnesses, wrapping the
same public key are refused. Names are opaque octet strings (the file is read as bytes; octets
above 0x7F are kept as they are, through ``surrogateescape``). Allowed octets: tab, newline,
0x20-0x7E, 0x80-0xFF. A last line without its newline is accepted (as the Go implementations
do). Anything else raises :class:`PolicyError` with the line number.

:func:`check` verifies a checkpoint against a policy: signed by one of the logs (the signing
key named after the origin), and the quorum witnessed — counting each witness once, ignoring
signatures by keys the policy does not list, and not counting (but reporting) a cosignature
that does not verify. Only Ed25519 is implemented (log type 0x01, cosignature type 0x04).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import ALG_COSIGNATURE_V1, CosignatureVerifier
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import ALG_ED25519, Note, Verifier, parse_note, parse_verifier_key

__all__ = [
    "NONE",
    "Group",
    "Policy",
    "PolicyError",
    "PolicyLog",
    "PolicyResult",
    "PolicyWitness",
    "check",
    "parse_policy",
    "policy_text_from_registries",
]

NONE = "none"
MAX_POLICY_SIZE = 1 << 20  # bytes
MAX_DEFINITIONS = 1000  # logs, witnesses and groups each; the spec asks for at least 32
_WHITESPACE = " \t"
_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


class PolicyError(ValueError):
    """A policy file that does not follow c2sp.org/tlog-policy (``line`` 0: the whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class PolicyLog:
    verifier: Verifier
    url: str | None = None

    @property
    def origin(self) -> str:
        return self.verifier.name


@dataclass(frozen=True)
class PolicyWitness:
    name: str
    verifier: CosignatureVerifier
    url: str | None = None


@dataclass(frozen=True)
class Group:
    name: str
    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    logs: tuple[PolicyLog, ...]
    witnesses: Mapping[str, PolicyWitness]
    groups: Mapping[str, Group]
    quorum: str

    def witnessed(self, cosigned: set[str] | frozenset[str], name: str | None = None) -> bool:
        """Whether the witnesses named in ``cosigned`` make ``name`` (default: the quorum)
        witnessed."""
        name = self.quorum if name is None else name
        if name == NONE:
            return True
        if name in self.witnesses:
            return name in cosigned
        group = self.groups[name]
        met = sum(1 for m in group.members if self.witnessed(cosigned, m))
        return met >= group.threshold

    def describe(self) -> str:
        """The quorum in words, e.g. ``2 of (gz, zj, js)``."""
        return self._describe(self.quorum)

    def _describe(self, name: str) -> str:
        if name == NONE:
            return "no cosignatures"
        if name in self.witnesses:
            return name
        group = self.groups[name]
        inner = ", ".join(self._describe(m) for m in group.members)
        return f"{group.threshold} of ({inner})"

    def describe_zh(self, label: Callable[[str], str] = str) -> str:
        """The quorum in Chinese, witnesses named by ``label`` (e.g. their registries' names):
        ``（贵州…、浙江…、江苏…）中的 2 个``."""
        return self._describe_zh(self.quorum, label)

    def _describe_zh(self, name: str, label: Callable[[str], str]) -> str:
        if name == NONE:
            return "无需联署"
        if name in self.witnesses:
            return label(name)
        group = self.groups[name]
        inner = "、".join(self._describe_zh(m, label) for m in group.members)
        return f"（{inner}）中的 {group.threshold} 个"


@dataclass(frozen=True)
class PolicyResult:
    """What :func:`check` found: the checkpoint (log signature verified), the witnesses whose
    cosignatures verified, the listed witnesses whose cosignature did not, and whether the
    quorum is met."""

    checkpoint: Checkpoint
    log: PolicyLog
    cosigned: frozenset[str]
    invalid: frozenset[str] = field(default_factory=frozenset)
    satisfied: bool = False

    def summary(self, policy: Policy) -> str:
        got = ", ".join(sorted(self.cosigned)) or "none"
        verdict = "quorum met" if self.satisfied else "QUORUM NOT MET"
        bad = f"; cosignatures that do not verify: {', '.join(sorted(self.invalid))}"
        return (
            f"{self.checkpoint.origin} size {self.checkpoint.size}: {verdict} "
            f"(required {policy.describe()}; cosigned by {got}"
            f"{bad if self.invalid else ''})"
        )


# --- parsing ------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_POLICY_SIZE:
        raise PolicyError(0, f"policy file over {MAX_POLICY_SIZE} bytes")
    if (bad := _CONTROL.search(data)) is not None:
        line = data.count(b"\n", 0, bad.start()) + 1
        raise PolicyError(line, f"control character 0x{bad[0][0]:02x} is not allowed")
    return data.decode("utf-8", "surrogateescape")


def _fields(line: str) -> list[str]:
    out: list[str] = []
    for chunk in line.split(" "):
        out.extend(p for p in chunk.split("\t") if p)
    return out


def _log_key(text: str, n: int) -> Verifier:
    try:
        _, _, alg, _ = parse_verifier_key(text)
        if alg != ALG_ED25519:
            raise PolicyError(n, f"log key type 0x{alg:02x} is not supported (Ed25519 0x01)")
        return Verifier.from_text(text)
    except (FormatError, ValueError, UnicodeError) as exc:
        if isinstance(exc, PolicyError):
            raise
        raise PolicyError(n, f"bad log vkey: {exc}") from None


def _witness_key(text: str, n: int) -> CosignatureVerifier:
    try:
        _, _, alg, _ = parse_verifier_key(text)
        if alg != ALG_COSIGNATURE_V1:
            raise PolicyError(
                n, f"witness key type 0x{alg:02x} is not supported (cosignature/v1 0x04)"
            )
        return CosignatureVerifier.from_text(text)
    except (FormatError, ValueError, UnicodeError) as exc:
        if isinstance(exc, PolicyError):
            raise
        raise PolicyError(n, f"bad witness vkey: {exc}") from None


def _threshold(text: str, members: int, n: int) -> int:
    if text == "all":
        return members
    if text == "any":
        return 1
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise PolicyError(n, f"group threshold {text!r} is not all, any or a decimal number")
    k = int(text)
    if not 1 <= k <= members:
        raise PolicyError(n, f"group threshold {k} is not between 1 and {members} (its members)")
    return k


class _Parser:
    def __init__(self) -> None:
        self.logs: list[PolicyLog] = []
        self.witnesses: dict[str, PolicyWitness] = {}
        self.groups: dict[str, Group] = {}
        self.quorum: str | None = None
        self._log_keys: set[bytes] = set()
        self._witness_keys: set[bytes] = set()

    def _new_name(self, name: str, n: int) -> None:
        if name == NONE:
            raise PolicyError(n, "the name none is predefined")
        if name in self.witnesses or name in self.groups:
            raise PolicyError(n, f"name {name!r} is already defined")
        if len(self.witnesses) + len(self.groups) >= 2 * MAX_DEFINITIONS:
            raise PolicyError(n, "too many witnesses and groups")

    def line(self, items: list[str], n: int) -> None:
        keyword, args = items[0], items[1:]
        if keyword == "log":
            self._log(args, n)
        elif keyword == "witness":
            self._witness(args, n)
        elif keyword == "group":
            self._group(args, n)
        elif keyword == "quorum":
            self._quorum(args, n)
        else:
            raise PolicyError(n, f"unknown keyword {keyword!r}")

    def _log(self, args: list[str], n: int) -> None:
        if not 1 <= len(args) <= 2:
            raise PolicyError(n, "a log line is: log <vkey> [<url>]")
        verifier = _log_key(args[0], n)
        if verifier.public_key in self._log_keys:
            raise PolicyError(n, "duplicate log (the same public key is listed twice)")
        if len(self.logs) >= MAX_DEFINITIONS:
            raise PolicyError(n, "too many logs")
        self._log_keys.add(verifier.public_key)
        self.logs.append(PolicyLog(verifier, args[1] if len(args) == 2 else None))

    def _witness(self, args: list[str], n: int) -> None:
        if not 2 <= len(args) <= 3:
            raise PolicyError(n, "a witness line is: witness <name> <vkey> [<url>]")
        name = args[0]
        self._new_name(name, n)
        verifier = _witness_key(args[1], n)
        if verifier.public_key in self._witness_keys:
            raise PolicyError(n, "duplicate witness (the same public key is listed twice)")
        self._witness_keys.add(verifier.public_key)
        self.witnesses[name] = PolicyWitness(name, verifier, args[2] if len(args) == 3 else None)

    def _group(self, args: list[str], n: int) -> None:
        if len(args) < 3:
            raise PolicyError(n, "a group line is: group <name> all|any|<k> <name>...")
        name, k_text, members = args[0], args[1], args[2:]
        self._new_name(name, n)
        for m in members:
            if m == NONE:
                raise PolicyError(n, "none cannot be a group member")
            if m not in self.witnesses and m not in self.groups:
                raise PolicyError(n, f"group member {m!r} is not defined on an earlier line")
        if len(set(members)) != len(members):
            raise PolicyError(n, "a name is listed more than once in the group")
        self.groups[name] = Group(name, _threshold(k_text, len(members), n), tuple(members))

    def _quorum(self, args: list[str], n: int) -> None:
        if len(args) != 1:
            raise PolicyError(n, "a quorum line is: quorum <name>")
        if self.quorum is not None:
            raise PolicyError(n, "more than one quorum line")
        name = args[0]
        if name != NONE and name not in self.witnesses and name not in self.groups:
            raise PolicyError(n, f"quorum {name!r} is not defined on an earlier line")
        self.quorum = name


def parse_policy(data: bytes | str) -> Policy:
    """Parse a tlog-policy file; raises :class:`PolicyError`."""
    text = _decode(data)
    parser = _Parser()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, raw in enumerate(lines, start=1):
        stripped = raw.strip(_WHITESPACE)
        if not stripped or stripped.startswith("#"):
            continue
        parser.line(_fields(stripped), n)
    if parser.quorum is None:
        raise PolicyError(0, "the policy has no quorum line")
    return Policy(tuple(parser.logs), parser.witnesses, parser.groups, parser.quorum)


# --- checking a checkpoint -------------------------------------------------------------------


def check(policy: Policy, note: str | bytes | Note, *, origin: str | None = None) -> PolicyResult:
    """Verify ``note`` (a checkpoint with its cosignatures) against ``policy``.

    Raises :class:`VerificationError` when the note is malformed or not validly signed by one
    of the policy's logs (or its origin is not ``origin``). Otherwise returns the result,
    ``satisfied`` telling whether the quorum is met — the caller must refuse it when not.
    """
    # 1. Parse; the log's signature must verify, by a log key named after the origin.
    if isinstance(note, Note):
        parsed = note
    else:
        try:
            parsed = parse_note(note)
        except FormatError as exc:
            raise VerificationError(f"malformed note: {exc}") from exc
    try:
        checkpoint = Checkpoint.parse(parsed.text)
    except FormatError as exc:
        raise VerificationError(f"malformed checkpoint: {exc}") from exc
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    message = parsed.text.encode("utf-8")
    logs = {(lg.verifier.name, lg.verifier.key_id): lg for lg in policy.logs}
    log: PolicyLog | None = None
    for sig in parsed.signatures:
        candidate = logs.get((sig.name, sig.key_id))
        if candidate is None or candidate.origin != checkpoint.origin:
            continue
        if not candidate.verifier.verify(message, sig.signature):
            raise VerificationError(f"invalid log signature by {sig.name}+{sig.key_id:08x}")
        log = candidate
    if log is None:
        raise VerificationError(
            f"no valid signature by a log of the policy for origin {checkpoint.origin!r}"
        )
    # 2. Each listed witness's cosignature: counted once; unknown keys ignored; a cosignature
    #    that does not verify is reported, never counted.
    by_key = {(w.verifier.name, w.verifier.key_id): w for w in policy.witnesses.values()}
    cosigned: set[str] = set()
    invalid: set[str] = set()
    for sig in parsed.signatures:
        witness = by_key.get((sig.name, sig.key_id))
        if witness is None or witness.name in cosigned:
            continue
        if witness.verifier.verify(message, sig.signature):
            cosigned.add(witness.name)
        else:
            invalid.add(witness.name)
    # 3. The quorum.
    return PolicyResult(
        checkpoint,
        log,
        frozenset(cosigned),
        frozenset(invalid - cosigned),
        policy.witnessed(cosigned),
    )


# --- a policy from the trust list -----------------------------------------------------------

LISTED_GROUP = "registries"


def policy_text_from_registries(registries: Sequence[tuple[str, str, str]], k: int) -> str:
    """A tlog-policy over the listed registries: every registry's log, every registry's witness
    (named by its agency code) and the quorum "``k`` of them all". ``registries`` holds (agency
    code, log vkey, witness vkey). A registry never cosigns its own log, so for any one log
    this asks ``k`` of the *other* registries. Raises :class:`PolicyError` when ``k`` is not
    between 1 and the number of registries."""
    if not 1 <= k <= len(registries):
        raise PolicyError(
            0, f"quorum {k} is not between 1 and the {len(registries)} registries on the list"
        )
    lines = ["# generated from the trust list in force"]
    lines += [f"log {log}" for _, log, _ in registries]
    lines += [f"witness {code} {witness}" for code, _, witness in registries]
    lines.append(f"group {LISTED_GROUP} {k} " + " ".join(code for code, _, _ in registries))
    lines.append(f"quorum {LISTED_GROUP}")
    return "\n".join(lines) + "\n"
