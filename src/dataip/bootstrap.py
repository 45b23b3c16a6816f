"""Composition root: the only place that turns settings into engine, unit of work, clock."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import argon2
from argon2 import PasswordHasher

from dataip.certs.keys import IssuerKey
from dataip.certs.sm2 import Sm2Key
from dataip.config import Settings, load_profile
from dataip.db.blobstore import open_store
from dataip.db.locks import database_lock, file_lock
from dataip.db.migrate import upgrade
from dataip.db.uow import make_engine, make_uow_factory
from dataip.domain.errors import DomainError
from dataip.federation.policy import Policy, PolicyError, parse_policy
from dataip.ledger.cosignature import CosignatureSigner
from dataip.ledger.errors import FormatError
from dataip.ledger.note import Signer, Verifier
from dataip.screening import SAMPLE_LIMITS
from dataip.screening.sandbox import Budget
from dataip.services.blobstore import ContentStore, ObjectStore
from dataip.services.certificates import CertificateKeys
from dataip.services.context import SHANGHAI, Env, FixedClock, SystemClock
from dataip.services.federation import FederationSetup
from dataip.services.ledger import LogKeys, stage_missing
from dataip.services.log_static import BlobStaticStore, FolderStore, StaticStore
from dataip.services.login_throttle import LoginPolicy
from dataip.services.reference import calendar_from_db, calendar_generation, load_industries
from dataip.services.screening_worker import ScreeningSetup


class ConfigurationError(Exception):
    pass


@dataclass
class Registry:
    settings: Settings
    env: Env
    engine: Any
    log_keys: LogKeys
    reader_engine: Any = None
    # The log's static face (issue 25 §3): where the integrator also writes tiles and the
    # checkpoint (DATAIP_LOG_STATIC_DIR or _STORE); None: only the application serves /log/.
    log_static: StaticStore | None = None

    @property
    def database_label(self) -> str:
        """The database URL with any password hidden, for messages and logs."""
        return str(self.engine.url.render_as_string(hide_password=True))

    def dispose(self) -> None:
        if isinstance(self.env.screening, ScreeningSetup):
            self.env.screening.close()  # the sandbox processes
        self.engine.dispose()
        if self.reader_engine is not None and self.reader_engine is not self.engine:
            self.reader_engine.dispose()


def make_clock(settings: Settings) -> SystemClock | FixedClock:
    if settings.now is None:
        return SystemClock()
    # DATAIP_NOW is for tests and demos: a production registry must run on real time.
    if settings.env == "production":
        raise ConfigurationError("DATAIP_NOW is refused when DATAIP_ENV=production")
    now = settings.now if settings.now.tzinfo else settings.now.replace(tzinfo=SHANGHAI)
    return FixedClock(now)


def password_hasher(settings: Settings) -> PasswordHasher:
    """argon2id at the settings' cost; the test profile is refused in production."""
    if settings.password_cost == "standard":
        return PasswordHasher()
    if settings.env == "production":
        raise ConfigurationError("DATAIP_PASSWORD_COST=test is refused when DATAIP_ENV=production")
    return PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)


def load_log_keys(settings: Settings) -> LogKeys:
    """The log's signing key, made on first use (file mode 0600) and kept under data_dir.

    The key's name is the log's origin (C2SP tlog-checkpoint); a key made for another origin
    is refused rather than silently signing checkpoints nobody's verifier will accept.
    """
    origin = settings.resolved_log_origin()
    path = settings.resolved_log_key_file()
    if path.exists():
        try:
            signer = Signer.from_text(path.read_text("ascii").strip())
        except (FormatError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigurationError(f"log signing key {path} is not a signer key: {exc}") from exc
        if signer.name != origin:
            hint = ""
            if settings.public_base_url_derived and not settings.log_origin:
                # the address came from --host/--port: the data dir's registry lives elsewhere
                hint = (
                    f" — this data dir's registry is at http://{signer.name.removesuffix('/log')}:"
                    " serve it there, set DATAIP_PUBLIC_BASE_URL to that address, or use"
                    " another DATAIP_DATA_DIR for a registry at the new one"
                )
            raise ConfigurationError(
                f"log signing key {path} is for origin {signer.name!r}, not {origin!r}:"
                " set DATAIP_LOG_ORIGIN to the key's origin, or move the key away to make a"
                " new one (monitors and witnesses will then see a new log)" + hint
            )
        return LogKeys(origin, signer)
    signer = Signer.generate(origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.to_text() + "\n")
    return LogKeys(origin, signer)


def load_witness_key(settings: Settings) -> CosignatureSigner:
    """The witness's cosigner key (C2SP tlog-cosignature, Ed25519), made on first use (0600)
    under data_dir like the log key; a key made under another name is refused."""
    name = settings.resolved_witness_name()
    path = settings.resolved_witness_key_file()
    if path.exists():
        try:
            signer = CosignatureSigner.from_text(path.read_text("ascii").strip())
        except (FormatError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigurationError(f"witness key {path} is not a cosigner key: {exc}") from exc
        if signer.name != name:
            raise ConfigurationError(
                f"witness key {path} is named {signer.name!r}, not {name!r}: set "
                "DATAIP_WITNESS_NAME to the key's name, or move the key away to make a new one"
            )
        return signer
    signer = CosignatureSigner.generate(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(path, (signer.to_text() + "\n").encode("ascii"))
    return signer


def federation_setup(settings: Settings) -> FederationSetup:
    """Issue 21: the trust list's URL and operator key(s), and the witness key."""
    try:
        operators = tuple(Verifier.from_text(k) for k in settings.federation_operator_key.split())
    except (FormatError, ValueError) as exc:
        raise ConfigurationError(f"DATAIP_FEDERATION_OPERATOR_KEY: {exc}") from exc
    return FederationSetup(
        list_url=settings.federation_list_url,
        operator_keys=operators,
        witness=load_witness_key(settings),
        fetch_timeout=settings.federation_fetch_timeout_seconds,
        status_max_age=settings.federation_status_max_age_seconds,
        push_max_backoff=settings.witness_push_max_backoff_seconds,
        peer_client_key_file=settings.resolved_peer_client_key_file(),
        policy=_witness_policy(settings),
        policy_quorum=settings.witness_policy_quorum,
    )


def _witness_policy(settings: Settings) -> Policy | None:
    """DATAIP_WITNESS_POLICY_FILE, read once at start: a file that breaks tlog-policy stops
    the registry (rather than verifications quietly reporting no policy)."""
    path = settings.witness_policy_file
    if path is None:
        return None
    if settings.witness_policy_quorum:
        raise ConfigurationError(
            "set DATAIP_WITNESS_POLICY_FILE or DATAIP_WITNESS_POLICY_QUORUM, not both"
        )
    try:
        return parse_policy(path.read_bytes())
    except OSError as exc:
        raise ConfigurationError(f"DATAIP_WITNESS_POLICY_FILE {path}: {exc}") from exc
    except PolicyError as exc:
        raise ConfigurationError(
            f"DATAIP_WITNESS_POLICY_FILE {path} is not a valid tlog-policy: {exc}"
        ) from exc


def load_certificate_keys(
    settings: Settings, profile: Any, log_keys: LogKeys | None = None
) -> CertificateKeys:
    """The issuer keys (Ed25519 PEM files, 0600) under the key directory, the first made on
    first use; the active one is named in `active`. Every key stays, so what an older key
    signed keeps verifying after `dataip keys rotate`."""
    if os.environ.get("DATAIP_TRUSTED_ISSUERS_FILE"):
        # replaced by the trust list (issue 21 §2): refused rather than silently ignored, so
        # that a registry that trusted issuers by hand learns why their certificates stop
        # verifying here
        raise ConfigurationError(
            "DATAIP_TRUSTED_ISSUERS_FILE is no longer read: other registries are recognised "
            "through the trust list (DATAIP_FEDERATION_LIST_URL, DATAIP_FEDERATION_OPERATOR_KEY; "
            "docs/federation.md). Unset it."
        )
    directory = settings.resolved_certificate_key_dir()
    if not directory.exists() or not any(directory.glob("*.pem")):
        rotate_certificate_key(directory)
    own: dict[str, IssuerKey] = {}
    for path in sorted(directory.glob("*.pem")):
        try:
            key = IssuerKey.from_pem(path.read_bytes())
        except (ValueError, DomainError) as exc:
            raise ConfigurationError(
                f"certificate key {path} is not an Ed25519 key: {exc}"
            ) from exc
        own[key.kid] = key
    active_file = directory / "active"
    active = active_file.read_text("ascii").strip() if active_file.exists() else ""
    if active not in own:
        raise ConfigurationError(
            f"{active_file} names {active!r}, which is not one of the keys in {directory}"
        )
    sm2_own, sm2_active = _load_sm2_keys(directory)
    return CertificateKeys(
        issuer_id=settings.issuer_id,
        issuer_name=profile.registry_name_zh,
        active=own[active],
        own=own,
        sm2=sm2_own[sm2_active],
        sm2_own=sm2_own,
        log=log_keys.verifier if log_keys is not None else None,
    )


def _load_sm2_keys(directory: Path) -> tuple[dict[str, Sm2Key], str]:
    """SM2 keys (`sm2-<kid>.key`, hex, 0600) beside the Ed25519 ones; `sm2-active` names the
    one that co-signs. Made on first use, like the Ed25519 key."""
    if not any(directory.glob("sm2-*.key")):
        rotate_sm2_key(directory)
    own: dict[str, Sm2Key] = {}
    for path in sorted(directory.glob("sm2-*.key")):
        try:
            key = Sm2Key.from_private_hex(path.read_text("ascii"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"SM2 key {path} is not an SM2 private key: {exc}") from exc
        own[key.kid] = key
    active_file = directory / "sm2-active"
    active = active_file.read_text("ascii").strip() if active_file.exists() else ""
    if active not in own:
        raise ConfigurationError(f"{active_file} names {active!r}, not one of the SM2 keys")
    return own, active


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _set_active(directory: Path, name: str, kid: str) -> None:
    tmp = directory / f"{name}.tmp"
    tmp.write_text(kid + "\n", "ascii")
    tmp.replace(directory / name)


def rotate_sm2_key(directory: Path) -> Sm2Key:
    """Make a new SM2 key (0600) and make it the co-signing one."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Sm2Key.generate()
    _write_secret(directory / f"sm2-{key.kid}.key", (key.private_hex() + "\n").encode())
    _set_active(directory, "sm2-active", key.kid)
    return key


def rotate_certificate_key(directory: Path, *, activate: bool = True) -> IssuerKey:
    """Make a new issuer key (file mode 0600) and make it the active one — or, with
    ``activate=False``, only stage it: every process that loads the directory publishes it in
    the JWKS, none signs with it until :func:`activate_certificate_key`."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = IssuerKey.generate()
    _write_secret(directory / f"{key.kid}.pem", key.private_pem())
    if activate or not (directory / "active").exists():
        _set_active(directory, "active", key.kid)
    return key


def activate_certificate_key(directory: Path, kid: str) -> None:
    """Sign with the key `kid` (one of the directory's) from the next start on."""
    if not (directory / f"{kid}.pem").is_file():
        raise ConfigurationError(f"no certificate key {kid!r} in {directory}")
    _set_active(directory, "active", kid)


def make_reader_engine(url: str, engine: Any, *, max_overflow: int = 20) -> Any:
    """Where read-only units of work run. On PostgreSQL a second, small pool whose
    connections are in autocommit: a proof's two queries then cost two round trips, not four
    (BEGIN and ROLLBACK); what they read is append-only or versioned, so statement snapshots
    suffice. SQLite reads share the engine (WAL readers take no lock)."""
    if engine.dialect.name == "sqlite":
        return engine
    return make_engine(url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=max_overflow)


def screening_setup(settings: Settings) -> ScreeningSetup:
    """Issue 18: the caps and budgets of sample screening, from the settings."""
    try:
        limits = replace(
            SAMPLE_LIMITS,
            max_bytes=settings.screening_max_bytes,
            max_document_bytes=min(SAMPLE_LIMITS.max_document_bytes, settings.screening_max_bytes),
            max_rows=settings.screening_max_rows,
            max_columns=settings.screening_max_columns,
            max_cells=settings.screening_max_cells,
        )
        budget = Budget(
            cpu_seconds=settings.screening_cpu_seconds,
            memory_bytes=settings.screening_memory_bytes,
        )
    except ValueError as exc:
        raise ConfigurationError(f"DATAIP_SCREENING_*: {exc}") from exc
    if settings.screening_workers < 0 or settings.screening_submit_wait_seconds < 0:
        raise ConfigurationError("DATAIP_SCREENING_WORKERS and _SUBMIT_WAIT_SECONDS are ≥ 0")
    return ScreeningSetup(
        limits=limits,
        budget=budget,
        workers=settings.screening_workers,
        submit_wait_seconds=settings.screening_submit_wait_seconds,
    )


def register_profiles(settings: Settings) -> dict[str, Any]:
    """Issue 24 §1 (R31): the data property register's profile, when this deployment keeps
    one (DATAIP_PROPERTY_PROFILE; empty: none)."""
    if not settings.property_profile:
        return {}
    profile = load_profile(settings.property_profile)
    if profile.register == "data_ip":
        raise ValueError("DATAIP_PROPERTY_PROFILE names a data IP profile")
    return {profile.register: profile}


def property_authority(settings: Settings) -> Any:
    """Issue 24 §1: the data property authority's HTTP endpoint, when its profile forwards
    (DATAIP_PROPERTY_AUTHORITY_URL); none: this registry decides (`LocalAuthority`)."""
    if not settings.property_authority_url:
        return None
    from dataip.services.property_authority.adapters import HttpAuthority

    return HttpAuthority(settings.property_authority_url)


def build(settings: Settings | None = None, *, clock: Any = None) -> Registry:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    engine = make_engine(
        url, pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow
    )
    uow = make_uow_factory(engine)
    reader_engine = make_reader_engine(url, engine, max_overflow=settings.database_max_overflow)
    reader = make_uow_factory(reader_engine, readonly=True)
    profile = load_profile(settings.profile)
    clock = clock or make_clock(settings)
    # Keys are made on first use: the lock keeps two processes starting on one data directory
    # from each making its own (each would then sign with a key the other does not know)
    with file_lock(settings.data_dir / ".keys.lock"):
        log_keys = load_log_keys(settings)
        certificate_keys = load_certificate_keys(settings, profile, log_keys)
        federation = federation_setup(settings)
    env = Env(
        uow=uow,
        clock=clock,
        profile=profile,
        blobs=open_blob_store(settings, settings.blob_store, engine=engine, clock=clock),
        calendar_loader=lambda: calendar_from_db(reader),
        calendar_version=lambda: calendar_generation(reader),
        max_blob_bytes=settings.max_blob_bytes,
        statistics_min_interval=settings.statistics_min_interval_seconds,
        reader=reader,
        certificate_keys=certificate_keys,
        password_hasher=password_hasher(settings),
        login_policy=LoginPolicy(
            per_pair=settings.login_max_failures,
            per_account=settings.login_max_failures_per_account,
            per_address=settings.login_max_failures_per_address,
            window_seconds=settings.login_window_seconds,
        ),
        screening=screening_setup(settings),
        federation=federation,
        registers=register_profiles(settings),
        property_authority=property_authority(settings),
    )
    return Registry(
        settings=settings,
        env=env,
        engine=engine,
        log_keys=log_keys,
        reader_engine=reader_engine,
        log_static=open_log_static(settings, engine=engine, clock=clock),
    )


def open_blob_store(
    settings: Settings, spec: str, *, engine: Any = None, clock: Any = None
) -> ContentStore:
    """The blob store `spec` names (DATAIP_BLOB_STORE, `dataip blobs copy --from/--to`):
    see `db.blobstore.open_store`. A spec it does not know is a configuration error."""
    return ContentStore(_objects(settings, spec, "DATAIP_BLOB_STORE", engine=engine, clock=clock))


def _objects(
    settings: Settings,
    spec: str,
    setting: str,
    *,
    engine: Any = None,
    clock: Any = None,
    file_mode: int = 0o600,
) -> ObjectStore:
    """The object store `spec` names (`db.blobstore.open_store`); a spec it does not know is a
    configuration error naming `setting`."""
    clock = clock or SystemClock()
    try:
        return open_store(
            spec,
            data_dir=settings.data_dir,
            registry_url=settings.resolved_database_url(),
            registry_engine=engine,
            now=lambda: clock.now(),
            file_mode=file_mode,
        )
    except ValueError as exc:
        raise ConfigurationError(f"{setting}: {exc}") from exc


def open_log_static(
    settings: Settings, *, engine: Any = None, clock: Any = None
) -> StaticStore | None:
    """Where the integrator also writes the log's static face (issue 25 §3):
    DATAIP_LOG_STATIC_DIR (a folder) or DATAIP_LOG_STATIC_STORE (a blob store), or None."""
    if settings.log_static_dir and settings.log_static_store.strip():
        raise ConfigurationError(
            "DATAIP_LOG_STATIC_DIR and DATAIP_LOG_STATIC_STORE: set one of them, not both"
        )
    if settings.log_static_dir:
        return FolderStore(settings.log_static_dir)
    if settings.log_static_store.strip():
        return open_static_store(settings, settings.log_static_store, engine=engine, clock=clock)
    return None


def open_static_store(
    settings: Settings, spec: str, *, engine: Any = None, clock: Any = None
) -> BlobStaticStore:
    """The log's static face as objects under `log/` of the blob store `spec` names
    (DATAIP_LOG_STATIC_STORE; `dataip log export-static --store`, `log audit --from-store`);
    a local folder's files are world-readable (0644), for a web server to serve."""
    objects = _objects(
        settings, spec, "DATAIP_LOG_STATIC_STORE", engine=engine, clock=clock, file_mode=0o644
    )
    return BlobStaticStore(objects)


def init_database(registry: Registry) -> dict[str, int]:
    """Create or migrate the schema, and load the shipped industry table when empty. Several
    processes starting at once (`serve` on several machines) take turns: the first migrates
    and loads, the others find it done."""
    url = registry.settings.resolved_database_url()
    with database_lock(url, "init"):
        upgrade(url)
        with registry.env.uow() as uow:
            have = uow.industries.count()
        loaded = 0
        if have == 0:
            from dataip.services.context import SYSTEM

            loaded = load_industries(SYSTEM, env=registry.env)
        staged = stage_missing(registry.env)
    return {"industries_loaded": loaded, "log_leaves_staged": staged}


def parse_now(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=SHANGHAI)
