"""Test helpers: service addresses, an SMTP catcher, principals with real tokens, a burst worker."""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import httpx
from aiosmtpd.controller import Controller
from litestar import Litestar
from sqlalchemy.engine import make_url

from erkenning.companies.models import Company
from erkenning.companies.schemas import CompanyCreate
from erkenning.companies.service import CompanyService
from erkenning.core import logging as erkenning_logging
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.worker import build_worker


@dataclass(frozen=True)
class Services:
    admin_url: str
    redis_url: str

    def url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)


def offline_settings(**overrides: Any) -> Settings:
    """Settings whose PostgreSQL and Redis nobody listens on, for tests that need neither."""
    fields: dict[str, Any] = {
        "database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/offline", "redis_url": "redis://127.0.0.1:1/0",
        **overrides,
    }
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.catcher.lock:
            self.catcher.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class MailCatcher:
    """A real SMTP server on a free local port that keeps what it receives."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def start(self) -> MailCatcher:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


SYSTEM = Caller.system("tests")


def asgi_client(app: Litestar) -> httpx.AsyncClient:
    """An HTTP client that calls the app in this event loop (the runtime's pools live in it).

    Litestar's own AsyncTestClient runs the app in a portal thread with another loop. The app's
    lifespan is not run: tests hand the app a runtime they own.
    """
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@dataclass
class Principal:
    id: UUID
    role: Role
    token: str
    company_id: UUID | None = None
    school_brin: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class TokenFactory:
    """Principals of any role with real tokens, created through the service (as the admin API does)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def make(
        self,
        role: Role,
        *,
        name: str | None = None,
        email: str | None = None,
        company_id: UUID | None = None,
        school_brin: str | None = None,
    ) -> Principal:
        if role is Role.COMPANY and company_id is None:
            company_id = (await make_company(self.runtime)).id
        async with self.runtime.transaction() as session:
            service = AuthService(session, self.runtime.settings)
            principal = await service.create_principal(
                SYSTEM, name=name or f"test {role.value}", role=role, email=email,
                company_id=company_id, school_brin=school_brin,
            )
            issued = await service.issue_token(SYSTEM, principal.id)
        return Principal(principal.id, role, issued.plaintext, company_id, school_brin)


_company_counter = itertools.count(1)


async def make_company(runtime: Runtime, **fields: Any) -> Company:
    """A valid company with unique identifiers; `fields` override any of them."""
    n = next(_company_counter)
    data = {
        "kvk_number": f"{30000000 + n:08d}",
        "establishment_number": f"{900000000000 + n:012d}",
        "name": f"Testbedrijf {n}",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "sector": "handel",
        "email": f"bedrijf{n}@example.org",
    }
    data.update(fields)
    async with runtime.transaction() as session:
        return await CompanyService(session).create(CompanyCreate(**data), SYSTEM)


async def drain_queue(settings: Settings, *, timeout: float = 60, **overrides: Any) -> None:
    """Run a real arq worker in burst mode until the queue is empty."""
    worker = build_worker(
        settings, burst=True, handle_signals=False, poll_delay=0.01,
        ctx={"settings": settings, "logging_configured": True}, **overrides,
    )
    try:
        # arq's burst mode also waits for jobs deferred into the future (a failed event's retry):
        # a test must fail with a clear message rather than hang.
        await asyncio.wait_for(worker.main(), timeout)
    except TimeoutError:
        raise AssertionError(f"the queue did not drain within {timeout} s (a failing, retried event?)") from None
    finally:
        await worker.close()


class LogCapture(logging.Handler):
    """Keeps every log line exactly as the configured formatter renders it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(erkenning_logging.formatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines if f'"event": "{name}"' in line]


async def run_cli(settings: Settings, *args: str) -> tuple[int, str]:
    """Run the real `erkenning` command in a subprocess against the test database and Redis."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "TOKEN_PEPPER": settings.token_pepper.get_secret_value()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "erkenning.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def redis_dump(redis: Any, *patterns: str) -> bytes:
    """Every key (or those matching `patterns`) and its value in the Redis database, as one text.

    The Redis the tests use is shared (other runs, benchmarks): it may hold tens of thousands of keys,
    so the keys are read in large scan steps and their values in pipelines, not a round trip each.
    """
    keys = list(dict.fromkeys(
        [key for pattern in patterns or ("*",) async for key in redis.scan_iter(match=pattern, count=10_000)]
    ))
    chunks: list[bytes] = list(keys)
    for start in range(0, len(keys), 5_000):
        batch = keys[start:start + 5_000]
        pipe = redis.pipeline(transaction=False)
        for key in batch:
            pipe.type(key)
        kinds = [k.decode() if isinstance(k, bytes) else str(k) for k in await pipe.execute()]
        readers = {"string": "get", "zset": "zrange", "hash": "hgetall", "list": "lrange", "set": "smembers"}
        pipe = redis.pipeline(transaction=False)
        for key, kind in zip(batch, kinds):
            if kind == "zset" or kind == "list":
                getattr(pipe, readers[kind])(key, 0, -1)
            elif kind in readers:
                getattr(pipe, readers[kind])(key)
        for value in await pipe.execute():
            if isinstance(value, dict):
                for field_, item in value.items():
                    chunks.extend((field_, item))
            elif isinstance(value, (list, set, tuple)):
                chunks.extend(value)
            elif value is not None:
                chunks.append(value)
    return b"\n".join(c if isinstance(c, bytes) else str(c).encode() for c in chunks)
