"""Federation (issue 21, R24/R25; DESIGN §10): registries that recognise and watch each other.

The pure part — formats and rules, no storage, no HTTP (mypy strict):

* :mod:`~dataip.federation.trust_list` — the operator-signed list of registries (信任列表):
  its model, its C2SP signed-note codec (decision 0012) and the checks a registry applies
  before trusting a list (operator key, validity period, no roll-back);
* :mod:`~dataip.federation.witness` — the C2SP tlog-witness ``add-checkpoint`` wire format and
  the witness's consistency rule (never cosign two views of one log).

Storage and HTTP live in ``dataip.services.federation``, ``dataip.db`` and ``dataip.web``.
"""
