"""The served processes freeze their start-up heap (`runtime.freeze_startup_heap`), library calls never.

Each check runs in a Python process of its own: a freeze here would hold this test process's objects.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from erkenning.cli.serving import serve
from erkenning.core.settings import get_settings

OFFLINE = {"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/offline", "REDIS_URL": "redis://127.0.0.1:1/0"}


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **OFFLINE}, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip()


def test_the_served_app_freezes_what_it_built_and_create_app_does_not() -> None:
    out = _run(
        "import gc\n"
        "from erkenning.app import create_app, create_served_app\n"
        "create_app(); plain = gc.get_freeze_count()\n"
        "app = create_served_app(); print(plain, gc.get_freeze_count(), type(app).__name__)\n"
    )
    plain, frozen, kind = out.split()
    assert int(plain) == 0  # tests and tools build apps without freezing anything
    assert int(frozen) > 50_000  # the modules, the app, its routes and mappings
    assert kind == "ErkenningApp"


def test_erkenning_serve_starts_uvicorn_on_the_served_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(serve, [])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert started["app"] == "erkenning.app:create_served_app" and started["factory"] is True
