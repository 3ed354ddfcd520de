"""The one-time e-mail link of companies' and schools' contacts: the same answer for any address, limits per
address and per client, 15 minutes, once, in the browser that asked; removing a contact ends its sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.auth.contacts import ContactService
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from tests.factories import make_company
from tests.helpers import MailCatcher, WebClient, csrf_of, drain_queue

ADMIN = Caller(principal_id=None, role=Role.ADMIN, name="test admin")


async def _contact(runtime: Runtime, email: str = "hr@korenaar.example", **scope) -> None:
    if not scope:
        scope = {"company_id": (await make_company(runtime)).id}
    async with runtime.transaction() as session:
        await ContactService(session).add(ADMIN, email=email, name="Ilse de Boer", **scope)


async def _ask(web: WebClient, email: str) -> httpx.Response:
    return await web.submit("/inloggen", "/inloggen/link", data={"email": email})


async def _link(web: WebClient, settings, mail: MailCatcher, email: str) -> str:
    response = await _ask(web, email)
    assert response.status_code == 200, response.text
    await drain_queue(settings)
    [message] = mail.to(email)
    match = re.search(r"https?://[^/\s]+(/inloggen/link/\S+)", MailCatcher.text(message))
    assert match
    return match.group(1)


async def _use(web: WebClient, path: str) -> httpx.Response:
    page = await web.get(path)
    if page.status_code != 200:
        return page
    return await web.http.post(path, data={"_csrf": csrf_of(page.text)})


def _without_csrf(html: str) -> str:
    return re.sub(r'name="_csrf" value="[^"]*"', "", html)


async def _audited(runtime: Runtime, action: str) -> list[dict]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT result, detail FROM audit_event WHERE action = :a ORDER BY seq DESC LIMIT 1"
        ), {"a": action})
        return [dict(r) for r in rows.mappings()]


async def test_a_known_and_an_unknown_address_get_the_same_page(web, runtime, settings, mail) -> None:
    await _contact(runtime)
    known = await _ask(web, "hr@korenaar.example")
    unknown = await _ask(web, "niemand@korenaar.example")
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.text) == _without_csrf(unknown.text)
    await drain_queue(settings)
    assert len(mail.to("hr@korenaar.example")) == 1
    assert mail.to("niemand@korenaar.example") == []


async def test_the_link_signs_in_once(web, runtime, settings, mail) -> None:
    await _contact(runtime)
    path = await _link(web, settings, mail, "hr@korenaar.example")
    signed_in = await _use(web, path)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    assert "Welkom, Ilse de Boer" in (await web.get("/")).text
    await web.sign_out()
    again = await web.get(path)
    assert again.status_code == 410 and "al gebruikt" in again.text


async def test_the_link_does_not_work_after_15_minutes(web, runtime, settings, mail) -> None:
    await _contact(runtime)
    path = await _link(web, settings, mail, "hr@korenaar.example")
    with clock.travel(timedelta(minutes=15, seconds=1)):
        page = await web.get(path)
        assert page.status_code == 410 and "verlopen" in page.text
        # Posting the button anyway (a page opened before) is refused, and audited.
        refused = await web.http.post(path, data={"_csrf": csrf_of((await web.get("/inloggen")).text)})
    assert refused.status_code == 410
    assert (await web.get("/")).status_code == 303  # not signed in
    [row] = await _audited(runtime, "sign_in_link.refused")
    assert row == {"result": "denied", "detail": {"reason": "expired"}}


async def test_the_link_works_within_15_minutes(web, runtime, settings, mail) -> None:
    await _contact(runtime)
    path = await _link(web, settings, mail, "hr@korenaar.example")
    with clock.travel(timedelta(minutes=14)):
        assert (await _use(web, path)).status_code == 303


async def test_the_link_does_not_work_in_another_browser(web, app, runtime, settings, mail) -> None:
    await _contact(runtime)
    path = await _link(web, settings, mail, "hr@korenaar.example")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as other:
        elsewhere = WebClient(other)
        page = await elsewhere.get(path)
        assert page.status_code == 410 and "alleen in de browser" in page.text
        forced = await other.post(path, data={"_csrf": csrf_of((await elsewhere.get("/inloggen")).text)})
        assert forced.status_code == 410
    [row] = await _audited(runtime, "sign_in_link.refused")
    assert row["detail"] == {"reason": "other_browser"}
    # Not spent: it still works where it was asked for.
    assert (await _use(web, path)).status_code == 303


async def test_a_forged_link_is_unknown(web) -> None:
    forged = "/inloggen/link/" + "0" * 32 + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert (await web.get(forged)).status_code == 404
    assert (await web.get("/inloggen/link/nonsense")).status_code == 404


async def test_links_are_limited_per_address_and_per_client(web, runtime, settings, mail) -> None:
    await _contact(runtime)
    for _ in range(settings.sign_in_link_address_limit):
        assert (await _ask(web, "HR@korenaar.example")).status_code == 200
    limited = await _ask(web, "hr@korenaar.example")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    # The same answer past the limit for an unknown address: the limit tells nothing either.
    for n in range(settings.sign_in_link_client_limit - settings.sign_in_link_address_limit - 1):
        assert (await _ask(web, f"iemand{n}@example.org")).status_code == 200
    assert (await _ask(web, "nog-iemand@example.org")).status_code == 429
    await drain_queue(settings)
    assert len(mail.to("hr@korenaar.example")) == settings.sign_in_link_address_limit


async def test_an_invalid_address_is_refused_on_the_form(web) -> None:
    response = await _ask(web, "geen-adres")
    assert response.status_code == 422 and "naam@voorbeeld.nl" in response.text


async def test_a_removed_contact_s_link_and_session_end(web, runtime, settings, mail) -> None:
    company = await make_company(runtime)
    await _contact(runtime, company_id=company.id)
    path = await _link(web, settings, mail, "hr@korenaar.example")
    assert (await _use(web, path)).status_code == 303
    async with runtime.transaction() as session:
        contacts = ContactService(session)
        [contact] = await contacts.list(ADMIN, company_id=company.id)
        await contacts.remove(ADMIN, contact.id)
    assert (await web.get("/")).status_code == 303  # the session ended with the contact


async def test_a_school_contact_signs_in_as_its_school(web, runtime, settings, mail) -> None:
    await _contact(runtime, "meldpunt@roc.example", school_brin="25LX")
    path = await _link(web, settings, mail, "meldpunt@roc.example")
    assert (await _use(web, path)).status_code == 303
    assert (await web.get("/school/controleren")).status_code == 200


async def test_token_sign_in_only_where_the_setting_allows_it(app_with, tokens) -> None:
    app = app_with(web_token_signin=False)
    principal = await tokens.make(Role.ADVISER)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        web = WebClient(http)
        page = await web.get("/inloggen")
        assert 'name="token"' not in page.text
        response = await http.post("/inloggen", data={"_csrf": csrf_of(page.text), "token": principal.token})
        assert response.status_code == 403 and "erk_session" not in response.cookies
        # API tokens are unchanged.
        api = await http.get("/api/v1/backoffice/companies", headers={"Authorization": f"Bearer {principal.token}"})
        assert api.status_code == 200


async def test_spent_links_are_purged_a_day_after_their_expiry(web, runtime, settings, mail) -> None:
    from erkenning.web.tasks import purge_web_sessions

    await _contact(runtime)
    await _link(web, settings, mail, "hr@korenaar.example")
    count = "SELECT count(*) FROM sign_in_link"
    await purge_web_sessions({"runtime": runtime})
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text(count))).scalar_one() == 1
    with clock.travel(timedelta(days=1, minutes=16)):
        await purge_web_sessions({"runtime": runtime})
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text(count))).scalar_one() == 0
