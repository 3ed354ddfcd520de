"""A school's webhook and subscriptions: secrets shown once, safe addresses only, its own rows only."""

import pytest
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.register.models import SchoolWebhook
from tests.factories import TokenFactory, make_company

SCHOOL = "/api/v1/register/school"
LOCAL = ["127.0.0.0/8"]


@pytest.fixture
async def school(tokens: TokenFactory):
    return await tokens.make(Role.SCHOOL, school_brin="25LX", email="stagebureau@roc.example")


@pytest.fixture
async def other_school(tokens: TokenFactory):
    return await tokens.make(Role.SCHOOL, school_brin="31GH")


async def test_webhook_secret_is_shown_once_and_not_stored(app_with, school, runtime: Runtime) -> None:
    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        issued = await client.put(f"{SCHOOL}/webhook", json={"url": "http://127.0.0.1:9/hook"}, headers=school.headers)
        assert issued.status_code == 200, issued.text
        secret = issued.json()["secret"]
        assert secret.startswith("whsec_") and len(secret) > 40
        shown = (await client.get(f"{SCHOOL}/webhook", headers=school.headers)).json()
        assert "secret" not in shown and shown["secret_hint"] == secret[-4:]
        again = (await client.put(f"{SCHOOL}/webhook", json={"url": "http://127.0.0.1:9/hook"},
                                  headers=school.headers)).json()
    assert again["secret"] != secret  # registering again rotates the secret
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.select(SchoolWebhook.__table__))).mappings().one()
    assert all(again["secret"] not in str(value) for value in row.values())


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",  # loopback
        "https://localhost/hook",  # a name for loopback
        "https://10.1.2.3/hook",  # private
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",  # private, dressed as IPv6
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",  # public, but not https
        "ftp://93.184.215.14/hook",
        "https://user:secret@93.184.215.14/hook",  # credentials in the URL
        "https://93.184.215.14:99999/hook",
        "not a url",
    ],
)
async def test_webhook_must_be_https_to_a_public_address(client, school, url) -> None:
    response = await client.put(f"{SCHOOL}/webhook", json={"url": url}, headers=school.headers)
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == {"url"}


async def test_subscribe_by_sbb_id_or_establishment_number(app_with, school, runtime: Runtime) -> None:
    first, second = await make_company(runtime, name="Kapsalon Knip"), await make_company(runtime)
    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        await client.put(f"{SCHOOL}/webhook", json={"url": "http://127.0.0.1:9/hook"}, headers=school.headers)
        by_id = await client.post(f"{SCHOOL}/subscriptions", json={"company": first.sbb_id}, headers=school.headers)
        by_establishment = await client.post(
            f"{SCHOOL}/subscriptions", json={"company": second.establishment_number, "channel": "email"},
            headers=school.headers,
        )
        twice = await client.post(f"{SCHOOL}/subscriptions", json={"company": first.sbb_id}, headers=school.headers)
        listed = (await client.get(f"{SCHOOL}/subscriptions", headers=school.headers)).json()
    assert by_id.status_code == 201, by_id.text
    assert {k: by_id.json()[k] for k in ("company", "name", "channel", "email")} == {
        "company": first.sbb_id, "name": "Kapsalon Knip", "channel": "webhook", "email": None,
    }
    assert by_establishment.status_code == 201
    assert (by_establishment.json()["company"], by_establishment.json()["email"]) == (
        second.sbb_id, "stagebureau@roc.example",  # the token holder's address when none is given
    )
    assert twice.status_code == 409
    assert listed["total"] == 2


async def test_subscribing_needs_a_known_company_and_a_way_to_deliver(client, school, tokens, runtime) -> None:
    company = await make_company(runtime)
    unknown = await client.post(f"{SCHOOL}/subscriptions", json={"company": "999999999"}, headers=school.headers)
    assert unknown.status_code == 404
    no_webhook = await client.post(f"{SCHOOL}/subscriptions", json={"company": company.sbb_id}, headers=school.headers)
    assert no_webhook.status_code == 422 and no_webhook.json()["errors"][0]["field"] == "channel"
    mute = await tokens.make(Role.SCHOOL, school_brin="12AB")  # no e-mail address on the account
    no_address = await client.post(f"{SCHOOL}/subscriptions", json={"company": company.sbb_id, "channel": "email"},
                                   headers=mute.headers)
    assert no_address.status_code == 422 and no_address.json()["errors"][0]["field"] == "email"
    smuggled = await client.post(f"{SCHOOL}/subscriptions",
                                 json={"company": company.sbb_id, "channel": "email", "school_brin": "31GH"},
                                 headers=school.headers)
    assert smuggled.status_code == 422


async def test_a_school_sees_only_its_own_subscriptions(client, school, other_school, runtime) -> None:
    company = await make_company(runtime)
    mine = (await client.post(f"{SCHOOL}/subscriptions", json={"company": company.sbb_id, "channel": "email"},
                              headers=school.headers)).json()
    url = f"{SCHOOL}/subscriptions/{mine['id']}"
    assert (await client.get(url, headers=other_school.headers)).status_code == 404
    assert (await client.delete(url, headers=other_school.headers)).status_code == 404
    assert (await client.get(f"{SCHOOL}/subscriptions", headers=other_school.headers)).json()["total"] == 0
    assert (await client.get(url, headers=school.headers)).status_code == 200
    assert (await client.delete(url, headers=school.headers)).status_code == 204
    assert (await client.get(url, headers=school.headers)).status_code == 404


@pytest.mark.parametrize(("who", "status"), [(None, 401), (Role.ADVISER, 403), (Role.COMPANY, 403)])
async def test_school_routes_are_for_schools(client, tokens: TokenFactory, who, status) -> None:
    headers = (await tokens.make(who)).headers if who else {}
    for method, path in (("GET", "/subscriptions"), ("GET", "/deliveries"), ("GET", "/webhook"),
                         ("PUT", "/webhook")):
        response = await client.request(method, f"{SCHOOL}{path}", headers=headers, json={"url": "https://x.example"})
        assert response.status_code == status, (method, path)


async def test_subscribing_and_webhooks_are_audited_without_addresses(app_with, school, runtime: Runtime) -> None:
    from erkenning.core.audit.models import AuditEvent

    company = await make_company(runtime)
    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        await client.put(f"{SCHOOL}/webhook", json={"url": "http://127.0.0.1:9/hook"}, headers=school.headers)
        sub = (await client.post(f"{SCHOOL}/subscriptions", json={"company": company.sbb_id, "channel": "email"},
                                 headers=school.headers)).json()
        await client.delete(f"{SCHOOL}/subscriptions/{sub['id']}", headers=school.headers)
    async with runtime.session_factory() as session:
        rows = (await session.exec(
            sa.select(AuditEvent).where(AuditEvent.actor_id == school.id).order_by(AuditEvent.seq)
        )).scalars().all()
    assert [r.action for r in rows] == ["webhook.registered", "subscription.created", "subscription.deleted"]
    assert rows[1].detail == {"company_id": str(company.id), "channel": "email"}
    assert all("roc.example" not in str(r.detail) and "127.0.0.1:9" not in str(r.detail) for r in rows)
