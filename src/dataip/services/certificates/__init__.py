"""Certificates (登记证书, G§17, R13, R24): one signed VC-JWT per certificate version, issued
in the transaction that makes the version (approval, change, renewal, transfer) and logged;
their current status; verification against this registry's keys and the issuers it trusts.

One module each: `keys` (this registry's keys, the trusted issuers), `issuance`, `reads`
(the certificate, its PDF and QR, status and status lists) and `verification`; the names
callers use are re-exported here.
"""

from dataip.services.certificates.issuance import attach_proofs, issue
from dataip.services.certificates.keys import (
    LOG_MEMBER,
    CertificateKeys,
    Trusted,
    TrustedIssuers,
    TrustedLogs,
    TrustedSm2,
    trusted_from_doc,
    trusted_from_json,
)
from dataip.services.certificates.reads import (
    STATUS_LABELS,
    STATUS_LIST_TTL,
    current,
    pdf,
    qr_credential,
    signed_status_list,
    status,
    status_list_url,
    status_of,
)
from dataip.services.certificates.verification import verify

__all__ = [
    "LOG_MEMBER",
    "STATUS_LABELS",
    "STATUS_LIST_TTL",
    "CertificateKeys",
    "Trusted",
    "TrustedIssuers",
    "TrustedLogs",
    "TrustedSm2",
    "attach_proofs",
    "current",
    "issue",
    "pdf",
    "qr_credential",
    "signed_status_list",
    "status",
    "status_list_url",
    "status_of",
    "trusted_from_doc",
    "trusted_from_json",
    "verify",
]
