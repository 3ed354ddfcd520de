"""Browser tests: the app as a real server (uvicorn in a subprocess) and Debian's headless Chromium.

Playwright drives /usr/bin/chromium (installed by `make test` where missing); it never downloads a
browser. One server and one browser serve the whole session; each test gets a fresh browser
context (its own cookies). The server uses the test database and Redis, so the usual fixtures
(`tokens`, `make_company`) prepare data, and tables are emptied after each test as everywhere (`new_page`
brings `clean`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from erkenning.core.caller import Role
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.devtools.oidc import DevProvider, unavailable_reason
from tests.factories import Principal, TokenFactory
from tests.helpers import MailCatcher
from tests.web.browser.steps import AXE, LAPTOP, ROOT, sign_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def dev_provider(live_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProvider | str]:
    """The real OpenID provider of `erkenning dev` (Node, `oidc-provider`) for the live server's staff, or why
    it cannot run here (then only the tests that need it are skipped, through `sso`)."""
    reason = unavailable_reason()
    if reason is not None:
        yield reason
        return
    log_path = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    provider = DevProvider(redirect_base=f"http://localhost:{live_port}", log_path=log_path).start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def sso(dev_provider: DevProvider | str) -> DevProvider:
    """The OpenID provider the live server signs staff in with (skipped, saying why, where Node is missing)."""
    if isinstance(dev_provider, str):
        pytest.skip(f"no OpenID provider for the staff sign-in: {dev_provider}")
    return dev_provider


@pytest.fixture(scope="session")
def live_server(
    shared_settings: Settings, shared_mail: MailCatcher, tmp_path_factory: pytest.TempPathFactory, live_port: int,
    dev_provider: DevProvider | str,
) -> Iterator[str]:
    """`erkenning.app:create_app` under uvicorn in its own process, on a free port, signing staff in at the
    dev provider (where it runs)."""
    port = live_port
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": shared_settings.database_url or "",
        "REDIS_URL": shared_settings.redis_url or "",
        "ARQ_QUEUE_NAME": shared_settings.arq_queue_name,
        "TOKEN_PEPPER": shared_settings.token_pepper.get_secret_value(),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(shared_mail.port),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "WEB_TOKEN_SIGNIN": "true",
        "PUBLIC_BASE_URL": f"http://localhost:{port}",
        **(dev_provider.environment() if isinstance(dev_provider, DevProvider) else {}),
    }
    log_path = tmp_path_factory.mktemp("live-server") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "erkenning.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--lifespan", "on"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://localhost:{port}"
    try:
        _wait_until_live(base, proc, log_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_until_live(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the live server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the live server did not come up:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed and `make test` could not install it (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def new_page(chromium, live_server: str, clean: None) -> AsyncIterator[Callable[..., Awaitable[object]]]:
    """Open a page in a fresh context (own cookies): `page = await new_page(viewport=TABLET)`.

    The server writes to the run's database and Redis: the test cleans up after itself as any other.
    """
    contexts = []

    async def open_page(*, viewport: dict[str, int] = LAPTOP, bypass_csp: bool = False):
        context = await chromium.new_context(
            base_url=live_server, viewport=viewport, locale="nl-NL", bypass_csp=bypass_csp
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return await context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def page(new_page):
    return await new_page()


@pytest.fixture
async def axe_page(new_page):
    """A page that may run axe (skipped where axe-core is not installed)."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    # axe is injected as a script of the test's own, which the pages' CSP would rightly refuse.
    return await new_page(bypass_csp=True)


@pytest.fixture
def signed_in(tokens: TokenFactory) -> Callable[..., Awaitable[Principal]]:
    """`adviser = await signed_in(page, Role.ADVISER)`: a new principal of that role, signed in on `page`."""

    async def as_role(page, role: Role, **kwargs) -> Principal:
        if role is Role.SCHOOL:
            kwargs.setdefault("school_brin", "25LX")
        principal = await tokens.make(role, **kwargs)
        await sign_in(page, principal)
        return principal

    return as_role
