"""Invitations to courses: a newly recognised company's welcome (once, by e-mail and in the portal), the offer
after improvement agreements (once per case), and neither ever changing a recognition."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock, outbox
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.letters import RENDERER
from erkenning.recognition.effects import FIRST_GRANTED
from erkenning.recognition.models import Decision, DecisionKind, Recognition, RecognitionStatus
from erkenning.training.models import Invitation, InvitationKind
from erkenning.training.services.invitations import InvitationService
from erkenning.training.tasks import welcome_new_company
from erkenning.workflows import closing
from erkenning.workflows.models import Investigation, InvestigationStatus
from tests.factories import (
    Principal,
    TokenFactory,
    World,
    make_course,
    make_recognition,
    make_session,
    open_case,
)
from tests.helpers import (
    PORTAL_TRAINING,
    MailCatcher,
    WebClient,
    drain_queue,
    outbox_events,
    post_form,
    run_jobs,
    step,
)

WELCOME = "Welkom als erkend leerbedrijf: cursussen voor u – SBB"
AGREEMENT = "Cursussen bij uw verbeterafspraken – SBB"


async def invitations_of(runtime: Runtime, company_id: UUID) -> list[Invitation]:
    async with runtime.session_factory() as session:
        stmt = sa.select(Invitation).where(Invitation.company_id == company_id).order_by(Invitation.created_at)
        return list((await session.exec(stmt)).scalars())


def letters(mail: MailCatcher, address: str, subject: str) -> list[Any]:
    return [m for m in mail.to(address) if m["Subject"] == subject]


async def portal_invitations(client: httpx.AsyncClient, company: Principal) -> list[dict[str, Any]]:
    response = await client.get(f"{PORTAL_TRAINING}/invitations", headers=company.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def recognition_tables(runtime: Runtime) -> list[Any]:
    """Every row of the recognition domain's tables, as text (to see that nothing there changed)."""
    async with runtime.engine.connect() as conn:
        rows = []
        for table in ("recognition", "recognition_period", "decision", "decision_recognition", "objection"):
            result = await conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))
            rows += [(table, *map(str, row)) for row in result]
        return rows


async def test_a_new_company_is_invited_once_by_email_and_in_the_portal_even_when_the_event_runs_twice(
    client: httpx.AsyncClient, world: World, runtime: Runtime, settings: Settings, mail: MailCatcher, web: WebClient
) -> None:
    welcome = await make_course(runtime, title="Werven zonder vooroordelen", format="e_learning",
                                for_new_companies=True)
    workshop = await make_course(runtime, title="De praktijkopleider", topics=["workplace_trainer"],
                                 for_new_companies=True)
    session_id = await make_session(runtime, workshop, days=40)
    await make_course(runtime, title="Niet geselecteerd")
    await make_course(runtime, title="Uit de catalogus", for_new_companies=True, active=False)
    address = await world.email()

    # A grant that takes effect in ten days: nothing yet, the company is not recognised.
    recognition_id = await world.application()
    await world.decide("grant", [recognition_id], effective_from=clock.today() + timedelta(days=10))
    await drain_queue(settings)
    assert await invitations_of(runtime, world.company_id) == []
    assert letters(mail, address, WELCOME) == [] and await portal_invitations(client, world.company) == []

    with clock.travel(timedelta(days=10)):
        await run_jobs(runtime, settings, "apply_due_effects")  # the grant takes effect: the first recognition
        await drain_queue(settings)
        [event] = await outbox_events(runtime, FIRST_GRANTED)
        assert event.payload == {"company_id": str(world.company_id), "recognition_id": str(recognition_id),
                                 "decision_id": event.payload["decision_id"]}
        # The event once more: its job again (the outbox finds it done), its handler again (the unique
        # index refuses a second row), and a second event for the same company (likewise).
        assert await outbox.process(runtime, event.id) is False
        async with runtime.transaction() as session:
            await welcome_new_company(outbox.EventContext(session=session, event=event, runtime=runtime))
            outbox.add(session, FIRST_GRANTED, company_id=world.company_id, recognition_id=recognition_id,
                       decision_id=UUID(event.payload["decision_id"]))
        await drain_queue(settings)
        await run_jobs(runtime, settings, "apply_due_effects")  # and the daily task again: nothing new

        [invitation] = await invitations_of(runtime, world.company_id)
        assert invitation.kind is InvitationKind.NEW_COMPANY
        assert set(invitation.course_ids) == {welcome, workshop}
        [message] = letters(mail, address, WELCOME)
        text = MailCatcher.text(message)
        assert "Werven zonder vooroordelen (e-learning)" in text and "De praktijkopleider (workshop)" in text
        assert "Niet geselecteerd" not in text and "Uit de catalogus" not in text
        assert "verandert niets aan uw erkenning" in text

        [shown] = await portal_invitations(client, world.company)
        assert shown["kind"] == "new_company" and shown["dismissed_at"] is None
        assert [c["title"] for c in shown["courses"]] == ["De praktijkopleider", "Werven zonder vooroordelen"]

        await web.sign_in(world.company)
        page = (await web.get("/portaal/cursussen")).text
        selected = page[page.index("Voor u geselecteerd"):page.index("</section>", page.index("Voor u geselecteerd"))]
        assert "Werven zonder vooroordelen" in selected and "De praktijkopleider" in selected
        assert f"/portaal/cursussen/aanmelden?cursus={welcome}" in selected
        assert f"/portaal/cursussen/aanmelden?bijeenkomst={session_id}" in selected
        assert "Niet geselecteerd" not in selected

        # Dismissed, it leaves the portal; dismissing again changes nothing; the row stays (once is once).
        for _ in range(2):
            dismissed = await client.post(f"{PORTAL_TRAINING}/invitations/{shown['id']}/dismiss",
                                          headers=world.company.headers)
            assert dismissed.status_code == 200, dismissed.text
            assert dismissed.json()["dismissed_at"] is not None
        assert await portal_invitations(client, world.company) == []
        assert "Voor u geselecteerd" not in (await web.get("/portaal/cursussen")).text

        # A second recognition the next day: the company is not new any more.
        with clock.travel(timedelta(days=1)):
            await world.granted("25181")
            await drain_queue(settings)
    assert len(await outbox_events(runtime, FIRST_GRANTED)) == 2  # the real one and the test's copy
    assert len(await invitations_of(runtime, world.company_id)) == 1
    assert len(letters(mail, address, WELCOME)) == 1


async def test_another_company_cannot_see_or_dismiss_the_invitation(
    client: httpx.AsyncClient, world: World, runtime: Runtime, settings: Settings, tokens: TokenFactory
) -> None:
    await make_course(runtime, for_new_companies=True)
    await world.granted()
    await drain_queue(settings)
    [invitation] = await invitations_of(runtime, world.company_id)
    other = await tokens.make(Role.COMPANY)
    assert await portal_invitations(client, other) == []
    foreign = await client.post(f"{PORTAL_TRAINING}/invitations/{invitation.id}/dismiss", headers=other.headers)
    assert foreign.status_code == 404
    assert (await invitations_of(runtime, world.company_id))[0].dismissed_at is None


async def test_no_welcome_for_a_reinstatement_a_company_recognised_before_or_when_no_course_is_marked(
    world: World, runtime: Runtime, settings: Settings, mail: MailCatcher, tokens: TokenFactory
) -> None:
    # Nothing marked for new companies: the grant writes its event, and nothing is recorded or sent.
    recognition_id = await world.granted(on=clock.today() - timedelta(days=30))
    await drain_queue(settings)
    assert len(await outbox_events(runtime, FIRST_GRANTED)) == 1
    assert await invitations_of(runtime, world.company_id) == []
    assert letters(mail, await world.email(), WELCOME) == []

    # Suspended and reinstated: no second "first" grant.
    await make_course(runtime, for_new_companies=True)
    await world.decide("suspend", [recognition_id], effective_from=clock.today(), until_reinstated=True)
    with clock.travel(timedelta(days=7)):
        await world.decide("reinstate", [recognition_id], effective_from=clock.today())
        await drain_queue(settings)
    async with runtime.session_factory() as session:
        recognition = await session.get(Recognition, recognition_id)
    assert recognition is not None and recognition.status is RecognitionStatus.ACTIVE
    assert len(await outbox_events(runtime, FIRST_GRANTED)) == 1

    # Recognised since 2024 (before this system knew it): a new qualification is no welcome either.
    veteran = await tokens.make(Role.COMPANY)
    assert veteran.company_id is not None
    async with runtime.session_factory() as session:
        company = await session.get(Company, veteran.company_id)
    assert company is not None
    await make_recognition(runtime, company, [(RecognitionStatus.ACTIVE, date(2024, 1, 1), None)], crebo="25999")
    await world.granted("25180", company_id=veteran.company_id)
    await drain_queue(settings)
    assert len(await outbox_events(runtime, FIRST_GRANTED)) == 1
    assert await invitations_of(runtime, veteran.company_id) == []


async def test_a_company_that_ignores_every_invitation_keeps_its_recognition(
    client: httpx.AsyncClient, world: World, runtime: Runtime, settings: Settings
) -> None:
    await make_course(runtime, for_new_companies=True)
    recognition_id = await world.granted()
    await drain_queue(settings)
    [event] = await outbox_events(runtime, FIRST_GRANTED)
    before = await recognition_tables(runtime)

    # The welcome handled again from scratch (its row removed first): it touches no recognition table.
    async with runtime.transaction() as session:
        await session.exec(sa.delete(Invitation))  # type: ignore[call-overload]
        await welcome_new_company(outbox.EventContext(session=session, event=event, runtime=runtime))
    await drain_queue(settings)
    assert len(await invitations_of(runtime, world.company_id)) == 1
    assert await recognition_tables(runtime) == before

    # A year and more without enrolling in anything: every daily job has run, the recognition stands.
    with clock.travel(timedelta(days=400)):
        await run_jobs(runtime, settings, "apply_due_effects", "finalise_decisions", "notice_reassessments_due")
        await drain_queue(settings)
    async with runtime.session_factory() as session:
        recognition = await session.get(Recognition, recognition_id)
        decisions = (await session.exec(sa.select(Decision.kind))).scalars().all()  # type: ignore[call-overload]
    assert recognition is not None and recognition.status is RecognitionStatus.ACTIVE
    assert list(decisions) == [DecisionKind.GRANT]
    [invitation] = await invitations_of(runtime, world.company_id)
    assert invitation.dismissed_at is None  # still open, still ignored


async def test_an_improvement_agreement_offers_the_recommended_topics_courses_once_per_case(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, senior: Principal,
    company: Company, tokens: TokenFactory, mail: MailCatcher, web: WebClient,
) -> None:
    recruiting = await make_course(runtime, title="Objectief selecteren", topics=["discrimination_free_recruitment"])
    both = await make_course(runtime, title="Gelijke kansen in de praktijk",
                             topics=["equal_opportunities", "discrimination_free_recruitment"], format="webinar")
    await make_course(runtime, title="Het puberbrein", topics=["adolescent_brain"])
    await make_course(runtime, title="Oud aanbod", topics=["discrimination_free_recruitment"], active=False)
    company_user = await tokens.make(Role.COMPANY, company_id=company.id)
    assert company.email is not None

    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "assessment", {"reason": "r"})
    proposed = await step(client, adviser, case_id, "proposal", {
        "outcome": "improvement_agreement", "findings": "Werving niet objectief",
        "measures": "Anoniem solliciteren invoeren", "follow_up_on": (clock.today() + timedelta(days=40)).isoformat(),
        "recommended_topics": ["discrimination_free_recruitment"],
    })
    assert proposed.status_code == 200, proposed.text
    assert (await step(client, senior, case_id, "approve")).status_code == 200
    await drain_queue(settings)

    [invitation] = await invitations_of(runtime, company.id)
    assert invitation.kind is InvitationKind.IMPROVEMENT_AGREEMENT and invitation.investigation_id == UUID(case_id)
    assert invitation.topics == ["discrimination_free_recruitment"]
    assert set(invitation.course_ids) == {recruiting, both}
    [message] = letters(mail, company.email, AGREEMENT)
    text = MailCatcher.text(message)
    assert "Objectief selecteren (workshop)" in text and "Gelijke kansen in de praktijk (webinar)" in text
    assert "Het puberbrein" not in text and "Oud aanbod" not in text
    [shown] = await portal_invitations(client, company_user)
    assert shown["kind"] == "improvement_agreement" and shown["topics"] == ["discrimination_free_recruitment"]
    await web.sign_in(company_user)
    page = (await web.get("/portaal/cursussen")).text
    selected = page[page.index("Voor u geselecteerd"):page.index("</section>", page.index("Voor u geselecteerd"))]
    assert "verbeterafspraken: discriminatievrij werven en selecteren" in selected
    assert "Objectief selecteren" in selected and "Het puberbrein" not in selected

    # The closing carried out again (its event once more), and the offer made again: still one for this case.
    async with runtime.transaction() as session:
        case = await session.get(Investigation, UUID(case_id))
        assert case is not None and case.status is InvestigationStatus.CLOSED
        await closing.carry_out(session, settings, RENDERER, case.id)
        again = await InvitationService(session).offer_after_agreement(company.id, case.id, case.recommended_topics)
        assert again is None
    await drain_queue(settings)
    assert len(await invitations_of(runtime, company.id)) == 1
    assert len(letters(mail, company.email, AGREEMENT)) == 1


async def test_the_staff_course_form_marks_a_course_for_new_companies(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    created = await post_form(web, "/cursussen/nieuw", "/cursussen/nieuw", {
        "code": "WS-WELKOM", "title": "Welkom bij SBB", "format": "webinar", "topics": "workplace_trainer",
        "duration_minutes": "60", "active": "ja", "for_new_companies": "ja",
    })
    assert created.status_code == 303, created.text
    course_path = created.headers["location"]
    read = await client.get(f"/api/v1/backoffice/training{course_path.replace('/cursussen', '/courses')}",
                            headers=adviser.headers)
    assert read.json()["for_new_companies"] is True
    assert "Voor nieuwe leerbedrijven" in (await web.get(course_path)).text
    edit = await web.get(f"{course_path}/wijzigen")
    assert 'name="for_new_companies"' in edit.text
    changed = await post_form(web, f"{course_path}/wijzigen", f"{course_path}/wijzigen", {
        "title": "Welkom bij SBB", "topics": "workplace_trainer", "duration_minutes": "60", "active": "ja",
        "version": str(read.json()["version"]),
    })
    assert changed.status_code == 303, changed.text
    read = await client.get(f"/api/v1/backoffice/training{course_path.replace('/cursussen', '/courses')}",
                            headers=adviser.headers)
    assert read.json()["for_new_companies"] is False
