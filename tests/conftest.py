"""Shared test configuration: hypothesis profiles.

Profiles (select with the ``HYPOTHESIS_PROFILE`` environment variable):

* ``dev`` (default) — hypothesis' usual randomised search, 100 examples;
* ``ci`` — derandomised and bounded, so CI runs are repeatable and quick;
* ``thorough`` — 2,000 examples per test, for a local soak before a release.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
