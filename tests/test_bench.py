"""The benchmark harness is not a test; this checks that it imports, reads wrk's output right, and that its
ceiling routes live on its own app only."""

from bench import ceilings
from bench.register import parse_wrk
from erkenning.app import create_app
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.helpers import TokenFactory, asgi_client, make_company

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    1.23ms  30.00ms   90.00%
    Req/Sec     6.25k   500.00     7.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    5.50ms
     90%    6.20ms
     99%    1.20s
  62500 requests in 10.00s, 10.00MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   6250.50
Transfer/sec:      1.00MB
"""


def test_bench_imports_and_parses_wrk_output() -> None:
    from bench.__main__ import main  # the harness's entry point imports cleanly

    assert callable(main)

    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_s == 6250.50
    assert result.p50_ms == 0.812 and result.p99_ms == 1200.0
    assert (result.non_2xx, result.requests) == (12, 62500)


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
