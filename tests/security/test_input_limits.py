"""Bad input at the edge: too big, malformed, NUL bytes, over-long text, fields a caller may not set.

Every case gets a 4xx (problem+json from the API, a page from the web interface), never a 500, and
leaves the database as it was (row counts compared before and after).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, facts, make_company
from tests.helpers import WebClient, csrf_of

B = "/api/v1/backoffice"
TABLES = ("company", "qualification", "recognition", "decision", "objection", "participation", "report",
          "report_confidential", "course", "principal", "api_token", "school_subscription")


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.engine.connect() as conn:
        return {t: (await conn.execute(sa.text(f'SELECT count(*) FROM "{t}"'))).scalar_one() for t in TABLES}


async def unchanged(runtime: Runtime, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """Make the call and check that no table gained or lost a row."""
    before = await counts(runtime)
    response = await call()
    assert response.status_code < 500, response.text
    assert await counts(runtime) == before
    return response


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def company_body(**fields: Any) -> dict[str, Any]:
    return {"kvk_number": "12345678", "establishment_number": "000012345678", "name": "Bakkerij De Korenaar",
            "postcode": "3511 AB", "city": "Utrecht", "sector": "handel", **fields}


# --- size -----------------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_413_problem_and_changes_nothing(client, runtime, adviser) -> None:
    big = company_body(name="x" * (runtime.settings.max_request_body_bytes + 10))
    response = await unchanged(runtime, lambda: client.post(f"{B}/companies", json=big, headers=adviser.headers))
    assert problem(response, 413)["type"] == "urn:erkenning:problem:payload-too-large"


async def test_an_oversized_csv_upload_is_413_and_loads_nothing(client, runtime, admin) -> None:
    line = "25180,Kok,2\n"
    csv = "crebo,name,level\n" + line * (runtime.settings.max_request_body_bytes // len(line) + 10)
    plain = await unchanged(runtime, lambda: client.post(
        f"{B}/qualifications/import", content=csv, headers={**admin.headers, "content-type": "text/csv"}))
    problem(plain, 413)
    upload = await unchanged(runtime, lambda: client.post(
        f"{B}/training/completions/import", files={"file": ("c.csv", csv.encode(), "text/csv")}, headers=admin.headers))
    problem(upload, 413)


async def test_the_anonymous_report_has_its_own_smaller_limit(client, runtime) -> None:
    body = {**facts(), "confidential": {"narrative": "x" * 40_000}}
    problem(await unchanged(runtime, lambda: client.post("/api/v1/register/reports", json=body)), 413)


async def test_an_oversized_form_is_a_413_page(web: WebClient, runtime: Runtime, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    token = csrf_of((await web.get("/bedrijven/nieuw")).text)
    data = {"_csrf": token, **company_body(name="x" * (runtime.settings.max_request_body_bytes + 10))}
    response = await unchanged(runtime, lambda: web.http.post("/bedrijven/nieuw", data=data))
    assert response.status_code == 413 and "text/html" in response.headers["content-type"]


# --- malformed JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"{", b'{"name": }', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"[]", b'"a string"', b"null",
], ids=["open", "no value", "not utf-8", "deep arrays", "deep objects", "array", "string", "null"])
async def test_malformed_or_misshapen_json_is_400_or_422(client, runtime, adviser, raw: bytes) -> None:
    response = await unchanged(runtime, lambda: client.post(
        f"{B}/companies", content=raw, headers={**adviser.headers, "content-type": "application/json"}))
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- NUL bytes ------------------------------------------------------------------------------------


async def test_a_nul_byte_in_a_json_string_is_422_naming_the_field(client, runtime, adviser) -> None:
    body = company_body(name="Bakkerij\x00De Korenaar")
    response = await unchanged(runtime, lambda: client.post(f"{B}/companies", json=body, headers=adviser.headers))
    assert "name" in json.dumps(problem(response, 422)["errors"])


async def test_a_nul_byte_in_nested_json_is_422_naming_the_path(client, runtime, tokens) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    body = {**facts(), "confidential": {"reporter_name": "A\x00B"}}
    response = await unchanged(runtime, lambda: client.post("/api/v1/register/school/reports", json=body,
                                                            headers=school.headers))
    assert "reporter_name" in json.dumps(problem(response, 422)["errors"])


@pytest.mark.parametrize("path,params", [
    ("/api/v1/register/companies", {"name": "Bakkerij\x00", "postcode": "3511 AB"}),
    ("/api/v1/register/companies", {"kvk_number": "1234\x005678"}),
    ("/api/v1/register/verify", {"company": "1\x002", "crebo": "25180", "pathway": "bol"}),
    (f"{B}/companies", {"name": "Bakkerij\x00"}),
    (f"{B}/qualifications", {"name": "Kok\x00"}),
    (f"{B}/admin/audit", {"action": "company\x00.created"}),
])
async def test_a_nul_byte_in_a_query_is_422(client, runtime, admin, path: str, params: dict[str, str]) -> None:
    response = await unchanged(runtime, lambda: client.get(path, params=params, headers=admin.headers))
    body = problem(response, 422)
    assert any(name in json.dumps(body) for name in params)


async def test_a_nul_byte_in_a_path_is_refused(client, runtime) -> None:
    for path in ("/api/v1/register/companies/12%0034", "/api/v1/register/certificates/AB%00CD", "/register/12%0034"):
        response = await unchanged(runtime, lambda path=path: client.get(path))
        assert response.status_code in (404, 422), (path, response.text)


async def test_a_nul_byte_in_a_csv_is_refused_and_loads_nothing(client, runtime, admin) -> None:
    csv = "crebo,name,level\n25180,Kok\x00,2\n"
    response = await unchanged(runtime, lambda: client.post(
        f"{B}/qualifications/import", content=csv, headers={**admin.headers, "content-type": "text/csv"}))
    assert response.status_code == 422 or (response.status_code == 200 and response.json()["errors"]), response.text


async def test_a_nul_byte_in_a_form_re_renders_it_with_the_error(web: WebClient, runtime: Runtime,
                                                                   tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    token = csrf_of((await web.get("/bedrijven/nieuw")).text)
    data = {"_csrf": token, **company_body(name="Bakkerij\x00De Korenaar")}
    response = await unchanged(runtime, lambda: web.http.post("/bedrijven/nieuw", data=data))
    assert response.status_code == 422, response.text
    assert 'name="kvk_number"' in response.text and "Naam bevat een teken dat niet is toegestaan." in response.text
    assert "\x00" not in response.text


async def test_a_nul_byte_in_a_page_query_is_not_a_server_error(web: WebClient, runtime: Runtime,
                                                                 tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    for path in ("/bedrijven?naam=a%00b", "/register?kvk=1234%005678", "/meldingen?status=%00"):
        response = await unchanged(runtime, lambda path=path: web.get(path))
        assert response.status_code in (200, 400, 422), (path, response.status_code)


# --- over-long text -----------------------------------------------------------------------------------


async def test_over_long_text_is_422_naming_the_field(client, runtime, adviser) -> None:
    for field in ("name", "city", "street"):
        body = company_body(**{field: "x" * 5_000})
        response = await unchanged(runtime, lambda body=body: client.post(f"{B}/companies", json=body, headers=adviser.headers))
        assert field in json.dumps(problem(response, 422)["errors"])


async def test_an_over_long_query_value_is_not_a_server_error(client, runtime, admin) -> None:
    for path, params in ((f"{B}/companies", {"name": "x" * 5_000}), ("/api/v1/register/companies",
                                                                    {"name": "x" * 5_000, "postcode": "3511 AB"})):
        response = await unchanged(runtime, lambda path=path, params=params: client.get(path, params=params, headers=admin.headers))
        assert response.status_code in (200, 422), response.text


# --- mass assignment ----------------------------------------------------------------------------------

PROTECTED = {"id": str(uuid4()), "status": "active", "created_at": "2020-01-01T00:00:00Z", "version": 7}


async def test_staff_cannot_set_protected_fields_on_create(client, runtime, adviser) -> None:
    company = await make_company(runtime)
    cases = [
        (f"{B}/companies", company_body(**PROTECTED)),
        (f"{B}/recognitions", {"company_id": str(company.id), "crebo": "25180", "pathway": "bol", **PROTECTED}),
        (f"{B}/decisions", {"kind": "grant", "recognition_ids": [str(uuid4())], "grounds": "g", "legal_basis": "b",
                            "status": "sent", "approved_by": str(adviser.id)}),
        (f"{B}/reports", {**facts(company), "channel": "phone", "status": "substantiated",
                          "assigned_to": str(adviser.id)}),
    ]
    for path, body in cases:
        response = await unchanged(runtime, lambda path=path, body=body: client.post(path, json=body, headers=adviser.headers))
        assert response.status_code == 422, (path, response.text)
    patch = await unchanged(runtime, lambda: client.patch(
        f"{B}/companies/{company.id}", json={"id": str(uuid4()), "sbb_id": "1"}, headers=adviser.headers))
    assert patch.status_code == 422, patch.text


async def test_a_company_cannot_set_protected_fields(client, runtime, tokens) -> None:
    own = await tokens.make(Role.COMPANY)
    other = await make_company(runtime)
    cases = [
        ("/api/v1/portal/training/participations",
         {"session_id": str(uuid4()), "status": "completed", "company_id": str(other.id)}),
        (f"/api/v1/portal/decisions/{uuid4()}/objections",
         {"grounds": "Oneens", "status": "upheld", "company_id": str(other.id), **PROTECTED}),
        (f"/api/v1/portal/hearings/{uuid4()}/answer", {"answer": "Zo zit het", "company_id": str(other.id)}),
    ]
    for path, body in cases:
        response = await unchanged(runtime, lambda path=path, body=body: client.post(path, json=body, headers=own.headers))
        assert response.status_code == 422, (path, response.text)
        assert any(k in json.dumps(response.json()["errors"]) for k in ("status", "company_id", "id"))


async def test_a_school_cannot_set_protected_fields(client, runtime, tokens) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    body = {**facts(), "status": "substantiated", "school_brin": "31GH", "assigned_to": str(uuid4())}
    response = await unchanged(runtime, lambda: client.post("/api/v1/register/school/reports", json=body,
                                                            headers=school.headers))
    assert response.status_code == 422, response.text


async def test_an_upload_form_without_its_file_is_422(client, runtime, admin) -> None:
    body = b'--XX\r\nContent-Disposition: form-data; name=""\r\n\r\n926\r\n--XX--\r\n'
    response = await unchanged(runtime, lambda: client.post(
        f"{B}/training/completions/import", content=body,
        headers={**admin.headers, "content-type": "multipart/form-data; boundary=XX"}))
    assert "file" in json.dumps(problem(response, 422)["errors"])


async def test_over_long_text_in_a_form_re_renders_it_with_the_error(web: WebClient, runtime: Runtime,
                                                                     tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    token = csrf_of((await web.get("/bedrijven/nieuw")).text)
    data = {"_csrf": token, **company_body(name="x" * 5_000)}
    response = await unchanged(runtime, lambda: web.http.post("/bedrijven/nieuw", data=data))
    assert response.status_code == 422, response.text
    assert "Naam mag hoogstens 200 tekens lang zijn." in response.text
