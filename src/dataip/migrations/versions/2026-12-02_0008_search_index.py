"""Announcement search index: jieba terms per announcement, FTS5 on SQLite, GIN tsvector on
PostgreSQL (R23, G§26; DESIGN §8); an index on announcements.registration_number

Existing announcements are indexed here, tokenised in Python by the same
`dataip.domain.search.tokens` the services use (the index is derived data: re-running this
backfill with a later tokenizer is the way to re-index).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 2_000

# FTS5 over announcement_search (external content, rowid = announcement id). Terms are letters
# and digits joined by spaces, so the `ascii` tokenizer (splits on ASCII non-alphanumerics,
# folds ASCII case, keeps other characters as they are) sees exactly the indexed terms.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE announcement_fts USING fts5("
    "name_tokens, other_tokens, content='announcement_search', "
    "content_rowid='announcement_id', tokenize='ascii')",
    "CREATE TRIGGER announcement_search_ai AFTER INSERT ON announcement_search BEGIN "
    "INSERT INTO announcement_fts(rowid, name_tokens, other_tokens) "
    "VALUES (new.announcement_id, new.name_tokens, new.other_tokens); END",
    "CREATE TRIGGER announcement_search_ad AFTER DELETE ON announcement_search BEGIN "
    "INSERT INTO announcement_fts(announcement_fts, rowid, name_tokens, other_tokens) "
    "VALUES ('delete', old.announcement_id, old.name_tokens, old.other_tokens); END",
    "CREATE TRIGGER announcement_search_au AFTER UPDATE ON announcement_search BEGIN "
    "INSERT INTO announcement_fts(announcement_fts, rowid, name_tokens, other_tokens) "
    "VALUES ('delete', old.announcement_id, old.name_tokens, old.other_tokens); "
    "INSERT INTO announcement_fts(rowid, name_tokens, other_tokens) "
    "VALUES (new.announcement_id, new.name_tokens, new.other_tokens); END",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index(
        "ix_announcements_registration_number", "announcements", ["registration_number"]
    )
    op.create_table(
        "announcement_search",
        sa.Column("announcement_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_tokens", sa.Text(), nullable=False),
        sa.Column("other_tokens", sa.Text(), nullable=False),
        sa.Column(
            "document", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name="fk_announcement_search_announcement_id_announcements",
        ),
        sa.PrimaryKeyConstraint("announcement_id", name="pk_announcement_search"),
    )
    # PostgreSQL's GIN index; on SQLite, which searches its FTS5 table, an empty partial index
    # of the same name keeps the schema equal to the metadata.
    op.create_index(
        "ix_announcement_search_document",
        "announcement_search",
        ["document"],
        postgresql_using="gin",
        sqlite_where=sa.text("0"),
    )
    if dialect == "sqlite":
        for ddl in SQLITE_FTS:
            op.execute(ddl)
    _backfill()


def _backfill() -> None:
    from dataip.db.search import tsvector_literal
    from dataip.domain.search import announcement_terms

    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    insert = sa.text(
        "INSERT INTO announcement_search (announcement_id, name_tokens, other_tokens, document)"
        " VALUES (:announcement_id, :name_tokens, :other_tokens, "
        + ("CAST(:document AS tsvector))" if pg else ":document)")
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, name, title_zh, number, registration_number FROM announcements"
                " WHERE id > :after ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return
        batch = []
        for aid, name, title, number, reg_number in rows:
            terms, other = announcement_terms(name, title, number, reg_number)
            batch.append(
                {
                    "announcement_id": aid,
                    "name_tokens": " ".join(terms),
                    "other_tokens": " ".join(other),
                    "document": tsvector_literal(terms, other) if pg else None,
                }
            )
        bind.execute(insert, batch)
        after = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER announcement_search_{trigger}")
        op.execute("DROP TABLE announcement_fts")
    op.drop_index("ix_announcement_search_document", table_name="announcement_search")
    op.drop_table("announcement_search")
    op.drop_index("ix_announcements_registration_number", table_name="announcements")
