"""The benchmark's ceiling routes live on its own app only (the harness's pure checks are in
tests/unit/test_bench.py)."""

from bench import ceilings
from erkenning.app import create_app
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, make_company
from tests.helpers import asgi_client

CASE_CEILING = "/api/v1/backoffice/investigations-ceiling/"


async def test_the_ceiling_routes_live_only_on_the_benchmarks_app(
    client, runtime: Runtime, tokens: TokenFactory
) -> None:
    company = await make_company(runtime)
    adviser = await tokens.make(Role.ADVISER)
    # The product's app has no benchmark route (there is no setting that would add one).
    assert not any("ceiling" in route.path for route in create_app(runtime=runtime).routes)
    assert (await client.get(f"/api/v1/register/_ceiling/{company.id}")).status_code == 404
    assert (await client.get(CASE_CEILING, headers=adviser.headers)).status_code == 404

    async with asgi_client(ceilings.create_app(runtime=runtime)) as bench:
        response = await bench.get(f"/api/v1/register/_ceiling/{company.id}")
        assert response.json() == {"id": str(company.id)}
        cases = await bench.get(CASE_CEILING, headers=adviser.headers)
        assert cases.status_code == 200 and cases.json() == []
        # Behind the same token check as the case list.
        anonymous = await bench.get(CASE_CEILING)
        assert anonymous.status_code == (await bench.get("/api/v1/backoffice/investigations/")).status_code != 200
        schema = (await bench.get("/schema/openapi.json")).json()
    assert not any("ceiling" in path for path in schema["paths"])
    assert "/api/v1/register/verify" in schema["paths"]
