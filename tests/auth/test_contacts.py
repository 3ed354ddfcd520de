"""Contacts (who may act for a company or school, and sign in by e-mail link): admins for all, a company and a
school for their own, through the API and the pages; scoped in the query, audited."""

from __future__ import annotations

import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.helpers import post_form

API = "/api/v1"


async def _audit_actions(runtime: Runtime) -> list[str]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT action FROM audit_event WHERE action LIKE 'contact.%' ORDER BY seq DESC LIMIT 5"
        ))
        return [r[0] for r in rows]


async def test_an_admin_adds_a_company_contact_and_the_company_sees_and_removes_it(client, tokens, runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    company = await tokens.make(Role.COMPANY)
    other = await tokens.make(Role.COMPANY)
    body = {"email": "HR@Bedrijf.example", "name": "Ilse de Boer"}
    made = await client.post(f"{API}/backoffice/admin/companies/{company.company_id}/contacts", json=body,
                             headers=admin.headers)
    assert made.status_code == 201, made.text
    contact = made.json()
    assert contact["email"] == "hr@bedrijf.example" and contact["company_id"] == str(company.company_id)

    duplicate = await client.post(f"{API}/portal/contacts", json=body, headers=other.headers)
    assert duplicate.status_code == 409

    own = await client.get(f"{API}/portal/contacts", headers=company.headers)
    assert [c["id"] for c in own.json()] == [contact["id"]]
    assert (await client.get(f"{API}/portal/contacts", headers=other.headers)).json() == []
    # Another company cannot remove it: not found, exactly as an unknown id.
    assert (await client.delete(f"{API}/portal/contacts/{contact['id']}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"{API}/portal/contacts/{contact['id']}", headers=company.headers)).status_code == 204
    assert (await client.get(f"{API}/portal/contacts", headers=company.headers)).json() == []
    async with runtime.engine.connect() as conn:
        active = (await conn.execute(sa.text("SELECT active FROM principal WHERE id = :p"),
                                     {"p": contact["principal_id"]})).scalar_one()
    assert active is False
    assert (await _audit_actions(runtime))[:2] == ["contact.removed", "contact.added"]


async def test_a_school_manages_its_own_contacts(client, tokens) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    other = await tokens.make(Role.SCHOOL, school_brin="31GH")
    made = await client.post(f"{API}/register/school/contacts", json={"email": "stage@roc.example", "name": "Jan"},
                             headers=school.headers)
    assert made.status_code == 201 and made.json()["school_brin"] == "25LX"
    assert (await client.get(f"{API}/register/school/contacts", headers=other.headers)).json() == []
    admin = await tokens.make(Role.ADMIN)
    listed = await client.get(f"{API}/backoffice/admin/schools/25LX/contacts", headers=admin.headers)
    assert [c["email"] for c in listed.json()] == ["stage@roc.example"]


async def test_contacts_are_refused_bad_input_and_unknown_companies(client, tokens) -> None:
    admin = await tokens.make(Role.ADMIN)
    company = await tokens.make(Role.COMPANY)
    for body in ({"email": "geen-adres", "name": "X"}, {"email": "a@b.example", "name": ""},
                 {"email": "a@b.example", "name": "X", "company_id": str(company.company_id)}):
        assert (await client.post(f"{API}/portal/contacts", json=body, headers=company.headers)).status_code in (400, 422)
    unknown = "00000000-0000-0000-0000-000000000000"
    response = await client.post(f"{API}/backoffice/admin/companies/{unknown}/contacts",
                                 json={"email": "a@b.example", "name": "X"}, headers=admin.headers)
    assert response.status_code == 404
    adviser = await tokens.make(Role.ADVISER)
    response = await client.get(f"{API}/backoffice/admin/companies/{company.company_id}/contacts",
                                headers=adviser.headers)
    assert response.status_code == 403


async def test_a_company_manages_its_contacts_on_its_pages(web, tokens) -> None:
    company = await web.sign_in_as(tokens, Role.COMPANY)
    page = await web.get("/portaal/contactpersonen")
    assert page.status_code == 200 and "Er zijn nog geen contactpersonen." in page.text
    added = await post_form(web, "/portaal/contactpersonen", "/portaal/contactpersonen",
                            {"name": "Ilse de Boer", "email": "hr@korenaar.example"})
    assert added.status_code == 303
    listed = await web.get("/portaal/contactpersonen")
    assert "hr@korenaar.example" in listed.text and "De contactpersoon is toegevoegd" in listed.text
    wrong = await post_form(web, "/portaal/contactpersonen", "/portaal/contactpersonen",
                            {"name": "Ilse", "email": "geen-adres"})
    assert wrong.status_code == 422 and "naam@voorbeeld.nl" in wrong.text
    again = await post_form(web, "/portaal/contactpersonen", "/portaal/contactpersonen",
                            {"name": "Ilse", "email": "HR@korenaar.example"})
    assert again.status_code == 422 and "al contactpersoon" in again.text
    assert company.company_id is not None


async def test_an_admin_manages_a_company_s_contacts_from_its_card(web, tokens) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    company = await tokens.make(Role.COMPANY)
    card = await web.get(f"/bedrijven/{company.company_id}")
    here = f"/beheer/contactpersonen?bedrijf={company.company_id}"
    assert here in card.text
    added = await post_form(web, here, here, {"name": "Ilse de Boer", "email": "hr@korenaar.example"})
    assert added.status_code == 303 and added.headers["location"] == here
    assert "hr@korenaar.example" in (await web.get(here)).text
