"""Recognitions and decisions: the register's handler of `recognition.changed` is in place, as in the worker.

The world these tests build on (`world`: staff, a company, recognitions and decisions through the services)
is the suite's, in tests/conftest.py and tests/factories.py.
"""

from __future__ import annotations

import pytest

from erkenning.core.runtime import Runtime
from erkenning.recognition.effects import CHANGED


@pytest.fixture(autouse=True)
def recognition_changed_handler(runtime: Runtime) -> None:
    """The register's real handler for `recognition.changed` is among the runtime's (as in the worker)."""
    assert CHANGED in runtime.handlers
