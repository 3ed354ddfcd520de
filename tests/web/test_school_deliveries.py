"""A school's delivery log: the notices sent about the companies it follows, its own only, filterable."""

from __future__ import annotations

import re

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.register.models import DeliveryStatus
from tests.factories import TokenFactory, make_company, make_delivery
from tests.helpers import WebClient


async def test_a_school_reads_its_own_delivery_log_and_filters_it(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    bakery = await make_company(runtime, name="Bakkerij Brood")
    garage = await make_company(runtime, name="Garage Gas")
    bakery_sub = await make_delivery(
        runtime, "25LX", bakery, DeliveryStatus.DELIVERED, code=204, minutes_ago=5, corrected=True
    )
    await make_delivery(runtime, "25LX", garage, DeliveryStatus.FAILED, code=500, error="gave up after 3 attempts")
    await make_delivery(runtime, "99ZZ", garage, DeliveryStatus.PENDING)  # another school's

    log = await web.get("/school/bezorgingen")
    assert log.status_code == 200
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", log.text, re.S)
    assert len(rows) == 2  # not the other school's
    assert garage.sbb_id in rows[0] and "mislukt</span>" in rows[0] and "HTTP 500" in rows[0]
    assert "gave up after 3 attempts" in rows[0] and "crebo 25180 (BBL)" in rows[0]
    assert bakery.sbb_id in rows[1] and "bezorgd</span>" in rows[1] and "HTTP 204" in rows[1]
    assert "Correctie" in rows[1] and "Correctie" not in rows[0]  # a notice that corrects an earlier answer

    failed = await web.get("/school/bezorgingen", params={"status": "failed"})
    assert failed.text.count("mislukt</span>") == 1 and "bezorgd</span>" not in failed.text
    pending = await web.get("/school/bezorgingen", params={"status": "pending"})
    assert "Er zijn (nog) geen berichten met deze status." in pending.text
    one = await web.get("/school/bezorgingen", params={"abonnement": str(bakery_sub.id)})
    assert bakery.sbb_id in one.text and "HTTP 500" not in one.text and "Alle bezorgingen tonen" in one.text

    subscriptions = await web.get("/school/abonnementen")
    assert f'href="/school/bezorgingen?abonnement={bakery_sub.id}"' in subscriptions.text


async def test_a_wrong_filter_is_explained(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    wrong = await web.get("/school/bezorgingen", params={"status": "lost"})
    assert wrong.status_code == 400 and 'href="#veld-status"' in wrong.text
    unknown = await web.get("/school/bezorgingen", params={"abonnement": "nope"})
    assert unknown.status_code == 400 and "Dit abonnement bestaat niet." in unknown.text


async def test_another_schools_subscription_shows_nothing(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    garage = await make_company(runtime, name="Garage Gas")
    theirs = await make_delivery(runtime, "99ZZ", garage, DeliveryStatus.DELIVERED, code=204)
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    page = await web.get("/school/bezorgingen", params={"abonnement": str(theirs.id)})
    assert page.status_code == 200 and garage.sbb_id not in page.text and "Er zijn (nog) geen berichten" in page.text


async def test_only_schools_see_the_delivery_log(web: WebClient, tokens: TokenFactory) -> None:
    for role in (Role.COMPANY, Role.ADVISER):
        await web.sign_in_as(tokens, role)
        assert (await web.get("/school/bezorgingen")).status_code == 403
        await web.sign_out()
    assert (await web.get("/school/bezorgingen")).status_code == 303
