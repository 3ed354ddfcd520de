"""Cross-cutting HTTP behaviour: health, problem+json on every error path, headers, request ids."""

import json

from litestar import Litestar, get
from litestar.di import NamedDependency
from pydantic import BaseModel

from erkenning.app import create_app
from erkenning.companies.service import CompanyService
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.http.dependencies import DbSession, SettingsDep, provide
from erkenning.web.providers import PROVIDERS
from tests.factories import TokenFactory
from tests.helpers import asgi_client

PROBLEM = "application/problem+json"


def _assert_problem(response, status: int, type_suffix: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"urn:erkenning:problem:{type_suffix}"
    assert body["title"]
    assert "Traceback" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_ready_when_both_services_answer(client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}}


async def test_ready_is_503_naming_redis_when_redis_is_unreachable(settings: Settings) -> None:
    from erkenning.devtools.embedded import free_port

    broken = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    runtime = Runtime.create(broken)
    try:
        async with asgi_client(create_app(runtime=runtime)) as client:
            response = await client.get("/health/ready")
            body = _assert_problem(response, 503, "service-unavailable")
            assert body["checks"] == {"postgres": "ok", "redis": "unreachable"}
            assert "redis" in body["detail"]
            assert (await client.get("/health/live")).status_code == 200
    finally:
        await runtime.close()


async def test_unknown_route_is_problem_json(client) -> None:
    _assert_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")


async def test_wrong_method_is_problem_json(client) -> None:
    _assert_problem(await client.delete("/health/live"), 405, "method-not-allowed")


async def test_validation_error_names_the_field(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    response = await client.post(
        "/api/v1/backoffice/admin/principals", json={"name": "x", "role": "nobody"}, headers=admin.headers
    )
    body = _assert_problem(response, 422, "validation-error")
    assert any(e["field"] == "role" for e in body["errors"])


async def test_malformed_json_is_400(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    response = await client.post(
        "/api/v1/backoffice/admin/principals",
        content=b'{"name": ',
        headers={**admin.headers, "content-type": "application/json"},
    )
    _assert_problem(response, 400, "malformed-body")


async def test_oversized_body_is_413(client, tokens: TokenFactory, settings: Settings) -> None:
    admin = await tokens.make(Role.ADMIN)
    big = json.dumps({"name": "x" * (settings.max_request_body_bytes + 10), "role": "admin"})
    response = await client.post(
        "/api/v1/backoffice/admin/principals",
        content=big.encode(),
        headers={**admin.headers, "content-type": "application/json"},
    )
    _assert_problem(response, 413, "payload-too-large")


class _Echo(BaseModel):
    secret: str


async def test_unhandled_exception_is_500_without_traceback_and_logged(runtime: Runtime, logs) -> None:
    @get("/boom", exclude_from_auth=True)
    async def boom() -> _Echo:
        raise RuntimeError("internal detail that must not leak")

    app: Litestar = create_app(runtime=runtime, extra_route_handlers=[boom])
    async with asgi_client(app) as client:
        response = await client.get("/boom", headers={"X-Request-ID": "trace-me-123"})
    body = _assert_problem(response, 500, "internal-error")
    assert "internal detail" not in response.text
    assert body["request_id"] == "trace-me-123"
    error_lines = logs.events("request.unhandled_exception")
    assert error_lines and error_lines[0]["request_id"] == "trace-me-123"
    assert error_lines[0]["level"] == "error"


async def test_an_injected_service_is_built_on_the_request_session(runtime: Runtime) -> None:
    """One transaction per request: a provided service holds the request's own session (and settings)."""

    @get("/injected", exclude_from_auth=True,
         dependencies={"companies": provide(CompanyService), "auth": provide(AuthService)})
    async def injected(
        session: DbSession, settings: SettingsDep, companies: NamedDependency[CompanyService],
        auth: NamedDependency[AuthService],
    ) -> dict[str, bool]:
        return {"same_session": companies.session is session and auth.session is session,
                "settings": auth.settings is settings}

    app: Litestar = create_app(runtime=runtime, extra_route_handlers=[injected])
    async with asgi_client(app) as client:
        response = await client.get("/injected")
    assert response.status_code == 200, response.text
    assert response.json() == {"same_session": True, "settings": True}


async def test_injected_services_are_not_parameters_of_the_published_api(client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    parameters = {
        p["name"] for operations in spec["paths"].values() for operation in operations.values()
        if isinstance(operation, dict) for p in operation.get("parameters", [])
    }
    assert parameters and not parameters & set(PROVIDERS)


async def test_request_id_is_generated_or_accepted_and_security_headers_set(client) -> None:
    generated = await client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32
    accepted = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert accepted.headers["x-request-id"] == "abc-123"
    hostile = await client.get("/health/live", headers={"X-Request-ID": "x\" onload=1 " + "y" * 100})
    assert hostile.headers["x-request-id"] != "x\" onload=1 " + "y" * 100
    for header in ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy"):
        assert header in generated.headers


async def test_cors_is_closed_unless_configured(client) -> None:
    response = await client.options(
        "/api/v1/register", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_openapi_schema_is_served(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    assert any(p.startswith("/api/v1/backoffice") for p in spec["paths"])
    assert (await client.get("/schema/swagger")).status_code == 200
    assert (await client.get("/schema/redoc")).status_code == 200


async def test_metrics_are_exposed(client) -> None:
    await client.get("/health/live")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "erkenning_http_requests_total" in response.text
    assert "erkenning_outbox_pending" in response.text
