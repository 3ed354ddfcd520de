"""Register fixtures: recognitions built straight from dated periods, an app with its own settings,
and a real HTTP receiver for webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlmodel import select

from erkenning.app import create_app
from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.recognition.models import (
    Pathway,
    Qualification,
    Recognition,
    RecognitionPeriod,
    RecognitionStatus,
)
from erkenning.worker import wiring
from tests.helpers import asgi_client

S = RecognitionStatus
Period = tuple[RecognitionStatus, date, date | None]

# The story every verify test tells: suspended for three months, reinstated, withdrawn with a
# transition period (future-dated). The status column says `active` throughout: it must not matter.
SUSPENSION_AND_WITHDRAWAL: list[Period] = [
    (S.ACTIVE, date(2024, 1, 1), date(2026, 3, 1)),
    (S.SUSPENDED, date(2026, 3, 1), date(2026, 6, 1)),
    (S.ACTIVE, date(2026, 6, 1), date(2027, 1, 1)),
    (S.WITHDRAWN, date(2027, 1, 1), None),
]


async def make_recognition(
    runtime: Runtime,
    company: Company,
    periods: list[Period],
    *,
    crebo: str = "25180",
    qualification: str = "Kok",
    level: int = 2,
    pathway: Pathway = Pathway.BOL,
    status: RecognitionStatus = RecognitionStatus.ACTIVE,
) -> Recognition:
    """A recognition with exactly these periods, written directly (decisions are not this suite's)."""
    async with runtime.transaction() as session:
        q = (await session.exec(select(Qualification).where(Qualification.crebo == crebo))).first()
        if q is None:
            q = Qualification(crebo=crebo, name=qualification, level=level)
            session.add(q)
            await session.flush()
        recognition = Recognition(company_id=company.id, qualification_id=q.id, pathway=pathway, status=status)
        session.add(recognition)
        await session.flush()
        for period_status, start, end in periods:
            session.add(
                RecognitionPeriod(
                    recognition_id=recognition.id, status=period_status, during=RecognitionPeriod.range(start, end)
                )
            )
    return recognition


def on_day(day: date) -> Any:
    """`with on_day(date(2026, 4, 1)):` the service clock at noon in Amsterdam on that day."""
    return clock.travel(datetime.combine(day, time(12), clock.AMSTERDAM) - clock.now())


AppClient = Callable[..., Any]


@pytest.fixture
def app_with(settings: Settings) -> AppClient:
    """`async with app_with(register_anon_limit=3) as (client, runtime):` an app on its own settings (its
    runtime also runs events, with the worker's handlers)."""

    @asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
        runtime = Runtime.create(settings.model_copy(update=overrides), handlers=wiring().handlers)
        try:
            async with asgi_client(create_app(runtime=runtime)) as client:
                yield client, runtime
        finally:
            await runtime.close()

    return build


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


@pytest.fixture
def receiver() -> Any:
    """A receiver that is not listening yet (call `.start()`); stopped after the test."""
    made = Receiver()
    yield made
    made.stop()

