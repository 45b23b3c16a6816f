"""Sharing's use cases (issue 20, R25; DESIGN §10): the event feed (:mod:`.feed`), webhook
subscriptions (:mod:`.subscriptions`) and their delivery (:mod:`.delivery`)."""
