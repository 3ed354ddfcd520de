"""Attachments to objections over the API: a company adds PDFs and images to its own pending objection,
judged by their content, size and count (a bad upload is a 4xx and nothing is kept); staff read every
objection's files; nobody else reads them."""

from __future__ import annotations

import httpx
import pytest

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition import attachments
from erkenning.recognition.attachments import safe_filename, sniff
from tests.factories import TokenFactory, World
from tests.helpers import PORTAL, scalar

BACKOFFICE = "/api/v1/backoffice/objections"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


async def _objection(client: httpx.AsyncClient, world: World) -> str:
    """A suspension sent today and the company's pending objection to it."""
    decision_id = await world.decide("suspend", [await world.granted()], until_reinstated=True)
    filed = await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                              headers=world.company.headers)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["id"])


async def _upload(client: httpx.AsyncClient, url: str, headers: dict, name: str, content: bytes,
                  media_type: str = "application/pdf") -> httpx.Response:
    return await client.post(url, files={"file": (name, content, media_type)}, headers=headers)


async def _count(runtime: Runtime) -> int:
    return int(await scalar(runtime, "SELECT count(*) FROM objection_attachment") or 0)


def test_the_type_is_judged_by_the_first_bytes_and_the_name_gets_the_judged_extension() -> None:
    assert sniff(PDF) == "application/pdf" and sniff(PNG) == "image/png" and sniff(JPEG) == "image/jpeg"
    assert sniff(b"<html><script>alert(1)</script>") is None and sniff(b"GIF89a") is None
    assert safe_filename("C:\\stukken\\brief van 3-3.PDF", "application/pdf") == "brief van 3-3.pdf"
    assert safe_filename('../../"x"<y>.exe', "image/png") == "xy.png"
    assert safe_filename(None, "image/jpeg") == "bijlage.jpg"
    assert safe_filename("foto\u202e.jpg", "image/jpeg") == "foto.jpg"  # no bidi override in a shown name


async def test_the_company_adds_a_pdf_to_its_objection_and_downloads_it(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    objection_id = await _objection(client, world)
    url = f"{PORTAL}/objections/{objection_id}/attachments"
    added = await _upload(client, url, world.company.headers, "verklaring praktijkopleider.pdf", PDF)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["media_type"] == "application/pdf" and body["size_bytes"] == len(PDF)
    assert body["filename"] == "verklaring praktijkopleider.pdf" and len(body["sha256"]) == 64
    listed = (await client.get(url, headers=world.company.headers)).json()
    assert [a["id"] for a in listed] == [body["id"]]
    got = await client.get(f"{url}/{body['id']}", headers=world.company.headers)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith('attachment; filename="verklaring praktijkopleider.pdf"')
    assert got.headers["x-content-type-options"] == "nosniff"
    staff = await client.get(f"{BACKOFFICE}/{objection_id}/attachments/{body['id']}", headers=world.adviser.headers)
    assert staff.status_code == 200 and staff.content == PDF


async def test_an_image_sent_under_another_name_is_kept_as_what_it_is(
    client: httpx.AsyncClient, world: World
) -> None:
    objection_id = await _objection(client, world)
    added = await _upload(client, f"{PORTAL}/objections/{objection_id}/attachments", world.company.headers,
                          "scan.pdf", PNG, "application/pdf")
    assert added.status_code == 201 and added.json()["media_type"] == "image/png"
    assert added.json()["filename"] == "scan.png"


@pytest.mark.parametrize(
    ("name", "content", "status", "problem"),
    [
        ("brief.pdf", b"<html><script>alert(1)</script></html>", 415, "attachment-type-refused"),
        ("leeg.pdf", b"", 422, "attachment-empty"),
        ("groot.pdf", b"%PDF-" + b"0" * attachments.MAX_BYTES, 413, "attachment-too-large"),
    ],
)
async def test_a_bad_file_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, world: World, runtime: Runtime, name: str, content: bytes, status: int, problem: str
) -> None:
    objection_id = await _objection(client, world)
    refused = await _upload(client, f"{PORTAL}/objections/{objection_id}/attachments", world.company.headers,
                            name, content)
    assert refused.status_code == status, refused.text[:300]
    if status != 413 or refused.headers.get("content-type", "").startswith("application/problem+json"):
        assert refused.json()["type"] == f"urn:erkenning:problem:{problem}"
    assert await _count(runtime) == 0


async def test_a_form_without_a_file_is_a_422(client: httpx.AsyncClient, world: World, runtime: Runtime) -> None:
    objection_id = await _objection(client, world)
    refused = await client.post(f"{PORTAL}/objections/{objection_id}/attachments", data={"other": "x"},
                                files={"other_file": ("a.pdf", PDF, "application/pdf")},
                                headers=world.company.headers)
    assert refused.status_code in (400, 422) and await _count(runtime) == 0


async def test_no_more_than_the_limit_of_files_to_one_objection(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    objection_id = await _objection(client, world)
    url = f"{PORTAL}/objections/{objection_id}/attachments"
    for n in range(attachments.MAX_FILES):
        assert (await _upload(client, url, world.company.headers, f"{n}.pdf", PDF)).status_code == 201
    refused = await _upload(client, url, world.company.headers, "te veel.pdf", PDF)
    assert refused.status_code == 422 and refused.json()["type"] == "urn:erkenning:problem:too-many-attachments"
    assert await _count(runtime) == attachments.MAX_FILES


async def test_nothing_is_added_to_an_objection_that_is_no_longer_pending(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    objection_id = await _objection(client, world)
    withdrawn = await client.post(f"{PORTAL}/objections/{objection_id}/withdraw", headers=world.company.headers)
    assert withdrawn.status_code == 200
    refused = await _upload(client, f"{PORTAL}/objections/{objection_id}/attachments", world.company.headers,
                            "laat.pdf", PDF)
    assert refused.status_code == 409 and await _count(runtime) == 0


async def test_another_company_and_a_school_never_reach_the_files(
    client: httpx.AsyncClient, world: World, tokens: TokenFactory, runtime: Runtime
) -> None:
    objection_id = await _objection(client, world)
    url = f"{PORTAL}/objections/{objection_id}/attachments"
    attachment_id = (await _upload(client, url, world.company.headers, "a.pdf", PDF)).json()["id"]
    other = await tokens.make(Role.COMPANY)
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.get(f"{url}/{attachment_id}", headers=other.headers)).status_code == 404
    assert (await _upload(client, url, other.headers, "b.pdf", PDF)).status_code == 404
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    assert (await client.get(f"{BACKOFFICE}/{objection_id}/attachments", headers=school.headers)).status_code == 403
    assert (await client.get(url, headers=world.adviser.headers)).status_code == 403  # staff use the back office
    assert await _count(runtime) == 1


async def test_staff_list_and_add_a_scan_to_an_objection(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    objection_id = await _objection(client, world)
    url = f"{BACKOFFICE}/{objection_id}/attachments"
    added = await _upload(client, url, world.adviser.headers, "scan.jpg", JPEG, "image/jpeg")
    assert added.status_code == 201 and added.json()["media_type"] == "image/jpeg"
    listed = (await client.get(url, headers=world.adviser.headers)).json()
    assert [a["filename"] for a in listed] == ["scan.jpg"]
    assert (await client.get(f"{PORTAL}/objections/{objection_id}/attachments",
                             headers=world.company.headers)).json()[0]["id"] == added.json()["id"]
    audited = await scalar(runtime, "SELECT detail->>'objection_id' FROM audit_event WHERE object_id = :id "
                           "AND action = 'objection_attachment.added'", id=added.json()["id"])
    assert audited == objection_id


async def test_the_upload_routes_are_documented_as_multipart(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    for base in ("/api/v1/portal", "/api/v1/backoffice"):
        operation = schema["paths"][f"{base}/objections/{{objection_id}}/attachments"]["post"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert operation["summary"] and "PDF, PNG or JPEG" in operation["description"]
