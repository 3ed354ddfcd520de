"""Real-service fixtures: PostgreSQL and Redis (configured, local, or embedded), one database per run.

Order of preference for each service: DATABASE_URL / REDIS_URL, then a server answering on
127.0.0.1 (5432 / 6379), then an embedded one started here. Each run gets its own database built
by the Alembic migrations, its own arq queue name, and its own SMTP catcher.

Nothing starts or connects until a test asks for it: the unit tests (tests/unit/, run first) ask for
nothing. The run's resources are `shared_*` (session scope); a test asks for them through the fixtures
`services`, `database_url`, `mail`, `settings`, `runtime`, `app` (and `client`, `tokens`, `web`, `logs`
on top of them), each of which brings `clean`: after the test, empty tables, queue and inbox, and the
calendar as shipped. A fixture of wider scope that builds a data set for a whole module (tests/security/)
takes `shared_*` and cleans up itself; such a module asks for `calendar_as_shipped` per test.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar
from sqlalchemy.ext.asyncio import create_async_engine

from erkenning import models
from erkenning.app import create_app
from erkenning.companies.models import Company
from erkenning.core import calendar, migrate
from erkenning.core.audit import service as audit_service
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Environment, LogFormat, Settings
from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, port_answers
from erkenning.register import answers as register_answers
from erkenning.reports.services.advs import AdvService
from erkenning.worker import wiring
from tests.factories import Principal, TokenFactory, World, build_world, make_company
from tests.helpers import LogCapture, MailCatcher, Services, WebClient, asgi_client
from tests.monitoring.seed import Seeder

# Tables whose rows belong to the whole run (never truncated between tests); the criteria the migration ships
# stay too, and what a test published is taken away again (`RESTORE_SHIPPED`).
KEEP_TABLES = {"alembic_version", "audit_event", "criteria_list", "recognition_criterion"}
RESTORE_SHIPPED = (
    "DELETE FROM recognition_criterion WHERE criteria_list_id IN (SELECT id FROM criteria_list WHERE version > 1); "
    "DELETE FROM criteria_list WHERE version > 1; "
    "UPDATE criteria_list SET valid_until = NULL WHERE version = 1 AND valid_until IS NOT NULL"
)
UNIT = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The unit tests first: they need no service and fail fast (the order among the rest is kept)."""
    items.sort(key=lambda item: not item.path.is_relative_to(UNIT))


@pytest.fixture(scope="session")
def shared_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = []
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        if port_answers("127.0.0.1", 5432):
            admin_url = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        else:
            pg = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), fsync=False).start()
            embedded.append(pg)
            admin_url = pg.admin_url
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if port_answers("127.0.0.1", 6379):
            redis_url = "redis://127.0.0.1:6379/0"
        else:
            redis = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
            embedded.append(redis)
            redis_url = redis.url
    admin_url = admin_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield Services(admin_url=admin_url, redis_url=redis_url)
    finally:
        for server in reversed(embedded):
            server.stop()


@pytest.fixture(scope="session")
def shared_database_url(shared_services: Services, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"erkenning_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(migrate.create_database(shared_services.admin_url, name))
    url = shared_services.url_for(name)
    migrate.upgrade(url)
    try:
        yield url
        # Everything the run wrote to the audit trail must still form one unbroken chain.
        request.config.stash[_AUDIT_CHAIN] = asyncio.run(_verify_audit_chain(url))
    finally:
        asyncio.run(migrate.drop_database(shared_services.admin_url, name))


_AUDIT_CHAIN = pytest.StashKey["audit_service.VerifyResult"]()


async def _verify_audit_chain(url: str) -> audit_service.VerifyResult:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await audit_service.verify(conn)
    finally:
        await engine.dispose()


_BROKEN_CHAINS = pytest.StashKey[list[str]]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """`erkenning audit verify` on the run's database after all its writes: a broken chain fails the run.

    Under pytest-xdist (`make test` runs two workers) each worker has a database of its own and checks
    it here; a worker's finding goes to the controlling process (`pytest_testnodedown`), which fails
    the run, since a worker's own exit status does not."""
    config = session.config
    result = config.stash.get(_AUDIT_CHAIN, None)
    broken = list(config.stash.get(_BROKEN_CHAINS, []))
    if result is not None and not result.ok:
        broken.append(f"AUDIT CHAIN BROKEN after the test run: row {result.broken_seq}: {result.reason} "
                      f"({result.rows_checked} rows checked)")
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["audit_chains_broken"] = broken
        return
    if not broken:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    for message in broken:
        if reporter is not None:
            reporter.write_sep("!", message, red=True, bold=True)
        else:
            print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """pytest-xdist: a worker is done; keep what its audit-chain check found for `pytest_sessionfinish`."""
    found = getattr(node, "workeroutput", {}).get("audit_chains_broken", [])
    config: pytest.Config = node.config  # type: ignore[attr-defined]  # xdist's WorkerController
    config.stash.setdefault(_BROKEN_CHAINS, []).extend(found)


@pytest.fixture(scope="session")
def shared_mail() -> Iterator[MailCatcher]:
    catcher = MailCatcher().start()
    try:
        yield catcher
    finally:
        catcher.stop()


@pytest.fixture(scope="session")
def shared_settings(shared_services: Services, shared_database_url: str, shared_mail: MailCatcher) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.TEST,
        database_url=shared_database_url,
        redis_url=shared_services.redis_url,
        # Production gives Redis 0.5 s; a loaded 2-core CI machine sometimes needs longer, and a missed
        # enqueue would only wait for the sweep. Outages in tests stop a real server (refused at once).
        redis_timeout_s=5.0,
        arq_queue_name=f"erkenning:test:{uuid.uuid4().hex[:8]}",
        smtp_host="127.0.0.1",
        smtp_port=shared_mail.port,
        log_format=LogFormat.JSON,
        token_pepper="test-pepper",
        # Most tests sign people in to the pages with a token (as `make run` allows); tests/auth/ turn it off.
        web_token_signin=True,
        outbox_retry_base_s=1.0,
        data_dir=Path(".data/test"),
    )


@pytest.fixture(scope="session")
async def shared_runtime(shared_settings: Settings) -> AsyncIterator[Runtime]:
    """The run's runtime: the API's (the app fixture's) and the worker's, holding the worker's handlers."""
    models.configure()
    rt = Runtime.create(shared_settings, handlers=wiring().handlers)
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture(scope="session")
async def _truncate_sql(shared_runtime: Runtime) -> str:
    """The statement that empties the run's tables between tests.

    TRUNCATE of ~30 tables costs 0.5-1 s (new files for each, exclusive locks) and dominated the suite;
    DELETE of the few rows a test leaves costs milliseconds. Foreign keys are not checked while the
    session replicates (superuser only, as the test role is); elsewhere TRUNCATE does the work. Either
    way the shipped criteria list is put back as the migration made it.
    """
    async with shared_runtime.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        superuser = (await conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))).scalar()
        # The shipped list as rows to put back (a TRUNCATE … CASCADE of `principal` would empty it too).
        reinsert = [row[0] for row in await conn.execute(sa.text(
            "SELECT format('INSERT INTO criteria_list (id, version, valid_from, note) VALUES (%L, %L, %L, %L) "
            "ON CONFLICT DO NOTHING', id, version, valid_from, note) FROM criteria_list WHERE version = 1 "
            "UNION ALL SELECT format('INSERT INTO recognition_criterion (id, criteria_list_id, position, code, "
            "title, description, source) VALUES (%L, %L, %L, %L, %L, %L, %L) ON CONFLICT DO NOTHING', c.id, "
            "c.criteria_list_id, c.position, c.code, c.title, c.description, c.source) FROM recognition_criterion c "
            "JOIN criteria_list l ON l.id = c.criteria_list_id WHERE l.version = 1"
        ))]
    tables = sorted(set(names) - KEEP_TABLES)
    if superuser:
        deletes = "; ".join(f'DELETE FROM "{n}"' for n in tables)
        empty = f"SET LOCAL session_replication_role = replica; {deletes}"
    else:
        empty = f"TRUNCATE {', '.join(f'{chr(34)}{n}{chr(34)}' for n in tables)} RESTART IDENTITY CASCADE"
    async with shared_runtime.engine.begin() as conn:
        await conn.execute(sa.text(
            "CREATE OR REPLACE FUNCTION erkenning_test_clean() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
            f"{empty}; {RESTORE_SHIPPED}; {'; '.join(reinsert).replace(':', chr(92) + ':')}; END $$"
        ))
    return "SELECT erkenning_test_clean()"


@pytest.fixture(scope="session")
def shared_app(shared_runtime: Runtime) -> Litestar:
    return create_app(runtime=shared_runtime)


@pytest.fixture
def calendar_as_shipped() -> Iterator[None]:
    """Days an admin equates in a test apply to this process's calendar (as in production): they end with
    the test, like the table's rows. `clean` brings it; a module that keeps its rows for all its tests
    (the fuzzer, the matrix) asks for it per test itself. In memory only: it needs no service."""
    yield
    calendar.DEFAULT.set_equated(d.day for d in calendar.shipped_equated_days())


@pytest.fixture
async def clean(
    shared_runtime: Runtime, _truncate_sql: str, shared_mail: MailCatcher, calendar_as_shipped: None
) -> AsyncIterator[None]:
    """After the test: empty tables (the audit chain runs on), an empty queue, no rate-limit counts, an empty inbox,
    the calendar as shipped."""
    yield
    async with shared_runtime.engine.begin() as conn:
        # Whatever the test wrote, the register's read model followed the periods (ADR 0016).
        behind = await register_answers.drift(conn)
        await conn.execute(sa.text(_truncate_sql))
    assert behind == 0, f"register_answer differs from the periods in {behind} rows after this test"
    redis = shared_runtime.queue.redis
    queue = shared_runtime.settings.arq_queue_name
    await redis.delete(queue)
    stale = [key async for key in redis.scan_iter(match=f"{queue}:rl:*", count=10_000)]
    if stale:
        await redis.delete(*stale)
    shared_mail.clear()


# The run's resources as a test asks for them: each brings `clean` with it.


@pytest.fixture
def services(shared_services: Services, clean: None) -> Services:
    return shared_services


@pytest.fixture
def database_url(shared_database_url: str, clean: None) -> str:
    return shared_database_url


@pytest.fixture
def mail(shared_mail: MailCatcher, clean: None) -> MailCatcher:
    return shared_mail


@pytest.fixture
def settings(shared_settings: Settings, clean: None) -> Settings:
    return shared_settings


@pytest.fixture
def runtime(shared_runtime: Runtime, clean: None) -> Runtime:
    return shared_runtime


@pytest.fixture
def app(shared_app: Litestar, clean: None) -> Litestar:
    return shared_app


@pytest.fixture
def scratch_db(services: Services) -> Iterator[str]:
    """An empty database of its own (no migration run yet), dropped after the test: for migration tests."""
    name = f"erkenning_scratch_{uuid.uuid4().hex[:10]}"
    asyncio.run(migrate.create_database(services.admin_url, name))
    try:
        yield services.url_for(name)
    finally:
        asyncio.run(migrate.drop_database(services.admin_url, name))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as c:
        yield c


@pytest.fixture
def logs(app: Litestar) -> Iterator[LogCapture]:
    """Every log line written during the test, as rendered (JSON in tests)."""
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)


@pytest.fixture
def tokens(runtime: Runtime) -> TokenFactory:
    return TokenFactory(runtime)


@pytest.fixture
async def web(app: Litestar) -> AsyncIterator[WebClient]:
    """A cookie-keeping client for the pages, signed in by nobody yet (`await web.sign_in_as(tokens, role)`)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield WebClient(http)


# People and things many directories need; a directory that wants them otherwise (with e-mail addresses, say)
# says so in its own conftest.


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


@pytest.fixture
async def other_adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


@pytest.fixture
async def senior(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER)


@pytest.fixture
async def admin(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADMIN)


@pytest.fixture
async def school(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SCHOOL, school_brin="25LX")


@pytest.fixture
async def shipped_advs(runtime: Runtime) -> None:
    """The regional ADVs as their migration loads them (every test empties the tables after it)."""
    async with runtime.transaction() as session:
        await AdvService(session).load_shipped()


@pytest.fixture
async def company(runtime: Runtime) -> Company:
    return await make_company(runtime)


@pytest.fixture
async def world(runtime: Runtime, tokens: TokenFactory) -> World:
    """Staff, a company with its portal account, and helpers to give it recognitions and decisions."""
    return await build_world(runtime, tokens)


@pytest.fixture
async def seeder(runtime: Runtime, adviser: Principal) -> Seeder:
    """An empty seeder of the monitoring's figures, for tests that write a few rows of their own."""
    return Seeder(runtime, adviser.id)
