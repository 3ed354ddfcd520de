"""The objection procedure on the pages: the back office's steps (paper objection, admissibility, hearing,
skip, extension, the letter) and the company's view in the portal (reference, term, hearing, file)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import httpx

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Decision
from erkenning.recognition.states import postal_grace_end
from tests.factories import TokenFactory, World
from tests.helpers import WebClient, form_actions, post_form, scalar


async def _objection(client: httpx.AsyncClient, world: World) -> tuple[str, str, UUID]:
    recognition = await world.granted()
    decision = await world.decide("suspend", [recognition], until_reinstated=True)
    filed = await client.post(f"/api/v1/portal/decisions/{decision}/objections",
                              json={"grounds": "Wij hebben nooit iemand afgewezen."}, headers=world.company.headers)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"], filed.json()["reference"], decision


async def test_staff_invite_hold_and_the_company_sees_reference_term_hearing_and_file(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory
) -> None:
    objection_id, reference, decision = await _objection(client, world)
    await web.sign_in_as(tokens, Role.ADVISER)
    path = f"/bezwaren/{objection_id}"
    page = (await web.get(path)).text
    assert reference in page and "(art. 7:10 Awb)" in page
    actions = form_actions(page)
    assert {f"{path}/uitnodigen", f"{path}/niet-horen", f"{path}/verdagen"} <= actions
    assert f"{path}/gehoord" not in actions and f"{path}/ontvankelijkheid" not in actions  # not invited; on time

    neither = await post_form(web, path, f"{path}/uitnodigen", {"day": (clock.today() + timedelta(days=7)).isoformat(),
                                                                 "at": "10:00"})
    assert neither.status_code == 422 and "geef een plaats of een videolink (https://)" in neither.text
    day = clock.today() + timedelta(days=7)
    invited = await post_form(web, path, f"{path}/uitnodigen",
                              {"day": day.isoformat(), "at": "10:00", "place": "SBB, Zoetermeer"})
    assert invited.status_code == 303, invited.text
    extended = await post_form(web, path, f"{path}/verdagen", {"reason": "Advies van de sectorkamer."})
    assert extended.status_code == 303
    page = (await web.get(path)).text
    assert "SBB, Zoetermeer" in page and "eenmaal verdaagd" in page and f"{path}/verdagen" not in form_actions(page)
    early = await post_form(web, path, f"{path}/gehoord", {"report": "Nog niet gehouden."})
    assert early.status_code == 409 and "nadat de hoorzitting is gehouden" in early.text

    # The company: reference, term, the invitation, and the file for inspection without the reports.
    await web.sign_out()
    await web.sign_in(world.company)
    portal = (await web.get(f"/portaal/bezwaren/{objection_id}")).text
    assert reference in portal and "één keer met zes weken verlengd, omdat: Advies van de sectorkamer." in portal
    assert "SBB, Zoetermeer" in portal and f"/portaal/bezwaren/{objection_id}/dossier" in portal
    file = await web.get(f"/portaal/bezwaren/{objection_id}/dossier")
    assert file.status_code == 200 and "Stukken bij uw bezwaar" in file.text and "Wij hebben nooit" in file.text

    await web.sign_out()
    with clock.travel(timedelta(days=8)):  # a session of its own then (sessions expire)
        await web.sign_in_as(tokens, Role.ADVISER)
        held = await post_form(web, path, f"{path}/gehoord", {"report": "Het bedrijf lichtte de werving toe."})
    assert held.status_code == 303
    await web.sign_out()
    await web.sign_in(world.company)
    portal = (await web.get(f"/portaal/bezwaren/{objection_id}")).text
    assert "De hoorzitting is gehouden" in portal and "Het bedrijf lichtte de werving toe." in portal


async def test_a_hearing_is_left_out_only_with_a_ground_and_the_beslissing_is_downloadable(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory
) -> None:
    objection_id, reference, decision = await _objection(client, world)
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    path = f"/bezwaren/{objection_id}"
    no_ground = await post_form(web, path, f"{path}/niet-horen", {"note": "Geen tijd."})
    assert no_ground.status_code == 422
    rejected_unheard = await post_form(web, path, f"{path}/beslissen", {"outcome": "rejected", "reason": "Nee."})
    assert rejected_unheard.status_code == 409 and "Hoor het bedrijf eerst (art. 7:2 Awb)" in rejected_unheard.text
    skipped = await post_form(web, path, f"{path}/niet-horen",
                              {"ground": "waived", "note": "Het bedrijf ziet af van horen (e-mail)."})
    assert skipped.status_code == 303
    decided = await post_form(web, path, f"{path}/beslissen", {"outcome": "rejected", "reason": "Het verslag klopt."})
    assert decided.status_code == 303
    letter = await web.get(f"{path}/brief")
    assert letter.status_code == 200 and reference in letter.text and "Beroep instellen" in letter.text
    await web.sign_out()
    await web.sign_in(world.company)
    own = await web.get(f"/portaal/bezwaren/{objection_id}/brief")
    assert own.status_code == 200 and own.text == letter.text


async def test_a_paper_objection_is_recorded_on_the_decision_page_and_a_late_one_judged(
    web: WebClient, world: World, runtime: Runtime, tokens: TokenFactory
) -> None:
    recognition = await world.granted()
    decision_id = await world.decide("suspend", [recognition], until_reinstated=True)
    async with runtime.session_factory() as session:
        deadline = (await session.get(Decision, decision_id)).objection_deadline
    late: date = postal_grace_end(deadline) + timedelta(days=2)
    path = f"/besluiten/{decision_id}"
    with clock.travel(late - clock.today()):
        await web.sign_in_as(tokens, Role.ADVISER)
        assert f"{path}/bezwaar-op-papier" in form_actions((await web.get(path)).text)
        no_day = await post_form(web, path, f"{path}/bezwaar-op-papier", {"grounds": "Per post."})
        assert no_day.status_code == 422
        filed = await post_form(web, path, f"{path}/bezwaar-op-papier",
                                {"grounds": "Per post.", "received_on": late.isoformat(),
                                 "postmarked_on": deadline.isoformat()})
        assert filed.status_code == 303, filed.text
        objection_id = await scalar(runtime, "SELECT id FROM objection WHERE decision_id = :d", d=str(decision_id))
        opath = f"/bezwaren/{objection_id}"
        page = (await web.get(opath)).text
        assert "nog te beoordelen (art. 6:11 Awb)" in page and f"{opath}/ontvankelijkheid" in form_actions(page)
        judged = await post_form(web, opath, f"{opath}/ontvankelijkheid",
                                 {"admissible": "true", "reason": "De post was door een staking vertraagd."})
        assert judged.status_code == 303
        page = (await web.get(opath)).text
    assert "verschoonbaar (art. 6:11 Awb): De post was door een staking vertraagd." in page
    assert await scalar(runtime, "SELECT late_excused FROM objection WHERE id = :id", id=str(objection_id)) is True
