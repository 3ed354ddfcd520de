"""Recognitions and decisions: the register's handler of `recognition.changed` is in place, as in the worker.

The world these tests build on (`world`: staff, a company, recognitions and decisions through the services)
is the suite's, in tests/conftest.py and tests/factories.py.
"""

from __future__ import annotations

import pytest

from erkenning.core import outbox
from erkenning.recognition.effects import CHANGED


@pytest.fixture(autouse=True)
def recognition_changed_handler() -> None:
    """The register's real handler for `recognition.changed` is registered (as the worker does)."""
    import erkenning.register.tasks  # noqa: F401  (registers the handler on import)

    assert CHANGED in outbox.HANDLERS
