"""The Chinese catalogue stays one entry per message: parallel branches merge into
messages.po, and a message given twice (perhaps with two translations) would show
whichever the reader happened to keep."""

from __future__ import annotations

from collections import Counter

from babel.messages.pofile import read_po

from dataip.web.pages.render import CATALOGUE


def test_every_message_is_translated_once() -> None:
    with CATALOGUE.open("rb") as f:
        ids = [m.id for m in read_po(f, abort_invalid=True) if m.id]
    # read_po keeps the last of two equal ids: count them in the file itself
    text = CATALOGUE.read_text("utf-8")
    entries = text.count('\nmsgid "') + text.startswith('msgid "')
    duplicated = [k for k, n in Counter(ids).items() if n > 1]
    assert not duplicated
    assert entries == len(ids) + 1  # + the header's empty msgid
