"""Federation use cases (issue 21): the trust list this registry follows (fetch, verify,
cache in the database, refuse what is expired, unsigned, tampered or rolled back), this
registry's own entry for the list operator, and the C2SP tlog-witness that cosigns the
listed peers' checkpoints. The formats and rules are in :mod:`dataip.federation`."""

from dataip.services.federation.setup import FederationSetup

__all__ = ["FederationSetup"]
