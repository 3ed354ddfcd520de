"""The API process on its own (as `erkenning serve` runs it) knows every e-mail its services may queue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import erkenning

SOURCE = Path(erkenning.__file__).parent
_QUEUED = re.compile(r'mail\.queue\(\w+(?:\.\w+)?, "(\w+)"')

_CHECK = """
from erkenning.app import create_app
from erkenning.notifications import mail
create_app()
print("\\n".join(sorted(mail.COMPOSERS)))
"""


def test_building_the_app_registers_the_composer_of_every_mail_a_service_queues() -> None:
    # Mail queued outside the worker's own task modules can be queued while serving a request (a page
    # asking for a hearing, say); mail.queue refuses a template without a composer.
    queued = {
        name
        for path in SOURCE.rglob("*.py") if path.name != "tasks.py"
        for name in _QUEUED.findall(path.read_text())
    }
    assert "hearing_request" in queued
    # In a fresh interpreter: the test suite itself imports the worker, which registers them all.
    done = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, check=True, timeout=60)
    assert queued - set(done.stdout.split()) == set()
