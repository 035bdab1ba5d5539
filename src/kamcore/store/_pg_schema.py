"""The archive's PostgreSQL tables and append-only triggers, as SQLAlchemy metadata and SQL.

:func:`archive_metadata` gives the tables of :class:`~kamcore.store.PostgresRepository`
(for Alembic's ``target_metadata``), :func:`trigger_ddl` the triggers (for a
migration's ``op.execute``). Needs the ``postgres`` extra.
"""

from __future__ import annotations

from typing import Final

from kamcore.errors import StoreError

try:
    import sqlalchemy as sa
    from sqlalchemy.sql.elements import conv
except ModuleNotFoundError as exc:  # pragma: no cover - the test environment has the extra
    msg = (
        f"The PostgreSQL store needs SQLAlchemy and psycopg 3 ({exc.name} is missing): "
        "pip install 'kamcore[postgres]'"
    )
    raise StoreError(msg) from None

from kamcore._validate import text

__all__ = [
    "REFUSED",
    "TABLES",
    "archive_metadata",
    "check_names",
    "quote",
    "trigger_ddl",
    "trigger_names",
]

REFUSED: Final = "KAM01"  # the SQLSTATE our triggers raise
TABLES: Final = ("revisions", "snapshots", "loans", "reviews")


def quote(name: str) -> str:
    """A PostgreSQL identifier, always quoted (as SQLAlchemy names a table it must quote)."""
    return '"' + name.replace('"', '""') + '"'


def _qualified(schema: str | None, name: str) -> str:
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def check_names(schema: object, prefix: object) -> tuple[str | None, str]:
    if schema is not None:
        schema = text(schema, "schema", expected="a schema name, or None for the default")
    prefix = text(prefix, "prefix", required=False, expected="a table-name prefix (text)")
    return schema, prefix


def archive_metadata(
    *, schema: str | None = None, prefix: str = "kamcore_", metadata: sa.MetaData | None = None
) -> sa.MetaData:
    """The archive's tables as SQLAlchemy metadata (for Alembic's ``target_metadata``).

    Four tables, each named ``f"{prefix}<name>"``: ``revisions`` (primary key
    ``(dossier_id, sequence)``: the conflict rule), ``snapshots``, ``loans`` and
    ``reviews``. Constraint and index names are fixed (an embedder's naming convention
    does not rename them). ``metadata.create_all()`` also installs the append-only
    triggers; Alembic's autogenerate does not see triggers, so a migration adds them
    with :func:`trigger_ddl`.

    Args:
        schema: The PostgreSQL schema of the tables (``None``: the connection's default).
        prefix: Put before every table name (default ``"kamcore_"``).
        metadata: Add the tables to this metadata (your application's own) instead of
            a new one.

    Returns:
        The metadata holding the four tables.

    Examples:
        >>> md = archive_metadata(schema="crm", prefix="kam_")
        >>> sorted(md.tables)
        ['crm.kam_loans', 'crm.kam_reviews', 'crm.kam_revisions', 'crm.kam_snapshots']
    """
    schema, prefix = check_names(schema, prefix)
    md = sa.MetaData() if metadata is None else metadata
    p = prefix
    revisions = sa.Table(
        f"{p}revisions",
        md,
        sa.Column("dossier_id", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False),  # the ISO text that was hashed
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),  # JSON text: JSONB would re-spell it
        sa.Column("previous_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("dossier_id", "sequence", name=conv(f"{p}revisions_pkey")),
        sa.CheckConstraint("sequence >= 1", name=conv(f"{p}revisions_sequence_check")),
        sa.Index(conv(f"{p}revisions_at_utc"), "dossier_id", "at_utc"),
        sa.Index(conv(f"{p}revisions_day"), "dossier_id", "day"),
        schema=schema,
    )
    snapshots = sa.Table(
        f"{p}snapshots",
        md,
        sa.Column("dossier_id", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", "sequence", name=conv(f"{p}snapshots_pkey")),
        sa.ForeignKeyConstraint(
            ["dossier_id", "sequence"],
            [revisions.c.dossier_id, revisions.c.sequence],
            name=conv(f"{p}snapshots_revision_fkey"),
        ),
        schema=schema,
    )
    loans = sa.Table(
        f"{p}loans",
        md,
        sa.Column("position", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("dossier_id", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("returned_at", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("position", name=conv(f"{p}loans_pkey")),
        sa.UniqueConstraint("id", name=conv(f"{p}loans_id_key")),
        sa.Index(conv(f"{p}loans_by_dossier"), "dossier_id", "position"),
        schema=schema,
    )
    reviews = sa.Table(
        f"{p}reviews",
        md,
        sa.Column("position", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("dossier_id", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("position", name=conv(f"{p}reviews_pkey")),
        sa.Index(conv(f"{p}reviews_by_dossier"), "dossier_id", "position"),
        schema=schema,
    )
    functions = _function_ddl(schema, prefix)
    for table in (revisions, snapshots, loans, reviews):
        name = table.name.removeprefix(prefix)
        for statement in (*functions, *_table_trigger_ddl(schema, prefix, name)):
            sa.event.listen(
                table,
                "after_create",
                sa.DDL(statement).execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]
            )
    return md


def _function_ddl(schema: str | None, prefix: str) -> list[str]:
    refuse = _qualified(schema, f"{prefix}refuse_change")
    once = _qualified(schema, f"{prefix}loan_return_once")
    return [
        (
            f"CREATE OR REPLACE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"    RAISE EXCEPTION USING ERRCODE = '{REFUSED}',\n"
            "        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';\n"
            "END $$"
        ),
        (
            f"CREATE OR REPLACE FUNCTION {once}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "    IF OLD.returned_at IS NOT NULL OR NEW.returned_at IS NULL\n"
            "       OR NEW.body IS DISTINCT FROM OLD.body OR NEW.id IS DISTINCT FROM OLD.id\n"
            "       OR NEW.dossier_id IS DISTINCT FROM OLD.dossier_id\n"
            "       OR NEW.position IS DISTINCT FROM OLD.position THEN\n"
            f"        RAISE EXCEPTION USING ERRCODE = '{REFUSED}',\n"
            "            MESSAGE = 'a loan record changes only by its return';\n"
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END $$"
        ),
    ]


# which triggers guard which table: (trigger name, timing and events, row or statement, function)
_TRIGGERS: Final = {
    "revisions": (
        ("append_only", "BEFORE UPDATE OR DELETE", "ROW", "refuse_change"),
        ("no_truncate", "BEFORE TRUNCATE", "STATEMENT", "refuse_change"),
    ),
    "snapshots": (("no_update", "BEFORE UPDATE", "ROW", "refuse_change"),),
    "loans": (
        ("keep_records", "BEFORE DELETE", "ROW", "refuse_change"),
        ("return_once", "BEFORE UPDATE", "ROW", "loan_return_once"),
        ("no_truncate", "BEFORE TRUNCATE", "STATEMENT", "refuse_change"),
    ),
    "reviews": (
        ("append_only", "BEFORE UPDATE OR DELETE", "ROW", "refuse_change"),
        ("no_truncate", "BEFORE TRUNCATE", "STATEMENT", "refuse_change"),
    ),
}


def trigger_names(prefix: str) -> set[str]:
    return {f"{prefix}{t}_{n}" for t, triggers in _TRIGGERS.items() for n, *_ in triggers}


def _table_trigger_ddl(schema: str | None, prefix: str, table: str) -> list[str]:
    target = _qualified(schema, f"{prefix}{table}")
    out: list[str] = []
    for name, when, each, function in _TRIGGERS[table]:
        trigger = quote(f"{prefix}{table}_{name}")
        out += [
            f"DROP TRIGGER IF EXISTS {trigger} ON {target}",
            (
                f"CREATE TRIGGER {trigger} {when} ON {target} FOR EACH {each} "
                f"EXECUTE FUNCTION {_qualified(schema, prefix + function)}()"
            ),
        ]
    return out


def trigger_ddl(schema: str | None = None, prefix: str = "kamcore_") -> list[str]:
    """The SQL that makes the archive's tables append-only (for an Alembic migration).

    Run each statement after the tables exist (``for s in trigger_ddl(...):
    op.execute(s)``); running them again is harmless. Revisions and reviews refuse
    ``UPDATE``, ``DELETE`` and ``TRUNCATE``; a loan changes only by its return and is
    never deleted; a snapshot is never updated (it may be deleted: it is a cache). The
    refusal is SQLSTATE ``KAM01``. A table's owner can still disable triggers: grant
    the application's role only ``SELECT`` and ``INSERT`` (and ``UPDATE (returned_at)``
    on the loans), and keep the latest head hash somewhere else too.

    Args:
        schema: The tables' schema, as given to :func:`archive_metadata`.
        prefix: The tables' name prefix, as given to :func:`archive_metadata`.

    Returns:
        The statements, in order: two trigger functions, then each table's triggers.

    Examples:
        >>> trigger_ddl(schema="crm")[0].splitlines()[0]
        'CREATE OR REPLACE FUNCTION "crm"."kamcore_refuse_change"() RETURNS trigger ...'
    """
    schema, prefix = check_names(schema, prefix)
    out = _function_ddl(schema, prefix)
    for table in TABLES:
        out += _table_trigger_ddl(schema, prefix, table)
    return out
