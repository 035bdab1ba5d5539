"""Shared test configuration: hypothesis profiles and the throwaway PostgreSQL server.

Profiles (select with the ``HYPOTHESIS_PROFILE`` environment variable):

* ``dev`` (default) — hypothesis' usual randomised search, 100 examples;
* ``ci`` — derandomised and bounded, so CI runs are repeatable and quick;
* ``thorough`` — 2,000 examples per test, for a local soak before a release.

The session fixture ``pg_url`` is the SQLAlchemy URL of a PostgreSQL database: a server
the suite starts itself (tests/pg_server.py), or the one ``KAMCORE_TEST_PG_URL`` names.
Tests that use it are skipped, with the reason, where neither is possible (they fail
instead when ``KAMCORE_TEST_PG_REQUIRED`` is set, as .ci/run sets it where a server can run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import pg_server

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The SQLAlchemy URL of a PostgreSQL database for this test session."""
    reason = pg_server.unavailable()
    if reason and os.environ.get(pg_server.ENV_REQUIRED):
        pytest.fail(f"{pg_server.ENV_REQUIRED} is set, but {reason}")
    if reason:
        pytest.skip(reason)
    existing = os.environ.get(pg_server.ENV_URL)
    if existing:
        yield pg_server.sqlalchemy_url(existing)
        return
    with pg_server.throwaway_server() as server:
        yield server.url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many public callables the API fuzz test (test_fuzz_api.py) covered."""
    for reports in terminalreporter.stats.values():
        for report in reports:
            props = dict(getattr(report, "user_properties", ()))
            if "fuzz_callables_covered" in props and getattr(report, "when", "") == "call":
                terminalreporter.write_line(
                    f"kamcore API fuzz: {props['fuzz_callables_covered']} public callables "
                    f"covered ({props.get('fuzz_names_skipped', 0)} public names skipped, "
                    "each with its reason in tests/test_fuzz_api.py)"
                )
                return
