"""Forwarding a register's filings to the body that decides them (issue 24 §1, R31).

Binjiang's reply (BJ§1) says Hangzhou's data exchange (杭州数据交易所), guided by the city's data
resources bureau, issues the data property certificates, while the one-window desk takes the
filings. Where a deployment's data property profile says `authority.mode = "forward"`, this
registry takes and checks the filing, posts it to that body and follows its state; the body's
decisions are applied through the same transition table, as the `authority` actor.

* :mod:`.ports` — the `PropertyAuthority` port and what crosses it (`Filing`, `RemoteState`).
* :mod:`.adapters` — `LocalAuthority` (this registry decides) and `HttpAuthority` (another
  body's HTTP endpoint).
* :mod:`.forwarding` — `forward` (submitted filings not yet forwarded) and `follow` (apply
  what the body decided).
"""
