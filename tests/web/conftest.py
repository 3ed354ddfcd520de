"""Fixtures for the web interface: an HTTP client that keeps cookies and signs in through the form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar

from erkenning.core.caller import Role
from tests.helpers import Principal, TokenFactory

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


@pytest.fixture
async def web(app: Litestar) -> AsyncIterator[WebClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield WebClient(http)
