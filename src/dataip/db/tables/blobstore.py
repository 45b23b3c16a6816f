"""The blob store in the database (issue 25 §2): objects by key, their bytes in chunks of at
most `CHUNK_BYTES` (a 20 MiB upload — the default cap, DATAIP_MAX_BLOB_BYTES — is twenty
rows, and no row holds more than a mebibyte: reads and writes never need one huge value).
On PostgreSQL every server process and machine shares it."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, metadata

CHUNK_BYTES = 1024 * 1024

# Keys sort bytewise on every backend (the "C" collation on PostgreSQL), so listing by prefix
# is an index range scan and the order is the one the local folder lists in.
KeyType = sa.String(512).with_variant(sa.String(512, collation="C"), "postgresql")

stored_objects = sa.Table(
    "stored_objects",
    metadata,
    sa.Column("key", KeyType, primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),  # of the whole object, checked on read
    sa.Column("chunks", sa.Integer, nullable=False),
    sa.Column("stored_at", UTCDateTime, nullable=False),
)

stored_object_chunks = sa.Table(
    "stored_object_chunks",
    metadata,
    sa.Column(
        "key",
        KeyType,
        sa.ForeignKey("stored_objects.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
