"""Operating a registry (issue 25 §5): what the backup-and-restore drill checks on a restored
registry — its log extends the checkpoint taken with the backup (the RFC 6962 consistency a
monitor checks, computed from the restored tiles), and the certificates it issued verify with
the restored keys."""

from dataip.services.operations.backup import (
    IssuedCertificate,
    check_extends,
    issued_certificates,
    log_state,
)

__all__ = ["IssuedCertificate", "check_extends", "issued_certificates", "log_state"]
