"""The whole investigation through the pages, in a real browser, by the people who do it:

a school's reporting point passes a report on, an adviser triages it, the worker opens a case, the
adviser asks the company for its side, the company answers in its portal, the adviser proposes a
suspension, another senior adviser approves it, the worker puts it to the company as an intended
decision, the company responds, a senior adviser who read the response approves the decision (seeing
its scope and letter), the adviser sends the letter, and the company sees the decision and objects.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.recognition.models import Decision, DecisionKind, DecisionStatus, Objection
from erkenning.reports.models import Report
from tests.factories import World, make_company
from tests.helpers import drain_queue
from tests.web.browser.staff_steps import (
    approve,
    approve_decision,
    case_for_report,
    propose,
    request_hearing,
    send_decision,
    triage_report,
)
from tests.web.browser.steps import (
    company_answers_hearing,
    company_objects,
    company_responds_to_intended_decision,
    school_passes_report_on,
    sign_in,
)

pytestmark = pytest.mark.browser


async def test_from_a_school_report_to_the_company_objecting_through_the_pages(
    new_page, signed_in, tokens, runtime, settings
) -> None:
    company = await make_company(runtime, name="Bakkerij Het Zuiden", email="info@hetzuiden.example")
    company_user = await tokens.make(Role.COMPANY, company_id=company.id)
    world = World(
        runtime=runtime, adviser=await tokens.make(Role.ADVISER), senior=await tokens.make(Role.SENIOR_ADVISER),
        senior2=await tokens.make(Role.SENIOR_ADVISER), admin=await tokens.make(Role.ADMIN), company=company_user,
    )
    await world.granted("25180", on=clock.today() - timedelta(days=400))
    await drain_queue(settings)

    school = await new_page()
    await signed_in(school, Role.SCHOOL)
    await school_passes_report_on(
        school, summary="Stagiair afgewezen na het noemen van zijn achternaam", company_sbb_id=company.sbb_id,
        reporter_name="Melder via meldpunt", narrative="Het verhaal van de student, in eigen woorden.",
    )
    async with runtime.session_factory() as session:
        report = (await session.exec(
            select(Report).where(Report.company_id == company.id).order_by(col(Report.created_at).desc())
        )).first()
    assert report is not None and report.school_brin == "25LX"
    report_id = str(report.id)

    adviser = await new_page()
    await signed_in(adviser, Role.ADVISER, name="Sanne Adviseur")
    await triage_report(adviser, report_id)
    await drain_queue(settings)  # the worker opens the case on the triaging adviser's name
    case_id = await case_for_report(runtime, report_id)
    await request_hearing(adviser, case_id, "Waarom is de stagiair afgewezen?")
    await drain_queue(settings)  # the hearing request is e-mailed to the company

    portal = await new_page()
    await sign_in(portal, company_user)
    await company_answers_hearing(portal, "Wij betreuren het voorval en hebben de selectie aangepast.")

    effective = clock.today() + timedelta(days=14)
    await propose(
        adviser, case_id, outcome="schorsing van de erkenning", findings="Afwijzing op grond van afkomst is aannemelijk.",
        recognitions=["Kok (25180, BOL), nu erkend"], effective_from=effective,
        placements_until=effective + timedelta(days=60),
    )
    senior = await new_page()
    await signed_in(senior, Role.SENIOR_ADVISER, name="Pieter Senior")
    await approve(senior, case_id)
    await drain_queue(settings)  # the worker puts the measure to the company as an intended decision; the case closes

    await company_responds_to_intended_decision(portal, "Voornemen tot schorsen van de erkenning", "Wij hebben de selectie aangepast.")
    async with runtime.session_factory() as session:
        decision = (await session.exec(select(Decision).where(Decision.company_id == company.id,
                                                              Decision.kind == DecisionKind.SUSPEND))).one()
    assert decision.status is DecisionStatus.INTENDED and decision.response_received_at is not None
    await approve_decision(senior, str(decision.id))  # the adviser drafted it; this senior did not
    await send_decision(adviser, str(decision.id))

    await company_objects(portal, "Erkenning geschorst", "De feiten kloppen niet; wij vragen om herziening.")
    async with runtime.session_factory() as session:
        objections = (await session.exec(select(Objection).where(Objection.company_id == company.id))).all()
    assert len(objections) == 1 and objections[0].filed_via.value == "portal"
    async with runtime.session_factory() as session:
        decision = await session.get(Decision, decision.id)
    assert decision.status is DecisionStatus.SENT and decision.response_read_by is not None
    assert decision.sent_by is not None and decision.sent_by != decision.approved_by
