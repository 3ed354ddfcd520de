"""Administration pages: accounts and tokens (revoking through a form), audit search."""

from __future__ import annotations

import re

import httpx

from erkenning.core.caller import Role
from tests.factories import TokenFactory
from tests.helpers import WebClient, csrf_of


async def test_revoking_a_token_from_the_account_page_signs_its_user_out(
    web: WebClient, tokens: TokenFactory, app
) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Pieter Adviseur")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as other:
        adviser_web = WebClient(other)
        await adviser_web.sign_in(adviser)
        assert (await adviser_web.get("/bedrijven")).status_code == 200

        await web.sign_in_as(tokens, Role.ADMIN)
        accounts = await web.get("/beheer/accounts", params={"rol": "adviser"})
        assert "Pieter Adviseur" in accounts.text
        account = await web.get(f"/beheer/accounts/{adviser.id}")
        assert "actief" in account.text
        action = re.search(r'action="(/beheer/tokens/[^"]+/intrekken)"', account.text)
        assert action
        response = await web.http.post(action.group(1), data={"_csrf": csrf_of(account.text)})
        assert response.status_code == 303
        after = await web.get(response.headers["location"])
        assert "De toegangscode is ingetrokken." in after.text and "ingetrokken</span>" in after.text

        assert (await adviser_web.get("/bedrijven")).status_code == 303


async def test_the_accounts_list_filters_by_role(web: WebClient, tokens: TokenFactory) -> None:
    await tokens.make(Role.SCHOOL, name="ROC Noord meldpunt", school_brin="25LX")
    await web.sign_in_as(tokens, Role.ADMIN, name="De Beheerder")
    schools = await web.get("/beheer/accounts", params={"rol": "school"})
    assert "ROC Noord meldpunt" in schools.text and ">De Beheerder</a>" not in schools.text
    everyone = await web.get("/beheer/accounts")
    assert "ROC Noord meldpunt" in everyone.text and ">De Beheerder</a>" in everyone.text


async def test_the_audit_search_finds_events_by_action_and_explains_wrong_input(
    web: WebClient, tokens: TokenFactory
) -> None:
    admin = await web.sign_in_as(tokens, Role.ADMIN)
    found = await web.get("/beheer/audit", params={"actie": "session.started", "actor": str(admin.id)})
    assert found.status_code == 200
    assert "<code>session.started</code>" in found.text and "1–1 van 1" in found.text
    wrong = await web.get("/beheer/audit", params={"actor": "niet-een-id", "van": "31-12-2026"})
    assert wrong.status_code == 400
    assert 'href="#veld-actor"' in wrong.text and 'href="#veld-van"' in wrong.text
