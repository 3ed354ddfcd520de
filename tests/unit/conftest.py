"""Unit tests need no service: a test here that asks (even indirectly) for the run's PostgreSQL, Redis, SMTP
catcher or app fails before anything is started."""

from __future__ import annotations

import pytest

SERVICES = {"shared_services", "shared_database_url", "shared_mail", "shared_settings", "shared_runtime", "shared_app"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    wanted = SERVICES & set(getattr(item, "fixturenames", ()))
    if wanted:
        pytest.fail(f"{item.nodeid} is a unit test but asks for {', '.join(sorted(wanted))}: "
                    "move it out of tests/unit/ or make it need no service", pytrace=False)
