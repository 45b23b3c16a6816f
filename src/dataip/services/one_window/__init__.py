"""One window (一窗受理, issue 24 §2, R31, BJ§1): one combined filing for data IP and data
property registration — the shared parts filled once, one application per register chosen,
each under its own register's procedure, one dossier that shows both, and certificates that
name each other.

* :mod:`.links` — the sibling application and registration (reads).
* :mod:`.siblings` — the certificate version naming the sibling once both are registered.
* :mod:`.dossiers` — filing, submitting and reading a dossier.
"""
