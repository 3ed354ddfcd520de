"""The published API is the enforced API: each mismatch Schemathesis once found between the document and
the server, both ways, held here on its own (the fuzzing in test_fuzz_openapi.py looks for new ones).

Schema-invalid input is refused (422) and changes nothing; schema-valid input is accepted; and where the
document states a bound, the server holds exactly that bound.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar import Litestar

from erkenning.companies.schemas import normalise_postcode
from erkenning.core.settings import Settings
from erkenning.http.openapi import NOT_BLANK, NUL_FREE
from tests.factories import Principal

_B = "/api/v1/backoffice"
COURSE = {
    "code": "WS-CONTRACT", "title": "Werven zonder vooroordelen", "format": "workshop",
    "topics": ["discrimination_free_recruitment"], "duration_minutes": 180,
}


@pytest.fixture
def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def _parameter(document: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path][method]["parameters"]
    return next(p["schema"] for p in parameters if p["name"] == name)


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas in a schema (a nullable one is an anyOf/oneOf with null)."""
    members = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [m for m in members if m.get("type") == "string"]


# ------------------------------------------------------------- strict types: a number is no boolean


async def test_a_number_is_not_a_boolean_for_qualifications(client: httpx.AsyncClient, admin: Principal) -> None:
    refused = await client.post(f"{_B}/qualifications", headers=admin.headers,
                                json={"crebo": "25999", "name": "Contract", "level": 2, "active": 0})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "active"
    assert (await client.get(f"{_B}/qualifications", params={"crebo": "25999"}, headers=admin.headers)).json()[
        "total"] == 0
    created = await client.post(f"{_B}/qualifications", headers=admin.headers,
                                json={"crebo": "25999", "name": "Contract", "level": 2, "active": False})
    assert created.status_code == 201, created.text
    url = f"{_B}/qualifications/{created.json()['id']}"
    assert (await client.patch(url, headers=admin.headers, json={"active": 1})).status_code == 422
    assert (await client.get(url, headers=admin.headers)).json()["active"] is False
    assert (await client.patch(url, headers=admin.headers, json={"active": True})).json()["active"] is True


async def test_a_number_is_not_a_boolean_for_courses(client: httpx.AsyncClient, adviser: Principal) -> None:
    for field in ("active", "for_new_companies"):
        refused = await client.post(f"{_B}/training/courses", headers=adviser.headers, json={**COURSE, field: 0})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
    assert (await client.get(f"{_B}/training/courses", headers=adviser.headers)).json()["total"] == 0
    created = await client.post(f"{_B}/training/courses", headers=adviser.headers, json={**COURSE, "active": True})
    assert created.status_code == 201, created.text
    url = f"{_B}/training/courses/{created.json()['id']}"
    refused = await client.patch(url, headers=adviser.headers, json={"version": 1, "active": 0})
    assert refused.status_code == 422
    assert (await client.get(url, headers=adviser.headers)).json() == created.json()


# ------------------------------------------------------------- strict types: a float is no date-time


@pytest.mark.parametrize(("path", "name"), [
    (f"{_B}/admin/audit", "until"), (f"{_B}/admin/audit", "since"), (f"{_B}/training/sessions", "starts_from"),
])
async def test_a_number_is_not_a_date_time_in_a_query(
    client: httpx.AsyncClient, admin: Principal, path: str, name: str
) -> None:
    for loose in ("0.5", "1700000000", "0"):
        refused = await client.get(path, params={name: loose}, headers=admin.headers)
        assert refused.status_code == 422, (name, loose, refused.text)
        assert refused.json()["errors"] == [{"field": name, "message": refused.json()["errors"][0]["message"]}]
        assert "ISO 8601" in refused.json()["errors"][0]["message"]
    for written in ("2026-01-31T09:00:00+01:00", "2026-01-31T08:00:00Z"):
        assert (await client.get(path, params={name: written}, headers=admin.headers)).status_code == 200


async def test_a_number_is_not_a_date_in_a_query(client: httpx.AsyncClient, admin: Principal) -> None:
    path = f"{_B}/recognitions/reassessment-due"
    assert (await client.get(path, params={"noticed_since": "20260131"}, headers=admin.headers)).status_code == 422
    assert (await client.get(path, params={"noticed_since": "2026-01-31"}, headers=admin.headers)).status_code == 200


# ------------------------------------------------------------- bounds the server holds are in the document


async def test_a_batch_holds_at_most_the_declared_items(
    client: httpx.AsyncClient, school: Principal, document: dict[str, Any], settings: Settings
) -> None:
    declared = _component(document, "BatchRequest")["properties"]["items"]
    assert declared["maxItems"] == settings.register_batch_max_items == 1000
    item = {"company": "12345678", "crebo": "25100", "pathway": "bbl"}
    over = await client.post("/api/v1/register/verify/batch", headers=school.headers,
                             json={"items": [item] * (declared["maxItems"] + 1)})
    assert over.status_code == 422
    full = await client.post("/api/v1/register/verify/batch", headers=school.headers,
                             json={"items": [item] * declared["maxItems"]})
    assert full.status_code == 200 and len(full.json()["items"]) == declared["maxItems"]


async def test_within_days_declares_the_minimum_it_holds(
    client: httpx.AsyncClient, adviser: Principal, document: dict[str, Any]
) -> None:
    path = f"{_B}/recognitions/reassessment-due"
    assert _parameter(document, "get", path, "within_days")["minimum"] == 0
    assert _parameter(document, "get", path, "offset")["minimum"] == 0
    assert (await client.get(path, params={"within_days": -1}, headers=adviser.headers)).status_code == 422
    assert (await client.get(path, params={"within_days": 0}, headers=adviser.headers)).status_code == 200


def test_every_free_string_of_the_document_refuses_a_nul(document: dict[str, Any]) -> None:
    """A string without a pattern, an enum or a format of its own carries the NUL-free pattern."""
    loose: list[str] = []

    def walk(node: Any, at: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and not ({"pattern", "enum", "format", "const"} & node.keys()):
                loose.append(at)
            for key, value in node.items():
                walk(value, f"{at}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{at}/{i}")

    walk(document, "")
    assert loose == []
    for pattern in [s["pattern"] for s in _strings(_parameter(document, "get", f"{_B}/admin/audit", "action"))] + [
        _component(document, "ReasonIn")["properties"]["reason"]["pattern"],
    ]:
        assert pattern in (NUL_FREE, NOT_BLANK)
        assert not re.search(pattern, "a\x00b") and re.search(pattern, "een reden")
    # A shape that strips its strings says that one of only white space is no text.
    assert _component(document, "ReasonIn")["properties"]["reason"]["pattern"] == NOT_BLANK
    assert not re.search(NOT_BLANK, " \t\r\n") and re.search(NOT_BLANK, " x ")


async def test_a_nul_in_a_query_string_or_the_send_back_reason_is_refused(
    client: httpx.AsyncClient, admin: Principal, senior: Principal
) -> None:
    refused = await client.get(f"{_B}/admin/audit", params={"action": "a\x00b"}, headers=admin.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "action"
    case = "00000000-0000-4000-8000-000000000000"
    refused = await client.post(f"{_B}/investigations/{case}/send-back", headers=senior.headers,
                                json={"reason": "niet\x00goed"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"


POSTCODES = [
    "1234 AB", "1234AB", "1234ab", " 1234  ab ", "9999 ZZ", "1000 SB", "1000 sz", "1234 SA", "1234 sd", "1234 SS",
    "0123 AB", "123 AB", "12345 AB", "1234 A", "1234 ABC", "1234-AB", "NL1234AB", "1234\tAB", "", "abcd ef",
    "\t1234AB\n", " 1000 AA     ", "1234    AB",
]


def test_the_declared_postcode_pattern_is_exactly_what_the_server_accepts(document: dict[str, Any]) -> None:
    declared = _component(document, "CompanyCreate")["properties"]["postcode"]
    pattern = declared["pattern"]
    assert "maxLength" not in declared  # it would count white space the server strips first
    for text in POSTCODES:
        try:
            normalise_postcode(text.strip())  # a body's strings are stripped before they are checked
            accepted = True
        except ValueError:
            accepted = False
        assert bool(re.search(pattern, text)) is accepted, text


async def test_a_postcode_the_pattern_refuses_is_refused(client: httpx.AsyncClient, adviser: Principal) -> None:
    company = {"name": "Contract BV", "kvk_number": "12345678", "establishment_number": "000012345678",
               "postcode": "1234 SA", "city": "Utrecht", "sector": "handel"}
    refused = await client.post(f"{_B}/companies", headers=adviser.headers, json=company)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "postcode"
    created = await client.post(f"{_B}/companies", headers=adviser.headers, json={**company, "postcode": "1234ab"})
    assert created.status_code == 201, created.text
    assert created.json()["postcode"] == "1234 AB"


def test_https_only_urls_are_declared(document: dict[str, Any]) -> None:
    online = _strings(_component(document, "SessionCreate")["properties"]["online_url"])[0]["pattern"]
    webhook = _component(document, "WebhookSet")["properties"]["url"]["pattern"]
    assert re.search(online, "https://meet.example.nl/sessie") and not re.search(online, "http://meet.example.nl/")
    assert not re.search(online, "ftp://x.nl") and not re.search(webhook, "ftp://x.nl")
    assert re.search(webhook, "https://school.example.nl/hook") and not re.search(webhook, "https://u:p@x.nl/")


async def test_an_online_link_that_is_not_https_is_refused(client: httpx.AsyncClient, adviser: Principal) -> None:
    course = await client.post(f"{_B}/training/courses", headers=adviser.headers, json=COURSE)
    url = f"{_B}/training/courses/{course.json()['id']}/sessions"
    session = {"starts_at": "2030-03-01T09:00:00+01:00", "ends_at": "2030-03-01T12:00:00+01:00", "capacity": 10}
    refused = await client.post(url, headers=adviser.headers, json={**session, "online_url": "http://meet.example.nl/x"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "online_url"
    created = await client.post(url, headers=adviser.headers, json={**session, "online_url": "https://meet.example.nl/x"})
    assert created.status_code == 201, created.text


# ------------------------------------------------------------- nullable means: null is accepted


async def test_null_in_a_course_update_leaves_the_field_as_it_is(
    client: httpx.AsyncClient, adviser: Principal, document: dict[str, Any]
) -> None:
    nullable = [name for name, field in _component(document, "CourseUpdate")["properties"].items()
                if any(m.get("type") == "null" for m in field.get("anyOf", []))]
    assert set(nullable) == {
        "title", "description", "topics", "duration_minutes", "active", "for_new_companies", "online_url",
    }
    link = "https://leren.example.nl/start"
    created = (await client.post(f"{_B}/training/courses", headers=adviser.headers,
                                 json={**COURSE, "online_url": link})).json()
    assert created["online_url"] == link
    url = f"{_B}/training/courses/{created['id']}"
    kept = [name for name in nullable if name not in ("title", "online_url")]
    updated = await client.patch(url, headers=adviser.headers,
                                 json={"version": 1, **dict.fromkeys(kept), "title": "Nieuwe titel"})
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert after["title"] == "Nieuwe titel" and after["version"] == 2 and after["online_url"] == link
    for name in kept:
        assert after[name] == created[name], name
    # The one field that can be emptied: null removes the link.
    emptied = await client.patch(url, headers=adviser.headers, json={"version": 2, "online_url": None})
    assert emptied.status_code == 200 and emptied.json()["online_url"] is None


async def test_a_webhook_host_that_is_no_host_name_is_refused_not_a_server_error(
    client: httpx.AsyncClient, school: Principal
) -> None:
    for url in ("https://I\u00da_g\u008c}\u0080\U00015e8a\u008c#x", "https://" + "a" * 70 + ".nl/"):
        refused = await client.put("/api/v1/register/school/webhook", headers=school.headers, json={"url": url})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{"field": "url", "message": "not a valid URL"}]
