"""Settings (DATAIP_* environment variables) and jurisdiction-profile loading.

Read once, in `bootstrap`, and passed down; nothing deeper reads the environment.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dataip.domain.procedural_requests import FAST_TRACK_GROUNDS
from dataip.domain.profile import (
    AUTHORITIES,
    DEFAULT_FAST_TRACK_GROUNDS,
    EXAMINATION_STARTS,
    OPTIONAL_PERIODS,
    PERIOD_KEYS,
    Period,
    Profile,
)
from dataip.domain.registers import REGISTERS
from dataip.screening import SAMPLE_LIMITS
from dataip.screening.sandbox import Budget
from dataip.value.hotness import policy_from_table as hotness_policy

SHIPPED_PROFILES = ("guizhou-2024", "beijing-3y", "hangzhou-property-2025")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATAIP_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite at <data_dir>/dataip.sqlite3
    # PostgreSQL connections each server process may hold (docs/operations.md, production
    # checklist): its writers' pool and the overflow beyond it; its readers' pool is 5 plus the
    # same overflow. Per process at most pool + 2 × overflow + 5 (55 by default), and
    # PostgreSQL's own default max_connections is 100: size one against the other.
    database_pool_size: int = Field(default=10, ge=1, le=500)
    database_max_overflow: int = Field(default=20, ge=0, le=500)
    profile: str = "guizhou-2024"  # a shipped profile id or a path to a TOML file
    # issue 24 §1 (R31): the data property register's profile (a shipped id or a TOML path;
    # empty: this deployment keeps no data property register), and, when that profile's
    # authority is another body ("forward"), the base URL its filings are posted to
    property_profile: str = "hangzhou-property-2025"
    property_authority_url: str = ""
    now: datetime | None = None  # injectable clock for tests and demos; refused in production
    # Where people reach the registry: certificates, QR codes, status lists and the log's
    # origin carry it. Empty: derived from the bind address (host, port) — see bind_url.
    public_base_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    # Server processes of `dataip serve` on the one socket (docs/operations.md: several
    # processes, several machines)
    workers: int = Field(default=1, ge=1, le=64)
    max_blob_bytes: int = 20 * 1024 * 1024
    # How old the home page's figures may be once the register has changed (issue 25: at a
    # million registrations one computation is ~0.6 s of the database's time, and every write
    # moved them): within this many seconds of the last computation a process shows those
    # figures; 0 recomputes after every change (the tests)
    statistics_min_interval_seconds: float = Field(default=5.0, ge=0, le=3600)
    # Where uploaded files live (issue 25 §2, docs/operations.md "Blob storage"): `local`
    # (<data_dir>/blobs, one machine), `local:PATH`, `database` (the registry's database —
    # shared by every server when it is PostgreSQL) or a database URL of their own.
    blob_store: str = "local"
    max_request_bytes: int = 25 * 1024 * 1024
    token_ttl_hours: int = 24 * 7
    log_level: str = "INFO"
    # Transparency log: origin line of its checkpoints (default: public base URL host and
    # path + "/log"), the Ed25519 signing key file (created by `dataip init`), and how often
    # the server's integrator publishes a checkpoint (0: never; run `dataip log integrate`).
    log_origin: str = ""
    log_key_file: Path | None = None
    log_interval_seconds: float = 1.0
    # The log's static face (issue 25 §3): a folder the integrator also writes the tiles,
    # entry bundles and checkpoint to, laid out as the /log/ URLs, for a static web server or
    # a CDN to serve (docs/operations.md). Empty: only the application serves /log/.
    log_static_dir: Path | None = None
    # …or a blob store (DATAIP_BLOB_STORE's values: `database`, a database URL, `local:PATH`)
    # the integrator writes them to as objects under `log/` (one of the two, not both).
    log_static_store: str = ""
    # Certificates: the issuer keys' directory (Ed25519 PEM files, 0600, made on first use;
    # `dataip keys rotate` adds one). Other registries' keys come from the trust list
    # (issue 21 §2; the former DATAIP_TRUSTED_ISSUERS_FILE is refused at start-up).
    certificate_key_dir: Path | None = None
    # argon2id cost of password hashes: "standard" (RFC 9106 low-memory: 64 MiB, 3 passes,
    # about 0.3 s a login here) or "test" (argon2-cffi's CHEAPEST profile, for test suites
    # that sign up thousands of accounts; refused in production). Hashes made under one are
    # re-made under the other at the next login.
    password_cost: Literal["standard", "test"] = "standard"
    # The sign-in throttle shared by the API and the portal (services/login_throttle.py):
    # failed sign-ins allowed per account and client address, per account from anywhere and
    # per address across accounts within the window; 0 turns a limit off.
    login_max_failures: int = Field(default=5, ge=0)
    login_max_failures_per_account: int = Field(default=20, ge=0)
    login_max_failures_per_address: int = Field(default=100, ge=0)
    login_window_seconds: int = Field(default=900, ge=1, le=86_400)
    # Sample screening (issue 18; docs/operations.md has the table): caps that fit a sample,
    # the budget of the sandboxed process that screens one file, how many files a server
    # screens at once (0: none — run `dataip tick`), how long a submission waits for them.
    screening_max_bytes: int = SAMPLE_LIMITS.max_bytes
    screening_max_rows: int = SAMPLE_LIMITS.max_rows
    screening_max_columns: int = SAMPLE_LIMITS.max_columns
    screening_max_cells: int = SAMPLE_LIMITS.max_cells
    screening_cpu_seconds: int = Budget.cpu_seconds
    screening_memory_bytes: int = Budget.memory_bytes
    screening_workers: int = 1
    screening_submit_wait_seconds: float = 5.0
    # Webhooks (issue 20 §5; docs/operations.md): whether the server runs a delivery worker
    # (0: none — run `dataip webhooks deliver` or `dataip tick`), the timeout of one
    # attempt, how many POSTs a worker has in flight at once and of them at most how many
    # to one subscription; whether URLs may name loopback, private, link-local or other
    # non-public addresses and plain http (off: refused at subscription and at delivery —
    # on for tests and receivers on premises); how long settled messages and the delivery
    # log are kept (replay from the feed works beyond it).
    webhook_workers: int = Field(default=1, ge=0, le=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_concurrency: int = Field(default=64, ge=1, le=1024)
    webhook_per_subscription: int = Field(default=8, ge=1, le=256)
    webhook_allow_private_urls: bool = False
    webhook_retention_days: int = Field(default=30, ge=2, le=3650)

    # Federation (issue 21, docs/federation.md): where the trust list is fetched, the list
    # operator's verifier key(s) (C2SP vkeys, space-separated while the operator rotates),
    # and this registry's witness: its cosigner key file (made on first use, 0600) and name
    # (default: the log origin with `/witness` for its final `/log`).
    federation_list_url: str = ""
    federation_operator_key: str = ""
    witness_key_file: Path | None = None
    witness_name: str = ""
    # Foreign certificates' status lists (issue 21 §2): fetched again once this old; older
    # answers read "status as of <fetch time>". Fetch timeout for them and for witnesses.
    federation_status_max_age_seconds: int = Field(default=600, ge=0, le=7 * 86_400)
    federation_fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Pushing this registry's checkpoints to its peers' witnesses (issue 21 §3): the longest
    # wait after failures (the backoff doubles from the log interval up to this).
    witness_push_max_backoff_seconds: int = Field(default=3600, ge=1, le=86_400)
    # Following the peers' event feeds (issue 21 §5): this registry's private_key_jwt client
    # key (ES256 JWK, made on first use, 0600) with which it asks each peer for a token.
    peer_client_key_file: Path | None = None
    # The witness policy that `POST /certificates/verify` and /verify report on (issue 21 §4,
    # docs/federation.md): a C2SP tlog-policy file, or "k of the registries on the trust list
    # in force" (0: none). Not both.
    witness_policy_file: Path | None = None
    witness_policy_quorum: int = Field(default=0, ge=0, le=1000)

    _public_base_url_derived: bool = PrivateAttr(default=False)

    @field_validator("now", mode="before")
    @classmethod
    def _empty_now(cls, v: Any) -> Any:
        return None if v in ("", None) else v

    @model_validator(mode="after")
    def _derive_public_base_url(self) -> Settings:
        if not self.public_base_url:
            self._public_base_url_derived = True
            self.public_base_url = bind_url(self.host, self.port)
        return self

    @property
    def public_base_url_derived(self) -> bool:
        """True when DATAIP_PUBLIC_BASE_URL was not set and the URL follows host and port."""
        return self._public_base_url_derived

    def bound_to(self, host: str | None = None, port: int | None = None) -> Settings:
        """These settings serving on host:port (`dataip serve --host --port`): the public base
        URL — and the log origin with it — follows the bind address unless it was set."""
        host, port = host or self.host, port or self.port
        update: dict[str, Any] = {"host": host, "port": port}
        if self._public_base_url_derived:
            update["public_base_url"] = bind_url(host, port)
        return self.model_copy(update=update)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dataip.sqlite3').as_posix()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def resolved_log_origin(self) -> str:
        """The checkpoint origin: schema-less, like `registry.example.cn/log` (C2SP)."""
        if self.log_origin:
            return self.log_origin
        base = self.public_base_url.split("://", 1)[-1].rstrip("/")
        return f"{base}/log"

    def resolved_log_key_file(self) -> Path:
        return self.log_key_file or self.data_dir / "log-signing.key"

    def resolved_witness_name(self) -> str:
        """The witness's key name: schema-less, like `registry.example.cn/witness`."""
        if self.witness_name:
            return self.witness_name
        # Follows the log's origin, so the witness is renamed only when the log is (and the
        # log key's check, which comes first, explains that case).
        origin = self.resolved_log_origin()
        return f"{origin.removesuffix('/log')}/witness"

    def resolved_witness_key_file(self) -> Path:
        return self.witness_key_file or self.data_dir / "witness-cosigner.key"

    def resolved_peer_client_key_file(self) -> Path:
        return self.peer_client_key_file or self.data_dir / "peer-client.jwk"

    def resolved_certificate_key_dir(self) -> Path:
        return self.certificate_key_dir or self.data_dir / "certificate-keys"

    @property
    def issuer_id(self) -> str:
        """The certificates' issuer: the registry's public base URL."""
        return self.public_base_url.rstrip("/")


WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


def bind_url(host: str, port: int) -> str:
    """The URL a server bound to host:port is reached at from this machine: a wildcard bind
    (every interface) is reached at the loopback address; an IPv6 literal is bracketed."""
    if host in WILDCARD_HOSTS:
        host = "[::1]" if ":" in host else "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}" + ("" if port == 80 else f":{port}")


def load_profile(ref: str) -> Profile:
    """Load a shipped profile by id, or a TOML file by path."""
    if ref in SHIPPED_PROFILES:
        text = resources.files("dataip.profiles").joinpath(f"{ref}.toml").read_text("utf-8")
    else:
        text = Path(ref).read_text("utf-8")
    return profile_from_toml(text)


def profile_from_toml(text: str) -> Profile:
    raw = tomllib.loads(text)
    periods_raw = raw.get("periods", {})
    missing = [k for k in PERIOD_KEYS if k not in periods_raw]
    if missing:
        raise ValueError(f"profile {raw.get('id')!r} lacks periods: {', '.join(missing)}")
    periods = {}
    for key, spec in periods_raw.items():
        unit = spec.get("unit", "working_days")
        if unit not in ("working_days", "calendar_days") or int(spec["days"]) < 0:
            raise ValueError(f"profile period {key!r} is invalid: {spec!r}")
        periods[key] = Period(days=int(spec["days"]), unit=unit)
    for key, (days, unit) in OPTIONAL_PERIODS.items():
        periods.setdefault(key, Period(days=days, unit=unit))
    procedure = raw.get("procedure", {})
    exam_starts = procedure.get("examination_starts", "materials_complete")
    if exam_starts not in EXAMINATION_STARTS:
        raise ValueError(
            f"procedure.examination_starts must be one of {', '.join(EXAMINATION_STARTS)}: "
            f"{exam_starts}"
        )
    grounds = tuple(procedure.get("fast_track_grounds", DEFAULT_FAST_TRACK_GROUNDS))
    unknown = [g for g in grounds if g not in FAST_TRACK_GROUNDS]
    if unknown or not grounds:
        raise ValueError(
            f"procedure.fast_track_grounds must name some of {', '.join(FAST_TRACK_GROUNDS)}"
        )
    validity = raw.get("validity", {})
    numbering = raw.get("numbering", {})
    starts = validity.get("starts", "registration_date")
    if starts not in ("registration_date", "announcement_date"):
        raise ValueError(
            f"validity.starts must be registration_date or announcement_date: {starts}"
        )
    code = str(raw["registry_code"])
    if len(code) != 4 or not code.isdigit():
        raise ValueError("registry_code must be 4 digits")
    register = raw.get("register", "data_ip")
    if register not in REGISTERS:
        raise ValueError(f"register must be one of {', '.join(REGISTERS)}: {register}")
    prefix = str(numbering.get("prefix", ""))
    if prefix and (len(prefix) != 2 or not prefix.isascii() or not prefix.isupper()):
        raise ValueError("numbering.prefix must be two capital letters")
    authority = raw.get("authority", {}).get("mode", "local")
    if authority not in AUTHORITIES:
        raise ValueError(f"authority.mode must be one of {', '.join(AUTHORITIES)}: {authority}")
    retention = raw.get("distribution", {}).get("retention_bp", 3000)
    if type(retention) is not int or not 0 <= retention <= 10_000:
        raise ValueError("distribution.retention_bp must be an integer 0–10000")
    return Profile(
        id=raw["id"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        registry_name_zh=raw["registry_name_zh"],
        registry_name_en=raw["registry_name_en"],
        registry_code=code,
        periods=periods,
        validity_years=int(validity.get("years", 2)),
        validity_starts=starts,
        agreement_end_caps=bool(validity.get("agreement_end_caps", True)),
        renewal_window_months=int(validity.get("renewal_window_months", 1)),
        auto_approve=bool(raw.get("approval", {}).get("auto_approve", False)),
        sm2_cosign=bool(raw.get("certificates", {}).get("sm2_cosign", False)),
        timezone=raw.get("timezone", "Asia/Shanghai"),
        examination_starts=exam_starts,
        fast_track_grounds=grounds,
        source_codes=dict(numbering.get("source_codes", {})),
        applicant_type_codes=dict(numbering.get("applicant_type_codes", {})),
        distribution_retention_bp=retention,
        hotness=_hotness(raw.get("hotness", {})),
        register=register,
        number_prefix=prefix,
        authority=authority,
    )


def _hotness(table: dict[str, Any]) -> dict[str, Any]:
    """The `[hotness]` table, checked now so that a bad profile fails at start (issue 22)."""
    hotness_policy(table)
    return dict(table)
