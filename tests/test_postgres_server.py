"""The throwaway PostgreSQL server the suite starts is real: SQLAlchemy and psycopg use it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pg_server

pytest.importorskip("sqlalchemy", reason="needs SQLAlchemy: pip install 'kamcore[postgres]'")
pytest.importorskip("psycopg", reason="needs psycopg 3: pip install 'kamcore[postgres]'")

import sqlalchemy as sa


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(pg_url)
    yield engine
    engine.dispose()


def test_the_server_answers_a_query(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(sa.text("select 1")).scalar_one() == 1
        assert conn.dialect.name == "postgresql"
        assert conn.execute(sa.text("show fsync")).scalar_one() == "on"


def test_two_connections_see_each_others_committed_rows(engine: sa.Engine) -> None:
    table = sa.Table(
        f"smoke_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.Text, nullable=False),
    )
    table.create(engine)
    try:
        with engine.connect() as a, engine.connect() as b:
            a.execute(table.insert().values(id=1, note="from a"))
            # not yet committed: b must not see it
            assert b.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
            b.rollback()
            a.commit()
            b.execute(table.insert().values(id=2, note="from b"))
            b.commit()
            rows = a.execute(sa.select(table.c.id, table.c.note).order_by(table.c.id)).all()
            assert [tuple(r) for r in rows] == [(1, "from a"), (2, "from b")]
            a.rollback()
    finally:
        table.drop(engine)
    assert not sa.inspect(engine).has_table(table.name)


def test_a_server_is_stopped_and_removed_even_when_the_block_fails() -> None:
    if pg_server.find_bin_dir() is None or pg_server.unavailable():
        pytest.skip(pg_server.unavailable() or "no PostgreSQL server binaries to start")
    with (  # noqa: PT012 - the server stops before the error reaches pytest.raises
        pytest.raises(RuntimeError, match="a failing test"),
        pg_server.throwaway_server() as server,
    ):
        assert server.started_in_s < 30
        assert server.data_dir.is_dir()
        raise RuntimeError("a failing test")
    assert not server.socket_dir.exists()
    gone = sa.create_engine(server.url, poolclass=sa.pool.NullPool)
    with pytest.raises(sa.exc.OperationalError):
        gone.connect()
    gone.dispose()


@given(
    scheme=st.sampled_from(["postgres", "postgresql", "postgresql+psycopg", "postgresql+pg8000"]),
    rest=st.from_regex(r"[a-z]{1,8}@[a-z0-9.]{1,12}(:[0-9]{1,5})?/[a-z_]{1,10}", fullmatch=True),
)
def test_any_postgres_url_is_given_the_psycopg_driver(scheme: str, rest: str) -> None:
    assert pg_server.sqlalchemy_url(f"{scheme}://{rest}") == f"postgresql+psycopg://{rest}"


def test_the_newest_server_version_is_chosen_numerically() -> None:
    versions = [Path(f"/usr/lib/postgresql/{v}/bin") for v in ("9.6", "15", "100")]
    assert max(versions, key=pg_server._major_version).parent.name == "100"
