"""Test helpers: service addresses, an SMTP catcher and a webhook receiver, a burst worker, the command line,
HTTP and page helpers (a cookie-keeping web client, forms, the API's paths and steps), and small queries.

The makers of data (principals with tokens, companies, recognitions, courses, reports, cases …) are in
tests/factories.py.
"""

from __future__ import annotations

import asyncio
import csv
import email
import email.policy
import html
import json
import logging
import os
import re
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from litestar import Litestar
from sqlalchemy.engine import make_url

from erkenning.app import create_app
from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core import logging as erkenning_logging
from erkenning.core.caller import Role
from erkenning.core.outbox import OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.worker import build_worker

if TYPE_CHECKING:
    from tests.factories import Principal, TokenFactory

# The API's paths the tests call most.
REPORTS = "/api/v1/backoffice/reports"
SCHOOL_REPORTS = "/api/v1/register/school/reports"
PUBLIC_REPORTS = "/api/v1/register/reports"
CASES = "/api/v1/backoffice/investigations"
HEARINGS = "/api/v1/portal/hearings"
DECISIONS = "/api/v1/backoffice/decisions"
PORTAL = "/api/v1/portal"
TRAINING = "/api/v1/backoffice/training"
PORTAL_TRAINING = "/api/v1/portal/training"
MONITORING = "/api/v1/backoffice/monitoring"


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


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on a local port that answers every POST with `status` and keeps it."""

    port: int = field(default_factory=free_port)
    status: int = 200
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/erkenning"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def asgi_client(app: Litestar) -> httpx.AsyncClient:
    """An HTTP client that calls the app in this event loop (the runtime's pools live in it).

    Litestar's own AsyncTestClient runs the app in a portal thread with another loop. The app's
    lifespan is not run: tests hand the app a runtime they own.
    """
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


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


async def run_jobs(runtime: Runtime, settings: Settings, *names: str) -> None:
    """Queue cron jobs by name, as the worker's scheduler does, and let a real worker run them."""
    for name in names:
        await runtime.queue.redis.enqueue_job(f"cron:{name}", _queue_name=settings.arq_queue_name)
    await drain_queue(settings)


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
        for key, kind in zip(batch, kinds, strict=True):
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


# ---------------------------------------------------------------- mail, time, files, queries


def only(messages: list[Any], subject: str) -> Any:
    """The one message with this subject (the worker sends in parallel: arrival order is not fixed)."""
    [found] = [m for m in messages if m["Subject"] == subject]
    return found


def on_day(day: date) -> Any:
    """`with on_day(date(2026, 4, 1)):` the service clock at noon in Amsterdam on that day."""
    return clock.travel(datetime.combine(day, time(12), clock.AMSTERDAM) - clock.now())


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def company_email(runtime: Runtime, company_id: UUID) -> str:
    async with runtime.session_factory() as session:
        company = await session.get(Company, company_id)
        assert company is not None and company.email
        return company.email


async def outbox_events(runtime: Runtime, topic: str) -> list[OutboxEvent]:
    """The outbox's events of this topic, in no particular order."""
    async with runtime.session_factory() as session:
        return list((await session.exec(sa.select(OutboxEvent).where(OutboxEvent.topic == topic))).scalars())


async def scalar(runtime: Runtime, sql: str, **params: object) -> object:
    async with runtime.engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


# ---------------------------------------------------------------- the API: steps as its callers take them


async def act(
    client: httpx.AsyncClient, who: Principal, report_id: str, action: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.post(f"{REPORTS}/{report_id}/{action}", json=body or {}, headers=who.headers)


async def substantiate(client: httpx.AsyncClient, adviser: Principal, report_id: str) -> None:
    """Triage the report (taken by `adviser`) and find it substantiated: the worker will open a case."""
    for action, body in (("start-triage", None), ("substantiate", {"reason": "Meerdere signalen, aannemelijk"})):
        response = await act(client, adviser, report_id, action, body)
        assert response.status_code == 200, response.text


async def step(
    client: httpx.AsyncClient, who: Principal, case_id: str, action: str, body: Any = None
) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/{action}", json=body or {}, headers=who.headers)


async def respond_approve_send(
    client: httpx.AsyncClient, decision_id: str, *, company: Principal, approver: Principal, sender: Principal,
    response: str = "Wij hebben het gelezen.",
) -> dict[str, Any]:
    """An intended decision taken to the end, as people do it: the company responds in its portal, a senior
    adviser who did not draft it approves having read the response, and `sender` sends it. Its JSON."""
    responded = await client.post(f"{PORTAL}/decisions/{decision_id}/response", json={"text": response},
                                  headers=company.headers)
    assert responded.status_code == 200, responded.text
    approved = await client.post(f"{DECISIONS}/{decision_id}/approve", json={"response_read": True},
                                 headers=approver.headers)
    assert approved.status_code == 200, approved.text
    sent = await client.post(f"{DECISIONS}/{decision_id}/send", headers=sender.headers)
    assert sent.status_code == 200, sent.text
    return sent.json()  # type: ignore[no-any-return]


async def enrol(client: httpx.AsyncClient, company: Principal, **body: Any) -> httpx.Response:
    return await client.post(f"{PORTAL_TRAINING}/participations", json=body, headers=company.headers)


# ---------------------------------------------------------------- pages: a web client, forms, reading


_CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


@dataclass
class WebClient:
    """A cookie-keeping HTTP client over the app (https, so Secure cookies flow as in production)."""

    http: httpx.AsyncClient

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def submit(self, form_page: str, action: str | None = None, data: dict | None = None) -> httpx.Response:
        """Open `form_page`, take its CSRF token, and post `data` to `action` (default: the same path)."""
        page = await self.http.get(form_page)
        assert page.status_code == 200, page.text
        return await self.http.post(action or form_page, data={"_csrf": csrf_of(page.text), **(data or {})})

    async def sign_in(self, principal: Principal) -> httpx.Response:
        response = await self.submit("/inloggen", data={"token": principal.token})
        assert response.status_code == 303, response.text
        return response

    async def sign_out(self) -> None:
        start = await self.http.get("/")
        response = await self.http.post("/uitloggen", data={"_csrf": csrf_of(start.text)})
        assert response.status_code == 303

    async def sign_in_as(self, tokens: TokenFactory, role: Role, **kwargs) -> Principal:
        principal = await tokens.make(role, **kwargs)
        await self.sign_in(principal)
        return principal


async def post_form(web: WebClient, page_path: str, action: str, data: dict | None = None) -> httpx.Response:
    """Post `data` to `action` with the CSRF token of `page_path` (as the page's own form would)."""
    page = await web.get(page_path)
    assert page.status_code == 200, page.text
    return await web.http.post(action, data={"_csrf": csrf_of(page.text), **(data or {})})


def form_actions(html: str) -> set[str]:
    """The addresses the page's forms post to."""
    return set(re.findall(r'<form method="post" action="([^"]+)"', html))


def value_of(page: str, name: str) -> str:
    """The value of the input (or the text of the textarea) called `name`."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag is None:
        area = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
        assert area, name
        return html.unescape(area.group(1))
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    assert value, name
    return html.unescape(value.group(1))


def error_summary(page: str) -> str:
    start = page.index('class="error-summary"')
    return page[start:page.index("</div>", start)]


@asynccontextmanager
async def web_with(settings: Settings, **overrides: Any) -> AsyncIterator[WebClient]:
    """A web client on an app with its own settings (`register_anon_limit=2`)."""
    runtime = Runtime.create(settings.model_copy(update=overrides))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield WebClient(http)
    finally:
        await runtime.close()
