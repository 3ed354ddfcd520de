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
# Every built-in check runs, `positive_data_acceptance` and `negative_data_rejection` included: input the
# document calls valid is accepted (2xx, or 401/403/404/409 for a caller, an id or a state that does not
# fit), input it calls invalid is refused. A rule JSON Schema cannot state (which keys go together, an end
# after its start, a referenced row that must exist, a working day, an address that must be public) is
# written in its operation's description instead; there, and only there, a 422 with that rule's own
# message is accepted for schema-valid input (`UNSTATED`: operation → the messages of its rules).
UNSTATED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/register/companies"): "search with exactly one of",
    ("POST", "/api/v1/backoffice/objections/{objection_id}/decide"):
        "only an upheld objection restores|give the date it explains|never before it took effect|states its reason",
    ("POST", "/api/v1/backoffice/criteria"): "today or later|must be after version|each code once|explicit criterion",
    ("POST", "/api/v1/backoffice/recognitions/{recognition_id}/assessments"):
        "not dated in the future|after the grant|each criterion once|not in criteria list|judged in the future|assessed_on",
    ("PUT", "/api/v1/register/school/webhook"): "public address|not a valid URL|cannot be resolved|https://",
    ("POST", "/api/v1/register/reports"): "name the company|incident date",
    ("POST", "/api/v1/register/school/reports"): "name the company|incident date",
    ("POST", "/api/v1/backoffice/reports"): "name the company|incident date",
    ("POST", "/api/v1/backoffice/admin/principals"): "required for, and only for",
    ("POST", "/api/v1/backoffice/companies"): "not a valid email address",
    ("PATCH", "/api/v1/backoffice/companies/{company_id}"): "not a valid email address",
    ("GET", "/api/v1/register/where-to-report"): "give either a school",
    ("POST", "/api/v1/register/school/subscriptions"): "not a valid email address",
    ("PUT", "/api/v1/register/school/reporting-points/{brin}"): "give at least one of email, phone and url",
    ("POST", "/api/v1/backoffice/advs"): "give at least one of email, phone and url|named twice",
    ("PUT", "/api/v1/backoffice/advs/{adv_id}"): "give at least one of email, phone and url|named twice",
    ("GET", "/api/v1/backoffice/recognitions/{recognition_id}/history"): "give answered_on or answered_at, not both",
    ("POST", "/api/v1/backoffice/training/sessions/{session_id}/attendance"): "each participation may appear once",
    ("POST", "/api/v1/portal/training/participations"): "give either session_id or course_id",
    ("POST", "/api/v1/backoffice/training/participations"): "give either session_id or course_id",
    ("POST", "/api/v1/backoffice/training/courses/{course_id}/sessions"):
        "ends_at must be after|enrolment_closes_at must not be after|give a location or an online_url|"
        "e-learning has no sessions|course is not active",
    ("POST", "/api/v1/backoffice/decisions"):
        "no such recognition|each recognition once|suspension|effective_until|placements_until|urgent_reason",
    ("GET", "/api/v1/backoffice/monitoring/indicators"): "give from and to|from and to go together",
    ("GET", "/api/v1/backoffice/monitoring/indicators.csv"): "give from and to|from and to go together",
    ("PUT", "/api/v1/backoffice/admin/stagepact-targets/{indicator}/{year}"): "in the catalogue",
    ("POST", "/api/v1/backoffice/admin/calendar"): "not a working day|is outside|already",
    ("POST", "/api/v1/backoffice/training/completions/import"): "NUL character|UTF-8 text|missing column|line",
    ("POST", "/api/v1/backoffice/qualifications/import"):
        "NUL character|UTF-8 text|no file|is empty|lacks the column|line|row",
}
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


def _drops_authorization(case: Any) -> bool:
    mutations = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "mutations", None) or ()
    return any(str(m.original_value).lower() == "authorization" for m in mutations)


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
        # The yearly report draws charts: slow on a busy machine.
        # A negative case may leave the token out on purpose (a required header missing): then so do we.
        token = {} if _drops_authorization(case) else headers
        response = case.call(base_url=server, session=session, headers=token, timeout=120)
        rule = UNSTATED.get((operation.method.upper(), operation.path))
        stated = rule is not None and response.status_code == 422 and re.search(rule, response.text)
        case.validate_response(response, headers=token, excluded_checks=[positive_data_acceptance] if stated else [],
                               transport_kwargs={"base_url": server, "session": session, "headers": token})

    try:
        run()
    finally:
        session.close()


def test_each_rule_beyond_the_schema_is_in_its_operations_description() -> None:
    """Where the fuzzing accepts a 422 for schema-valid input, the document tells the client why."""
    for method, path in UNSTATED:
        operation = SCHEMA.raw_schema["paths"][path][method.lower()]
        assert "Beyond the schema (422 naming the rule): " in operation.get("description", ""), (method, path)
