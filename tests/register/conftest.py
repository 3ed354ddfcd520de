"""Register fixtures: an app with its own settings, and a real HTTP receiver for webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from erkenning.app import create_app
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.worker import wiring
from tests.helpers import Receiver, asgi_client

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


@pytest.fixture
def receiver() -> Any:
    """A receiver that is not listening yet (call `.start()`); stopped after the test."""
    made = Receiver()
    yield made
    made.stop()

