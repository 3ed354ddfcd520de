"""The objection procedure end to end, through the API with the clock moved (issue 15).

A school's report → investigation → hearing → proposal → approval → intended decision (art. 4:8 Awb) →
response → decision letter sent by a person → objection with its own reference → inspection of the file
(art. 7:4) → hoorzitting with its report (art. 7:2) → upheld within the decision term (art. 7:10) → the
recognition active on every day since the decision's start (art. 7:11), the register's recorded answer for
those days still "suspended", the subscribed school told of the correction, and the beslissing op bezwaar
with its appeal clause (art. 8:7) and no new objection possible (art. 7:1).
"""

from datetime import datetime, time, timedelta

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import World, case_of, confidential, facts, school_report
from tests.helpers import CASES, HEARINGS, MailCatcher, act, drain_queue, step, substantiate

REGISTER = "/api/v1/register"
PORTAL = "/api/v1/portal"
BACKOFFICE = "/api/v1/backoffice"
SECRETS = ("Melder bzw", "melderbzw@example.org", "Het verhaal van de student bzw")


async def test_report_to_an_objection_upheld_after_a_hearing_undoes_the_suspension_from_its_start(
    client, runtime: Runtime, settings: Settings, adviser, senior, senior2, company, company_user, school, tokens,
    mail: MailCatcher,
) -> None:
    admin = await tokens.make(Role.ADMIN)
    world = World(runtime=runtime, adviser=adviser, senior=senior, senior2=senior2, admin=admin, company=company_user)
    granted_on = clock.today() - timedelta(days=400)
    recognition_id = await world.granted("25180", on=granted_on)
    await drain_queue(settings)
    d0 = clock.today()
    effective = d0 + timedelta(days=14)

    async def verify(day) -> dict:
        params = {"company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": day.isoformat()}
        answer = await client.get(f"{REGISTER}/verify", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # A school follows the company by e-mail.
    follower = await tokens.make(Role.SCHOOL, school_brin="31GH", email="stage@roc.example")
    followed = await client.post(f"{REGISTER}/school/subscriptions", json={"company": company.sbb_id,
                                 "channel": "email"}, headers=follower.headers)
    assert followed.status_code == 201, followed.text

    # Report → case → hearing → proposal → approval, as the Stagepact asks.
    passed_on = await school_report(client, school, {**facts(company), "confidential": confidential("bzw")})
    report_id = str(passed_on["id"])
    assert (await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case = await case_of(runtime, report_id)
    assert case is not None
    case_id = str(case.id)
    asked = await step(client, adviser, case_id, "hearing", {"question": "Waarom is de stagiair afgewezen?"})
    assert asked.status_code == 200, asked.text
    answered = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Wij betreuren het voorval."},
                                 headers=company_user.headers)
    assert answered.status_code == 200, answered.text
    proposal = {
        "outcome": "suspension", "findings": "Discriminatie bij werving aannemelijk gemaakt",
        "recognition_ids": [str(recognition_id)], "effective_from": effective.isoformat(),
        "placements_until": (effective + timedelta(days=60)).isoformat(),
    }
    assert (await step(client, adviser, case_id, "proposal", proposal)).status_code == 200
    assert (await step(client, senior2, case_id, "approve")).status_code == 200
    await drain_queue(settings)

    # Intended decision → the company's response → approval by one who read it → sent by a person.
    decision_id = (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).json()["decision_id"]
    portal_decision = f"{PORTAL}/decisions/{decision_id}"
    assert (await client.get(portal_decision, headers=company_user.headers)).json()["status"] == "intended"
    responded = await client.post(f"{portal_decision}/response", json={"text": "Wij hebben de werving aangepast."},
                                  headers=company_user.headers)
    assert responded.status_code == 200, responded.text
    backoffice_decision = f"{BACKOFFICE}/decisions/{decision_id}"
    approved = await client.post(f"{backoffice_decision}/approve", json={"response_read": True},
                                 headers=senior2.headers)
    assert approved.status_code == 200, approved.text
    sent = await client.post(f"{backoffice_decision}/send", headers=adviser.headers)
    assert sent.status_code == 200 and sent.json()["sent_by"] == str(adviser.id)
    await drain_queue(settings)
    decision_letter = await client.get(f"{portal_decision}/letter", headers=company_user.headers)
    assert decision_letter.status_code == 200 and "Bezwaar maken" in decision_letter.text

    # Two days into the suspension the register tells schools "suspended" (what it said then, kept).
    told_on = effective + timedelta(days=2)
    with clock.travel(told_on - d0):
        told = await verify(told_on)
    assert (told["recognised"], told["status"]) == (False, "suspended")

    # The company objects in time and gets its own reference, the decision term and the receipt.
    with clock.travel(timedelta(days=25)):
        filed = await client.post(f"{portal_decision}/objections", json={"grounds": "De feiten kloppen niet."},
                                  headers=company_user.headers)
        assert filed.status_code == 201, filed.text
        objection = filed.json()
        await drain_queue(settings)
    reference, objection_id = objection["reference"], objection["id"]
    assert reference.startswith(f"SBB-BZ-{(d0 + timedelta(days=25)).year}-")
    decide_by = datetime.fromisoformat(objection["decide_by"]).date()
    assert [m for m in mail.to(company.email) if reference in m["Subject"] and "Ontvangst" in m["Subject"]]

    # Inspection of the file (art. 7:4 Awb): the letters, the response, the investigation's question and answer,
    # the grounds as sent; nothing of the report or the reporter.
    file = await client.get(f"{PORTAL}/objections/{objection_id}/file", headers=company_user.headers)
    assert file.status_code == 200, file.text
    kinds = [d["kind"] for d in file.json()["documents"]]
    assert {"intended_decision_letter", "decision_letter", "response", "investigation_hearing",
            "investigation_answer", "grounds", "objection"} <= set(kinds)
    for secret in SECRETS:
        assert secret not in file.text

    # The hoorzitting: invited (date, time, video link; e-mail and portal), held, its report to the company.
    hearing_at = datetime.combine(d0 + timedelta(days=33), time(10), clock.AMSTERDAM)
    with clock.travel(timedelta(days=26)):
        invited = await client.post(
            f"{BACKOFFICE}/objections/{objection_id}/hearing/invite",
            json={"hearing_at": hearing_at.isoformat(), "video_link": "https://video.sbb.example/bzw"},
            headers=adviser.headers,
        )
        assert invited.status_code == 200, invited.text
        too_early = await client.post(f"{BACKOFFICE}/objections/{objection_id}/hearing/held",
                                      json={"report": "Nog niet."}, headers=adviser.headers)
        assert too_early.status_code == 409
        await drain_queue(settings)
    invitation = [m for m in mail.to(company.email) if m["Subject"].startswith("Uitnodiging voor de hoorzitting")]
    assert len(invitation) == 1 and "https://video.sbb.example/bzw" in MailCatcher.text(invitation[0])
    shown = (await client.get(f"{PORTAL}/objections/{objection_id}", headers=company_user.headers)).json()
    assert (shown["reference"], shown["hearing_status"], shown["hearing_video_link"]) == (
        reference, "invited", "https://video.sbb.example/bzw"
    )
    with clock.travel(timedelta(days=33, hours=6)):
        held = await client.post(
            f"{BACKOFFICE}/objections/{objection_id}/hearing/held",
            json={"report": "Het bedrijf lichtte toe dat de afwijzing op taalniveau berustte."},
            headers=adviser.headers,
        )
        assert held.status_code == 200, held.text
        await drain_queue(settings)
    report_mail = [m for m in mail.to(company.email) if m["Subject"].startswith("Verslag van de hoorzitting")]
    assert len(report_mail) == 1 and "taalniveau" in MailCatcher.text(report_mail[0])
    shown = (await client.get(f"{PORTAL}/objections/{objection_id}", headers=company_user.headers)).json()
    assert shown["hearing_status"] == "held" and "taalniveau" in shown["hearing_report"]

    # Upheld within the decision term by a senior adviser who did not prepare the decision.
    mail.clear()
    with clock.travel(timedelta(days=40)):
        today = clock.today()
        assert today <= decide_by
        upheld = await client.post(f"{BACKOFFICE}/objections/{objection_id}/decide",
                                   json={"outcome": "upheld", "reason": "Onvoldoende onderbouwd."},
                                   headers=senior.headers)
        assert upheld.status_code == 200, upheld.text
        await drain_queue(settings)

        # Active on every day since the decision's start, as known now …
        day = effective
        while day <= today:
            answer = await verify(day)
            assert (answer["recognised"], answer["status"]) == (True, "active"), day
            day += timedelta(days=1)
        # … while the register's recorded answer for each of those days, as given on that day, stays
        # "suspended" (what it told schools then is kept, art. 7:11 Awb undoes the decision, not the past).
        then: dict[str, str] = {}
        day = effective
        while day < today:
            asked = await client.get(
                f"{BACKOFFICE}/recognitions/{recognition_id}/history",
                params={"answered_on": day.isoformat(), "day": day.isoformat()}, headers=adviser.headers,
            )
            then[day.isoformat()] = asked.json()["answer"]["then"]["status"]
            day += timedelta(days=1)
        history = await client.get(
            f"{BACKOFFICE}/recognitions/{recognition_id}/history",
            params={"answered_on": told_on.isoformat(), "day": told_on.isoformat()}, headers=adviser.headers,
        )
        # No new objection: the beslissing op bezwaar is open to appeal only (art. 7:1 Awb).
        again = await client.post(f"{portal_decision}/objections", json={"grounds": "Nogmaals."},
                                  headers=company_user.headers)
    assert len(then) >= 20 and set(then.values()) == {"suspended"}, then
    answer = history.json()["answer"]
    assert (answer["then"]["status"], answer["now"]["status"], answer["corrected"]) == ("suspended", "active", True)
    assert again.status_code == 409 and "appeal" in again.json()["detail"]

    # The school that follows the company hears that the earlier answer was corrected.
    [notice] = mail.to("stage@roc.example")
    assert notice["Subject"].startswith("Correctie erkenning")

    # The beslissing op bezwaar: its own letter under the objection's reference, with the appeal clause naming
    # the court of the company's seat (Utrecht: rechtbank Midden-Nederland, art. 8:7 Awb).
    letter = await client.get(f"{PORTAL}/objections/{objection_id}/letter", headers=company_user.headers)
    assert letter.status_code == 200, letter.text
    assert reference in letter.text and "Beslissing op bezwaar" in letter.text
    assert "gegrond" in letter.text and "Beroep instellen" in letter.text
    assert "rechtbank Midden-Nederland" in letter.text and "geen bezwaar meer maken" in letter.text
    assert "SBB heeft u gehoord op" in letter.text
    decided = [m for m in mail.to(company.email) if m["Subject"] == f"Beslissing op uw bezwaar ({reference})"]
    assert len(decided) == 1 and "beroep" in MailCatcher.text(decided[0])
    for secret in SECRETS:
        assert secret not in letter.text
