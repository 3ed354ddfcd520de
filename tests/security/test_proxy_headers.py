"""A spoofed X-Forwarded-For from an untrusted peer changes neither the rate-limit key nor the audit origin,
in every way the service is started: `erkenning serve`, `erkenning dev` and the Dockerfile's command.

Each mode runs as a real process on a free port, as an operator would start it (uvicorn's own
proxy-header handling would trust X-Forwarded-For from 127.0.0.1 by default: see `cli.serving`). The
requests come from 127.0.0.1, which is not in TRUSTED_PROXIES, and claim to come from 203.0.113.7.
"""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from erkenning.core.caller import Role
from erkenning.core.errors import RateLimited
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.http import throttle
from tests.factories import TokenFactory
from tests.helpers import MailCatcher

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SPOOFED = "203.0.113.7"
PEER = "127.0.0.1"


def _environment(settings: Settings, database_url: str, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(extra)
    env.update({
        "HOST": PEER, "PORT": str(port), "DATABASE_URL": database_url, "REDIS_URL": settings.redis_url or "",
        # The queue name is the rate limiter's namespace too: the test reads the server's counts.
        "ARQ_QUEUE_NAME": settings.arq_queue_name, "TOKEN_PEPPER": settings.token_pepper.get_secret_value(),
        "SMTP_HOST": settings.smtp_host, "SMTP_PORT": str(settings.smtp_port), "LOG_FORMAT": "json",
    })
    env.pop("TRUSTED_PROXIES", None)
    env.pop("FORWARDED_ALLOW_IPS", None)
    return env


@contextmanager
def _running(argv: list[str], env: dict[str, str], port: int, cwd: Path, timeout_s: float) -> Iterator[str]:
    """The process started, answering /health/live; its output is shown if it does not come up."""
    log = cwd / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{PEER}:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            assert process.poll() is None, f"{shlex.join(argv)} exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"{shlex.join(argv)} did not start:\n{log.read_text()[-4000:]}"
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _dockerfile_command() -> tuple[list[str], dict[str, str]]:
    """The container's command (ENTRYPOINT + CMD, exec form) and its ENV, read from the Dockerfile."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    entrypoint: list[str] = []
    cmd: list[str] = []
    env: dict[str, str] = {}
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif word == "CMD":
            cmd = json.loads(rest)
        elif word == "ENV" and "--from" not in rest:
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
    return [str(BIN / entrypoint[0]), *entrypoint[1:], *cmd], env


async def _check_address_is_the_peer(base: str, admin_token: str, settings: Settings, runtime: Runtime,
                                     database_url: str) -> None:
    spoof = {"X-Forwarded-For": SPOOFED}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        # The rate-limit key: a failed authentication is counted for the peer, not the claimed address.
        junk = await http.get("/api/v1/backoffice/companies",
                              headers={**spoof, "Authorization": "Bearer erk_" + "x" * 43})
        assert junk.status_code == 401
        # The audit origin: an audited write.
        crebo = f"{random.randrange(10_000, 100_000)}"
        created = await http.post(
            "/api/v1/backoffice/qualifications", headers={**spoof, "Authorization": f"Bearer {admin_token}"},
            json={"crebo": crebo, "name": "Proxykwalificatie", "level": 2},
        )
        assert created.status_code == 201, created.text
    window = settings.auth_failure_window_s
    with pytest.raises(RateLimited):
        await runtime.limiter.check(throttle.LIMITER, PEER, limit=1, window_s=window)
    await runtime.limiter.check(throttle.LIMITER, SPOOFED, limit=1, window_s=window)  # nothing counted for it
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            origins = (await conn.execute(
                sa.text("SELECT origin FROM audit_event WHERE action = 'qualification.created' "
                        "AND object_id = :id"), {"id": created.json()["id"]},
            )).scalars().all()
    finally:
        await engine.dispose()
    assert origins == [PEER]


async def test_serve_takes_the_client_address_from_the_peer_not_a_spoofed_header(
    settings: Settings, runtime: Runtime, tokens: TokenFactory, database_url: str, tmp_path: Path
) -> None:
    admin = await tokens.make(Role.ADMIN)
    port = free_port()
    env = _environment(settings, database_url, port, {"ENVIRONMENT": "test"})
    with _running([str(BIN / "erkenning"), "serve"], env, port, tmp_path, timeout_s=60) as base:
        await _check_address_is_the_peer(base, admin.token, settings, runtime, database_url)


async def test_the_dockerfile_command_takes_the_client_address_from_the_peer(
    settings: Settings, runtime: Runtime, tokens: TokenFactory, database_url: str, tmp_path: Path
) -> None:
    argv, image_env = _dockerfile_command()
    assert argv[1:] == ["serve"], argv  # what the image runs unless told otherwise
    admin = await tokens.make(Role.ADMIN)
    port = free_port()
    env = _environment(settings, database_url, port, image_env)  # ENVIRONMENT=production, as in the image
    with _running(argv, env, port, tmp_path, timeout_s=60) as base:
        await _check_address_is_the_peer(base, admin.token, settings, runtime, database_url)


async def test_dev_takes_the_client_address_from_the_peer_not_a_spoofed_header(
    settings: Settings, runtime: Runtime, mail: MailCatcher, scratch_db: str, tmp_path: Path
) -> None:
    # `dev` migrates, loads the demo data into a database of its own and prints a token per role.
    port = free_port()
    env = _environment(settings, scratch_db, port, {"ENVIRONMENT": "development"})
    with _running([str(BIN / "erkenning"), "dev", "--port", str(port)], env, port, tmp_path, timeout_s=240) as base:
        banner = (tmp_path / "server.log").read_text()
        admin_token = re.search(r"^\s+admin\s+(erk_\S+)", banner, re.M)
        assert admin_token, banner[-2000:]
        await _check_address_is_the_peer(base, admin_token.group(1), settings, runtime, scratch_db)
