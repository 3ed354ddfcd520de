"""The API process (no worker modules loaded) knows every e-mail the pages' service calls queue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "erkenning"
_QUEUED = re.compile(r'mail\.queue\(\s*[a-z_.]+,\s*"([a-z_]+)"')


def test_every_queued_e_mail_has_its_composer_in_the_api_process() -> None:
    queued = {name for path in SRC.rglob("*.py") for name in _QUEUED.findall(path.read_text())}
    assert "hearing_request" in queued
    # A fresh interpreter: in this one the worker's modules may already have registered them.
    probe = "import erkenning.app; from erkenning.core.mail import COMPOSERS; print(' '.join(COMPOSERS))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert queued - set(out.split()) == set()
