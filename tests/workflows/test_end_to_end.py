"""From a school's report to a suspension, an objection upheld, and the register recognising again.

Everything goes through the HTTP API with real tokens, and everything that happens later is done by
a real arq worker: this is the path the Stagepact asks of SBB, end to end.
"""

from datetime import timedelta

from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import World, case_of, confidential, facts, school_report
from tests.helpers import CASES, HEARINGS, MailCatcher, act, drain_queue, redis_dump, step, substantiate

REGISTER = "/api/v1/register"


async def _verify(client, sbb_id: str, day) -> dict:
    response = await client.get(
        f"{REGISTER}/verify", params={"company": sbb_id, "crebo": "25180", "pathway": "bol", "date": day.isoformat()}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_report_to_suspension_objection_upheld_and_recognised_again(
    client, runtime: Runtime, settings: Settings, adviser, senior, senior2, company, company_user, school, tokens,
    mail: MailCatcher, logs,
) -> None:
    from erkenning.core.caller import Role

    admin = await tokens.make(Role.ADMIN)
    world = World(runtime=runtime, adviser=adviser, senior=senior, senior2=senior2, admin=admin, company=company_user)
    recognition_id = await world.granted("25180", on=clock.today() - timedelta(days=400))
    await drain_queue(settings)
    today = clock.today()
    effective = today + timedelta(days=14)
    assert (await _verify(client, company.sbb_id, effective))["recognised"] is True

    # 1. The school's reporting point passes a report on; the adviser takes and substantiates it.
    passed_on = await school_report(client, school, {**facts(company), "confidential": confidential("e2e")})
    report_id = str(passed_on["id"])
    assert (await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    await substantiate(client, adviser, report_id)

    # 2. The worker opens the investigation (on the triaging adviser's name).
    await drain_queue(settings)
    case = await case_of(runtime, report_id)
    assert case is not None and case.assigned_to == adviser.id
    case_id = str(case.id)

    # 3. Hearing: the request is e-mailed to the company, which answers in the portal.
    asked = await step(client, adviser, case_id, "hearing", {"question": "Waarom is de stagiair afgewezen?"})
    assert asked.status_code == 200, asked.text
    await drain_queue(settings)
    assert [m for m in mail.to(company.email) if "hoor en wederhoor" in m["Subject"]]
    answered = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Wij betreuren het voorval."},
                                 headers=company_user.headers)
    assert answered.status_code == 200, answered.text

    # 4. The adviser proposes a suspension; the proposer cannot approve, another senior adviser does.
    proposal = {
        "outcome": "suspension", "findings": "Discriminatie bij werving aannemelijk gemaakt",
        "recognition_ids": [str(recognition_id)], "effective_from": effective.isoformat(),
        "placements_until": (effective + timedelta(days=60)).isoformat(),
    }
    assert (await step(client, adviser, case_id, "proposal", proposal)).status_code == 200
    assert (await step(client, adviser, case_id, "approve")).status_code == 403
    assert (await step(client, senior2, case_id, "approve")).status_code == 200

    # 5. The worker puts the measure to the company as an intended decision (art. 4:8 Awb) and sends nothing;
    # the case closes; the school hears the outcome category, which is not decided yet.
    await drain_queue(settings)
    detail = (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).json()
    assert detail["status"] == "closed" and detail["decision_id"]
    assert "intended_decision_sent" in [e["kind"] for e in detail["timeline"]]
    decision_url = f"/api/v1/portal/decisions/{detail['decision_id']}"
    intended = (await client.get(decision_url, headers=company_user.headers)).json()
    assert intended["status"] == "intended" and intended["objection_deadline"] is None
    assert [m for m in mail.to(company.email) if m["Subject"] and m["Subject"].startswith("Voornemen van SBB")]
    feedback = [m for m in mail.to("meldpunt@roc.example") if "Terugkoppeling" in m["Subject"]]
    assert len(feedback) == 1 and "schorsing" in MailCatcher.text(feedback[0])
    assert (await _verify(client, company.sbb_id, effective))["recognised"] is True

    # The company responds; a senior adviser who did not draft the decision reads it and approves; a person sends.
    responded = await client.post(f"{decision_url}/response", json={"text": "Wij hebben de werving aangepast."},
                                  headers=company_user.headers)
    assert responded.status_code == 200, responded.text
    backoffice_url = f"/api/v1/backoffice/decisions/{detail['decision_id']}"
    approved = await client.post(f"{backoffice_url}/approve", json={"response_read": True}, headers=senior2.headers)
    assert approved.status_code == 200, approved.text
    sent = await client.post(f"{backoffice_url}/send", headers=adviser.headers)
    assert sent.status_code == 200 and sent.json()["sent_by"] == str(adviser.id)
    await drain_queue(settings)
    decision = (await client.get(decision_url, headers=company_user.headers)).json()
    assert decision["status"] == "sent" and decision["objection_deadline"]
    assert [m for m in mail.to(company.email) if m["Subject"] and "besluit" in m["Subject"].lower()]

    # 6. The register: recognised until the effective date, not recognised from it.
    assert (await _verify(client, company.sbb_id, effective - timedelta(days=1)))["recognised"] is True
    suspended = await _verify(client, company.sbb_id, effective)
    assert suspended["recognised"] is False and suspended["status"] == "suspended"

    # 7. The company objects in time; a senior adviser not involved in the decision upholds it.
    objection = await client.post(f"/api/v1/portal/decisions/{detail['decision_id']}/objections",
                                  json={"grounds": "De feiten kloppen niet."}, headers=company_user.headers)
    assert objection.status_code == 201, objection.text
    upheld = await client.post(f"/api/v1/backoffice/objections/{objection.json()['id']}/decide",
                               json={"outcome": "upheld", "reason": "Onvoldoende onderbouwd"}, headers=senior.headers)
    assert upheld.status_code == 200, upheld.text
    await drain_queue(settings)

    # 8. …and the register recognises the company again, on the effective date and after it.
    for day in (effective, effective + timedelta(days=30)):
        again = await _verify(client, company.sbb_id, day)
        assert again["recognised"] is True and again["status"] == "active"

    # The confidential part never left its room: no e-mail, log line or queued job carries it.
    secrets = ("Melder e2e", "meldere2e@example.org", "Het verhaal van de student e2e")
    sent = [f"{m['Subject']}\n{MailCatcher.text(m)}" for m in mail.messages]
    assert len(sent) >= 6
    queued = [(await redis_dump(runtime.queue.redis)).decode("latin-1")]
    for secret in secrets:
        assert not any(secret in text for text in sent)
        assert secret not in logs.text
        assert not any(secret in value for value in queued)


