"""Schemathesis against the app's own OpenAPI document, as each audience of each operation.

The app runs under uvicorn on a free port, in a thread with its own event loop and its own pools (the
asyncpg pools of the test session's loop cannot serve another loop). Every operation is called as
each audience the declared access table (tests/security/access.py) allows on it, with positive and
negative data; every built-in check of Schemathesis runs on every answer: no 5xx, status codes,
content types, headers and bodies as documented, schema-valid input accepted and invalid input
refused with 4xx. Generation is derandomised, so a run is reproducible; the number of examples per
operation and role is bounded (FUZZ_EXAMPLES, default 6) to keep the suite's time.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
import sqlalchemy as sa
import uvicorn
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from erkenning.app import create_app
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from tests.factories import Principal, TokenFactory
from tests.security import access

# The module keeps its principals, but what a test equates in this process's calendar (the server runs in
# a thread here) ends with the test.
pytestmark = pytest.mark.usefixtures("calendar_as_shipped")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Every built-in check runs but one. `positive_data_acceptance` (ST202) wants every schema-valid
# request accepted; this API refuses with 422, by design, schema-valid input that breaks rules JSON
# Schema cannot state: exactly one set of search keys; a company named by at least one identifier; a
# session or an e-learning, not both; an end after its start; referenced ids that must exist; text
# that is empty once stripped of spaces; a webhook that must be an https URL of a public address; a
# postcode's letter pair that no Dutch postcode uses. Where a rule can be stated (a pattern, a
# length, a range, no unknown fields) the document states it, and `negative_data_rejection` holds
# the API to it.
EXCLUDED = [positive_data_acceptance]
ROLE_OF_KIND = {
    access.COMPANY: Role.COMPANY, access.SCHOOL: Role.SCHOOL, access.ADVISER: Role.ADVISER,
    access.SENIOR: Role.SENIOR_ADVISER, access.ADMIN: Role.ADMIN,
}
_TYPED = re.compile(r"\{(\w+):\w+\}")


def _schema() -> Any:
    settings = Settings(_env_file=None, database_url="postgresql+asyncpg://x@127.0.0.1/x",  # type: ignore[call-arg]
                        redis_url="redis://127.0.0.1")
    # Unknown query parameters are ignored, as HTTP APIs commonly do, and OpenAPI cannot declare a
    # closed set of them: Schemathesis must not count sending one as invalid input.
    config = schemathesis.Config.from_dict({"generation": {"allow-extra-parameters": False}})
    return schemathesis.openapi.from_dict(create_app(settings=settings).openapi_schema.to_schema(), config=config)


SCHEMA = _schema()
RULES = {(m, _TYPED.sub(r"{\1}", p)): rule for (m, p), rule in access.ROUTES.items()}


def _cases() -> list[Any]:
    """Each operation as each audience it has: anonymous, company, school, and SBB staff. Staff roles
    take turns (which of them may call is the matrix's question; how input is handled is this one's),
    so that every role is used and the run stays within its time."""
    cases = []
    turn = 0
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        rule = RULES[(operation.method.upper(), operation.path)]
        kinds = sorted(rule.allowed - {k for k, v in rule.expect.items() if v != "ok"})
        staff = [k for k in kinds if k in (access.ADVISER, access.SENIOR, access.ADMIN)]
        if len(staff) > 1:
            kinds = [k for k in kinds if k not in staff] + [staff[turn % len(staff)]]
            turn += 1
        for kind in kinds:
            cases.append(pytest.param(operation, kind, id=f"{operation.method.upper()} {operation.path} as {kind}"))
    return cases


@pytest.fixture(scope="module")
async def fuzz_tokens(shared_runtime: Runtime, _truncate_sql: str) -> AsyncIterator[dict[str, Principal]]:
    """The module's principals live until the module ends, not one test (no `clean` after each)."""
    factory = TokenFactory(shared_runtime)
    made = {kind: await factory.make(role, school_brin="25LX" if role is Role.SCHOOL else None)
            for kind, role in ROLE_OF_KIND.items()}
    try:
        yield made
    finally:
        async with shared_runtime.engine.begin() as conn:
            await conn.execute(sa.text(_truncate_sql))


@pytest.fixture(scope="module")
def server(shared_settings: Settings) -> Iterator[str]:
    """The app under uvicorn, owning its runtime (created in the server's loop by the lifespan)."""
    fuzz_settings = shared_settings.model_copy(update={
        "register_anon_limit": 0, "register_school_limit": 0, "register_batch_limit": 0,
        "report_intake_limit": 1_000_000, "report_receipt_limit": 1_000_000,
        "certificate_check_per_minute": 1_000_000, "web_signin_limit": 1_000_000,
        "auth_failure_limit": 0,  # the fuzzer's bad-token probes would lock its own address out
    })
    port = free_port()
    config = uvicorn.Config(create_app(settings=fuzz_settings), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


@pytest.mark.parametrize(("operation", "kind"), _cases())
def test_operation_keeps_its_contract(server: str, fuzz_tokens: dict[str, Principal], operation: Any,
                                      kind: str) -> None:
    headers = fuzz_tokens[kind].headers if kind in fuzz_tokens else {}
    session = requests.Session()
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(base_url=server, session=session, headers=headers, excluded_checks=EXCLUDED,
                              timeout=120)  # the yearly report draws charts: slow on a busy machine

    try:
        run()
    finally:
        session.close()
