"""Rate limits: anonymous callers per client address, school tokens higher; 429 with Retry-After, then recovery."""

import asyncio

from erkenning.core.caller import Role
from tests.factories import TokenFactory

VERIFY = "/api/v1/register/verify"
BATCH = "/api/v1/register/verify/batch"
PARAMS = {"company": "100000001", "crebo": "25180", "pathway": "bol"}
# An hour's window: the count cannot roll over while a test runs.
HOUR = 3600


async def test_anonymous_caller_gets_429_with_retry_after_past_the_limit(app_with) -> None:
    async with app_with(register_anon_limit=3, register_anon_window_s=HOUR) as (client, _):
        codes = [(await client.get(VERIFY, params=PARAMS)).status_code for _ in range(3)]
        refused = await client.get(VERIFY, params=PARAMS)
        search = await client.get("/api/v1/register/companies", params={"sbb_id": "1"})
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= HOUR
    assert refused.json()["type"] == "urn:erkenning:problem:rate-limited"
    assert search.status_code == 429  # one budget for the whole register


async def test_limits_are_per_client_address(app_with) -> None:
    async with app_with(register_anon_limit=2, register_anon_window_s=HOUR, trusted_proxies=["127.0.0.1/32"]) as (
        client, _,
    ):
        def via(address: str) -> dict[str, str]:
            return {"X-Forwarded-For": address}

        first = [(await client.get(VERIFY, params=PARAMS, headers=via("203.0.113.7"))).status_code for _ in range(3)]
        other = await client.get(VERIFY, params=PARAMS, headers=via("203.0.113.8"))
    assert first == [200, 200, 429]
    assert other.status_code == 200


async def test_school_tokens_get_their_own_higher_limit(app_with, tokens: TokenFactory) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    async with app_with(register_anon_limit=1, register_anon_window_s=HOUR, register_school_limit=4,
                        register_school_window_s=HOUR) as (client, _):
        anonymous = [(await client.get(VERIFY, params=PARAMS)).status_code for _ in range(2)]
        as_school = [(await client.get(VERIFY, params=PARAMS, headers=school.headers)).status_code for _ in range(5)]
    assert anonymous == [200, 429]
    assert as_school == [200, 200, 200, 200, 429]


async def test_batches_have_their_own_budget(app_with, tokens: TokenFactory) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    body = {"items": [PARAMS]}
    async with app_with(register_batch_limit=2, register_batch_window_s=HOUR) as (client, _):
        codes = [(await client.post(BATCH, json=body, headers=school.headers)).status_code for _ in range(3)]
        single = await client.get(VERIFY, params=PARAMS, headers=school.headers)
    assert codes == [200, 200, 429]
    assert single.status_code == 200


async def test_a_limited_caller_recovers_after_the_window(app_with) -> None:
    async with app_with(register_anon_limit=2, register_anon_window_s=1) as (client, _):
        for _ in range(10):  # a one-second window may roll over between requests: go until refused
            refused = await client.get(VERIFY, params=PARAMS)
            if refused.status_code == 429:
                break
        assert refused.status_code == 429
        await asyncio.sleep(int(refused.headers["retry-after"]))
        assert (await client.get(VERIFY, params=PARAMS)).status_code == 200


async def test_zero_switches_a_limit_off(app_with) -> None:
    async with app_with(register_anon_limit=0) as (client, _):
        codes = {(await client.get(VERIFY, params=PARAMS)).status_code for _ in range(70)}
    assert codes == {200}


async def test_where_to_report_is_limited_per_address_apart_from_the_register(app_with) -> None:
    async with app_with(register_anon_limit=2, register_anon_window_s=HOUR) as (client, _):
        where = "/api/v1/register/where-to-report"
        codes = [(await client.get(where, params={"postcode": "3511 AB"})).status_code for _ in range(2)]
        refused = await client.get(where, params={"postcode": "3511 AB"})
        bad_too = await client.get(where, params={"postcode": "bad"})  # counted before the input is read
        register = await client.get(VERIFY, params=PARAMS)
    assert codes == [200, 200]
    assert refused.status_code == 429 and bad_too.status_code == 429
    assert register.status_code == 200  # a budget of its own
