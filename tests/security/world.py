"""One data set for the security tests: two companies, two schools and staff, each with real objects.

Everything is made through the API and the services, as a user would. Objects of party "a" belong to
company A / school A, those of "b" to company B / school B, so that every id path parameter has an
own and a foreign value for every caller outside SBB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx

from erkenning.core.auth.contacts import ContactService
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.workflows.models import AdviserTask
from tests.factories import (
    Principal,
    TokenFactory,
    confidential,
    facts,
    make_company,
    post_course,
    post_session,
    school_report,
)
from tests.factories import World as RecognitionWorld
from tests.helpers import act, drain_queue, scalar


@dataclass
class Party:
    """What company X and school X own."""

    company: Principal
    school: Principal
    company_sbb_id: str
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name -> id of this party's object

    def secrets_of_company(self) -> set[str]:
        keys = ("company_id", "recognition_id", "decision_id", "objection_id", "case_id", "participation_id",
                "certified_participation_id", "token_id", "company_report_id", "invitation_id", "attachment_id",
                "company_contact_id", "page_company_contact_id", "admin_contact_id", "page_admin_contact_id")
        return {self.ids[k] for k in keys}

    def secrets_of_school(self) -> set[str]:
        keys = ("subscription_id", "page_subscription_id", "delivery_id", "report_id", "school_contact_id",
                "page_school_contact_id")
        return {self.ids[k] for k in keys}


@dataclass
class SecurityWorld:
    adviser: Principal
    senior: Principal
    admin: Principal
    parties: dict[str, Party]
    shared: dict[str, str]  # ids that no one outside SBB owns (courses, principals, events, …)

    def callers(self) -> dict[str, Principal | None]:
        a, b = self.parties["a"], self.parties["b"]
        return {
            "anonymous": None, "company_a": a.company, "company_b": b.company, "school_a": a.school,
            "school_b": b.school, "adviser": self.adviser, "senior_adviser": self.senior, "admin": self.admin,
        }


def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), f"{response.request.url}: {response.status_code} {response.text}"
    return response.json() if response.content and "json" in response.headers.get("content-type", "") else None


async def build(client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory) -> SecurityWorld:
    adviser = await tokens.make(Role.ADVISER, email="adviseur@sbb.example")
    senior = await tokens.make(Role.SENIOR_ADVISER, email="senior@sbb.example")
    admin = await tokens.make(Role.ADMIN)
    spare = await tokens.make(Role.ADVISER, name="spare adviser")  # its token may be revoked by the matrix
    recognitions = RecognitionWorld(runtime, adviser, senior, senior, admin, company=None)  # type: ignore[arg-type]
    parties: dict[str, Party] = {}
    for n, (name, brin) in enumerate((("a", "25LX"), ("b", "31GH"))):
        company = await make_company(runtime, name=f"Bedrijf {name.upper()}")
        parties[name] = Party(
            company=await tokens.make(Role.COMPANY, company_id=company.id),
            school=await tokens.make(Role.SCHOOL, school_brin=brin, email=f"stage{n}@roc.example"),
            company_sbb_id=company.sbb_id,
        )
        parties[name].ids["company_id"] = str(company.id)

    # Schools follow their company first, so that the decisions below become deliveries.
    for party, other in ((parties["a"], parties["b"]), (parties["b"], parties["a"])):
        for key, followed in (("subscription_id", party), ("page_subscription_id", other)):
            body = {"company": followed.company_sbb_id, "channel": "email", "email": f"stage@{party.school.school_brin}.example"}
            made = _ok(await client.post("/api/v1/register/school/subscriptions", json=body, headers=party.school.headers))
            party.ids[key] = made["id"]
        _ok(await client.put("/api/v1/register/school/webhook", json={"url": "http://127.0.0.1:9/hook"},
                             headers=party.school.headers))

    # A course for new companies: each company's first grant brings its invitation (the worker's, below).
    await post_course(client, adviser, for_new_companies=True)
    for party in parties.values():
        company_id = UUID(party.ids["company_id"])
        recognition_id = await recognitions.granted(company_id=company_id)
        withdrawn = await recognitions.granted("25181", company_id=company_id)
        decision_id = await recognitions.decide("withdraw", [withdrawn])
        party.ids["recognition_id"] = str(recognition_id)
        party.ids["assessment_id"] = str(await scalar(
            runtime, "SELECT id FROM criteria_assessment WHERE recognition_id = :r", r=recognition_id
        ))
        party.ids["decision_id"] = str(decision_id)
        objection = _ok(await client.post(
            f"/api/v1/portal/decisions/{decision_id}/objections", json={"grounds": "Wij zijn het oneens."},
            headers=party.company.headers,
        ))
        party.ids["objection_id"] = objection["id"]
        attachment = _ok(await client.post(
            f"/api/v1/portal/objections/{objection['id']}/attachments",
            files={"file": ("verklaring.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}, headers=party.company.headers,
        ))
        party.ids["attachment_id"] = attachment["id"]

        # A report passed on by the school, substantiated: the worker opens a case; then both sides are heard.
        report = await school_report(client, party.school, {**facts(await _company(runtime, company_id)),
                                                             "confidential": confidential(party.company_sbb_id)})
        party.ids["report_id"] = party.ids["company_report_id"] = str(report["id"])
        _ok(await act(client, adviser, report["id"], "assign", {"adviser_id": str(adviser.id)}))
        _ok(await act(client, adviser, report["id"], "start-triage"))
        _ok(await act(client, adviser, report["id"], "substantiate", {"reason": "Aannemelijk"}))

    await drain_queue(runtime.settings)
    for party in parties.values():
        case_id = str(await scalar(
            runtime, "SELECT investigation_id FROM investigation_report WHERE report_id = :r", r=UUID(party.ids["report_id"])
        ))
        party.ids["case_id"] = case_id
        cases = "/api/v1/backoffice/investigations"
        _ok(await client.post(f"{cases}/{case_id}/assign", json={"adviser_id": str(adviser.id)}, headers=adviser.headers))
        _ok(await client.post(f"{cases}/{case_id}/hearing", json={"question": "Uw reactie graag."}, headers=adviser.headers))
        # The company answers, and its answer is put to the school that passed the report on (wederhoor).
        _ok(await client.post(f"/api/v1/portal/hearings/{case_id}/answer", json={"answer": "Onze kant."},
                              headers=party.company.headers))
        _ok(await client.post(f"{cases}/{case_id}/reporter-question", json={"question": "Wat zegt de melder?"},
                              headers=adviser.headers))
        party.ids["delivery_id"] = str(await scalar(
            runtime, "SELECT id FROM subscription_delivery WHERE subscription_id = :s LIMIT 1",
            s=UUID(party.ids["subscription_id"]),
        ))
        party.ids["token_id"] = str(await scalar(
            runtime, "SELECT id FROM api_token WHERE principal_id = :p", p=party.company.id
        ))
        party.ids["invitation_id"] = str(await scalar(
            runtime, "SELECT id FROM course_invitation WHERE company_id = :c", c=UUID(party.ids["company_id"])
        ))

    # A follow-up task on company A's case, for the adviser (its adviser or a senior adviser marks it done).
    async with runtime.session_factory() as db:
        task = AdviserTask(investigation_id=UUID(parties["a"].ids["case_id"]), assigned_to=adviser.id,
                           kind="follow_up_courses_missing", note="Cursussen nog niet gevolgd.")
        db.add(task)
        await db.commit()
        task_id = str(task.id)

    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    e_learning = await post_course(client, adviser, format="e_learning")
    for party in parties.values():
        enrolled = _ok(await client.post(
            "/api/v1/portal/training/participations", json={"session_id": session["id"]}, headers=party.company.headers
        ))
        party.ids["participation_id"] = enrolled["id"]
        completed = _ok(await client.post(
            "/api/v1/portal/training/participations", json={"course_id": e_learning["id"]}, headers=party.company.headers
        ))
        done = _ok(await client.post(
            f"/api/v1/backoffice/training/participations/{completed['id']}/complete", json={}, headers=adviser.headers
        ))
        party.ids["certified_participation_id"] = completed["id"]

    # Each school's own reporting point (by its BRIN code), and an ADV that an admin keeps.
    for party in parties.values():
        brin = party.school.school_brin
        assert brin is not None
        point = {"school_name": f"School {brin}", "municipality": "Utrecht", "email": f"meldpunt@{brin}.example"}
        _ok(await client.put(f"/api/v1/register/school/reporting-points/{brin}", json=point,
                             headers=party.school.headers))
        party.ids["brin"] = brin
    adv = _ok(await client.post("/api/v1/backoffice/advs", headers=admin.headers, json={
        "name": "ADV Matrix", "website": "https://adv.example", "source": "test", "municipalities": ["Matrixstad"]}))

    shared = {
        "adv_id": adv["id"],
        "course_id": course["id"],
        "session_id": session["id"],
        "qualification_id": str(await scalar(runtime, "SELECT id FROM qualification LIMIT 1")),
        "principal_id": str(spare.id),
        "spare_token_id": str(await scalar(runtime, "SELECT id FROM api_token WHERE principal_id = :p", p=spare.id)),
        "event_id": str(await scalar(runtime, "SELECT id FROM outbox_event LIMIT 1")),
        "code": done["certificate_code"],
        "year": "2026",
        "task_id": task_id,
    }
    # Contacts (who may sign in by e-mail link): one per route that removes one, so no removal hides another's.
    async with runtime.transaction() as session:
        contacts = ContactService(session)
        for name, party in parties.items():
            company_id, brin = UUID(party.ids["company_id"]), party.school.school_brin
            for key in ("company_contact_id", "page_company_contact_id", "admin_contact_id", "page_admin_contact_id"):
                made = await contacts.add(ADMIN, email=f"{key}@{name}.example", name=key, company_id=company_id)
                party.ids[key] = str(made.id)
            for key in ("school_contact_id", "page_school_contact_id"):
                made = await contacts.add(ADMIN, email=f"{key}@{name}.example", name=key, school_brin=brin)
                party.ids[key] = str(made.id)
            party.ids["school_brin"] = str(brin)
    return SecurityWorld(adviser=adviser, senior=senior, admin=admin, parties=parties, shared=shared)


ADMIN = Caller(principal_id=None, role=Role.ADMIN, name="matrix")


async def _company(runtime: Runtime, company_id: UUID) -> Any:
    from erkenning.companies.models import Company

    async with runtime.session_factory() as session:
        return await session.get(Company, company_id)
