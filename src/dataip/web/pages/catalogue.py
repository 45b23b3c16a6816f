"""Catalogue metadata on the portal's pages (issue 24 §4): a registration's JSON-LD for its
page's head."""

from __future__ import annotations

import json

from markupsafe import Markup

from dataip.services.catalogue import metadata
from dataip.services.context import Env


def jsonld_script(env: Env, number: str) -> Markup:
    """The registration's JSON-LD, safe inside `<script type="application/ld+json">`: `<`, `>`
    and `&` written as JSON escapes, so no text in it can close the element (a data block is
    not run, so the page's CSP, which allows no inline script, does not refuse it)."""
    text = json.dumps(metadata.registration_jsonld(env=env, number=number), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    return Markup(text)
