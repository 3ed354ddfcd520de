"""E-learning completions from the learning platform: signed webhook and CSV upload, both idempotent."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.outbox import OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.training.models import Participation, ParticipationStatus
from erkenning.training.services.completions import sign
from tests.factories import TokenFactory, make_company, post_course
from tests.helpers import TRAINING, MailCatcher, drain_queue, enrol

WEBHOOK = "/api/v1/integrations/learning-platform/completions"


def signed(
    settings: Settings, body: bytes, *, at: int | None = None, secret: str | None = None
) -> dict[str, str]:
    timestamp = at if at is not None else int(time.time())
    key = secret or settings.learning_platform_webhook_secret.get_secret_value()
    return {
        "X-Signature": sign(key, timestamp, body),
        "X-Signature-Timestamp": str(timestamp),
        "Content-Type": "application/json",
    }


def completion(course: dict[str, Any], sbb_id: str, completion_id: str = "cmp-1", **extra: Any) -> bytes:
    body = {
        "completion_id": completion_id,
        "course_code": course["code"],
        "company_sbb_id": sbb_id,
        "completed_at": "2026-11-02T14:05:00+01:00",
        **extra,
    }
    return json.dumps(body).encode()


async def stored(runtime: Runtime) -> tuple[list[Participation], int]:
    async with runtime.session_factory() as session:
        rows = list((await session.exec(sa.select(Participation))).scalars())
        mails = (await session.exec(sa.select(sa.func.count()).select_from(OutboxEvent))).one()[0]
    return rows, mails


async def test_a_bad_or_missing_signature_is_401_and_stores_nothing(
    client, adviser, runtime: Runtime, settings: Settings
) -> None:
    course = await post_course(client, adviser, format="e_learning")
    company = await make_company(runtime)
    body = completion(course, company.sbb_id)
    attempts = [
        signed(settings, body, secret="not-the-secret"),
        {**signed(settings, body), "X-Signature": "sha256=" + "0" * 64},
        signed(settings, body + b" "),  # signed another body
        signed(settings, body, at=int(time.time()) - 3600),  # a replay of an old call
        {"Content-Type": "application/json"},
        {"X-Signature": signed(settings, body)["X-Signature"], "Content-Type": "application/json"},
    ]
    for headers in attempts:
        response = await client.post(WEBHOOK, content=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await stored(runtime) == ([], 0)


async def test_the_same_completion_twice_is_one_completion(
    client, adviser, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    course = await post_course(client, adviser, format="e_learning", title="Gelijke kansen in de praktijk")
    company = await make_company(runtime)
    body = completion(course, company.sbb_id)

    first = await client.post(WEBHOOK, content=body, headers=signed(settings, body))
    second = await client.post(WEBHOOK, content=body, headers=signed(settings, body))
    together = await asyncio.gather(
        *(client.post(WEBHOOK, content=body, headers=signed(settings, body)) for _ in range(3))
    )

    assert first.status_code == 200, first.text
    assert first.json()["result"] == "recorded"
    assert {r.json()["result"] for r in (second, *together)} == {"already_recorded"}
    assert {r.json()["participation_id"] for r in (first, second, *together)} == {
        first.json()["participation_id"]
    }
    [row], _ = await stored(runtime)
    assert row.status is ParticipationStatus.COMPLETED
    assert str(row.completed_on) == "2026-11-02" and row.certificate_code
    await drain_queue(settings)
    [message] = mail.to(company.email)
    assert "Certificaat" in message["Subject"] and row.certificate_code in MailCatcher.text(message)


async def test_a_completion_completes_the_companys_open_enrolment(
    client, adviser, runtime: Runtime, settings: Settings, tokens: TokenFactory
) -> None:
    course = await post_course(client, adviser, format="e_learning")
    company = await make_company(runtime)
    principal = await tokens.make(Role.COMPANY, company_id=company.id)
    enrolled = (await enrol(client, principal, course_id=course["id"], trainer_name="Sanne Bakker")).json()
    body = completion(course, company.sbb_id, "platform-77")
    response = await client.post(WEBHOOK, content=body, headers=signed(settings, body))
    assert response.json() == {"result": "recorded", "participation_id": enrolled["id"]}
    [row], _ = await stored(runtime)
    assert row.status is ParticipationStatus.COMPLETED and row.trainer_name == "Sanne Bakker"


async def test_a_completion_the_system_cannot_place_is_422_and_stores_nothing(
    client, adviser, runtime: Runtime, settings: Settings
) -> None:
    e_learning = await post_course(client, adviser, format="e_learning")
    workshop = await post_course(client, adviser)
    company = await make_company(runtime)
    for body in (
        completion(e_learning, "999999999"),
        completion(workshop, company.sbb_id),
        completion({"code": "NOPE-1"}, company.sbb_id),
        completion(e_learning, company.sbb_id, completed_at="2999-01-01"),
        completion(e_learning, company.sbb_id, completed_at="2026-11-02T14:05:00"),  # no offset
        completion(e_learning, company.sbb_id, note="extra fields are refused"),
        b"not json",
    ):
        response = await client.post(WEBHOOK, content=body, headers=signed(settings, body))
        assert response.status_code in (400, 422), (body, response.text)
    assert await stored(runtime) == ([], 0)


CSV_HEADER = "completion_id,course_code,company_sbb_id,completed_at\n"


async def upload(client, staff, text: str):
    files = {"file": ("completions.csv", text.encode(), "text/csv")}
    return await client.post(f"{TRAINING}/completions/import", files=files, headers=staff.headers)


async def test_csv_import_records_each_completion_once(client, adviser, runtime: Runtime) -> None:
    course = await post_course(client, adviser, format="e_learning")
    a, b = await make_company(runtime), await make_company(runtime)
    text = CSV_HEADER + (
        f"c-1,{course['code']},{a.sbb_id},2026-10-01\n"
        f"c-2,{course['code']},{b.sbb_id},2026-10-02T09:00:00Z\n"
        f"c-1,{course['code']},{a.sbb_id},2026-10-01\n"
    )
    first = await upload(client, adviser, text)
    assert first.status_code == 200, first.text
    assert first.json() == {"rows": 3, "recorded": 2, "already_recorded": 1}
    again = await upload(client, adviser, text.replace(",", ";"))  # a Dutch spreadsheet's semicolons
    assert again.json() == {"rows": 3, "recorded": 0, "already_recorded": 3}
    rows, _ = await stored(runtime)
    assert sorted(str(r.completed_on) for r in rows) == ["2026-10-01", "2026-10-02"]


async def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_line(
    client, adviser, runtime: Runtime
) -> None:
    course = await post_course(client, adviser, format="e_learning")
    company = await make_company(runtime)
    text = (
        CSV_HEADER
        + f"c-1,{course['code']},{company.sbb_id},2026-10-01\nc-2,{course['code']},123,2026-10-01\n"
    )
    response = await upload(client, adviser, text)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "line 3: company_sbb_id", "message": "no such company"}]
    bad_date = await upload(client, adviser, CSV_HEADER + f"c-3,{course['code']},{company.sbb_id},gisteren\n")
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "line 2: completed_at"
    no_header = await upload(client, adviser, "a,b\n1,2\n")
    assert no_header.status_code == 422 and no_header.json()["errors"][0]["field"] == "header"
    assert await stored(runtime) == ([], 0)


async def test_companies_cannot_upload_completions(client, tokens: TokenFactory) -> None:
    company = await tokens.make(Role.COMPANY)
    assert (await upload(client, company, CSV_HEADER)).status_code == 403
