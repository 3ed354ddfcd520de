"""Decision letters (art. 3:41, 3:45 Awb): what every letter states, the preview before sending, the letter
kept unchanged after it (its hash in the audit trail, the database refusing changes), and the download."""

from __future__ import annotations

import hashlib
import html as htmlmod
import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from erkenning.core import calendar, clock
from erkenning.core.caller import Caller
from erkenning.core.errors import Forbidden
from erkenning.core.runtime import Runtime
from erkenning.letters import RENDERER
from erkenning.recognition.schemas import DecisionCreate
from erkenning.recognition.services.decisions import DecisionService
from erkenning.vocabulary import long_date
from tests.factories import World, as_caller, decision_body
from tests.helpers import DECISIONS, PORTAL

KENMERK = re.compile(r"^SBB-B-\d{4}-\d{6,}$")


def text_of(html: str) -> str:
    """The letter's words, without tags, whitespace folded (what a reader sees)."""
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", html)))


async def _audit(runtime: Runtime, decision_id: UUID | str, action: str) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT detail FROM audit_event WHERE object_id = :id AND action = :action ORDER BY seq"),
            {"id": str(decision_id), "action": action},
        )
        return [r[0] for r in rows]


async def _sent(world: World, kind: str) -> UUID:
    """A sent decision of each kind, made as people make them (an intended decision first where harmful)."""
    if kind in ("grant", "refuse"):
        return await world.decide(kind, [await world.application()])
    recognition_id = await world.granted(on=clock.today() - timedelta(days=30))
    if kind == "reinstate":
        await world.decide("suspend", [recognition_id], until_reinstated=True)
        return await world.decide("reinstate", [recognition_id])
    fields: dict[str, Any] = {"until_reinstated": True} if kind == "suspend" else {}
    return await world.decide(kind, [recognition_id], **fields)


KINDS = ["grant", "refuse", "impose_conditions", "suspend", "reinstate", "withdraw", "lapse"]


@pytest.mark.parametrize("kind", KINDS)
async def test_every_sent_decision_has_a_letter_that_states_what_the_law_asks(
    client, world: World, runtime: Runtime, kind: str
) -> None:
    decision_id = await _sent(world, kind)
    detail = (await client.get(f"{DECISIONS}/{decision_id}", headers=world.adviser.headers)).json()
    response = await client.get(f"{DECISIONS}/{decision_id}/letter", headers=world.adviser.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == f'attachment; filename="{detail["kenmerk"]}.html"'
    letter = text_of(response.text)
    sent_on = clock.today()
    deadline = calendar.term_end(sent_on, weeks=6)
    company = await world.company_row()

    assert KENMERK.match(detail["kenmerk"]) and f"Kenmerk {detail['kenmerk']}" in letter
    assert f"Datum besluit {long_date(sent_on)}" in letter and f"Datum verzending {long_date(sent_on)}" in letter
    assert company.name in letter and f"{company.postcode} {company.city}" in letter
    assert company.establishment_number in letter and company.sbb_id in letter
    for line in detail["recognitions"]:
        assert line["qualification_name"] in letter and line["crebo"] in letter
    assert "BOL (beroepsopleidende leerweg)" in letter
    assert detail["legal_basis"] in letter and detail["grounds"] in letter
    assert f"Het besluit gaat in op {long_date(clock.today())}" in letter
    # The remedy (art. 3:45 Awb), for a favourable decision too.
    assert "bezwaar maken bij SBB" in letter and "zes weken" in letter
    assert f"uiterlijk op {long_date(deadline)} bij SBB zijn ontvangen" in letter
    assert f"verzonden op {long_date(sent_on)}" in letter and "artikel 6:7 en 6:8 Awb" in letter
    assert "Postbus 7259" in letter and detail["kenmerk"] in letter
    assert "schort de werking van dit besluit niet op" in letter and "artikel 6:16 Awb" in letter
    assert "voorlopige voorziening" in letter and "voorzieningenrechter" in letter and "artikel 8:81 Awb" in letter
    transition = "Studenten die al bij u zijn geplaatst" in letter
    assert transition is (kind in ("suspend", "withdraw"))
    if transition:
        assert f"tot en met {long_date(clock.today() + timedelta(days=60))} (overgangsregeling)" in letter
    if kind in ("refuse", "impose_conditions", "suspend", "withdraw"):
        assert "uw zienswijze gegeven" in letter and "artikel 4:8 Awb" in letter


async def test_staff_see_the_letter_before_sending_as_it_would_go_today_and_it_is_kept_when_sent(
    client, world: World, runtime: Runtime
) -> None:
    recognition_id = await world.application()
    drafted = (await client.post(DECISIONS, json=decision_body("grant", [recognition_id]),
                                 headers=world.adviser.headers)).json()
    url = f"{DECISIONS}/{drafted['id']}"
    assert KENMERK.match(drafted["kenmerk"])
    with clock.travel(timedelta(days=3)):
        preview = await client.get(f"{url}/letter", headers=world.admin.headers)
        assert preview.status_code == 200
        assert preview.headers["content-disposition"] == f'attachment; filename="{drafted["kenmerk"]}-concept.html"'
        assert f"Datum verzending {long_date(clock.today())}" in text_of(preview.text)
    # The preview is not kept, and the company sees no letter of a decision not sent.
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM letter"))).scalar() == 0
    portal = await client.get(f"{PORTAL}/decisions/{drafted['id']}/letter", headers=world.company.headers)
    assert portal.status_code == 404

    assert (await client.post(f"{url}/approve", headers=world.senior.headers)).status_code == 200
    sent = await client.post(f"{url}/send", headers=world.adviser.headers)
    assert sent.status_code == 200 and sent.json()["sent_by"] == str(world.adviser.id)
    kept = await client.get(f"{url}/letter", headers=world.adviser.headers)
    assert kept.headers["content-disposition"] == f'attachment; filename="{drafted["kenmerk"]}.html"'
    [audited] = await _audit(runtime, drafted["id"], "decision.sent")
    assert audited["letter_sha256"] == hashlib.sha256(kept.content).hexdigest()
    assert audited["kenmerk"] == drafted["kenmerk"]

    # A week later it is still the same bytes (dates as sent), for staff and for the company.
    with clock.travel(timedelta(days=7)):
        later = await client.get(f"{url}/letter", headers=world.adviser.headers)
        own = await client.get(f"{PORTAL}/decisions/{drafted['id']}/letter", headers=world.company.headers)
    assert later.content == kept.content == own.content
    async with runtime.engine.connect() as conn:
        stored = (await conn.execute(
            sa.text("SELECT html, sha256 FROM letter WHERE decision_id = :id AND kind = 'decision'"),
            {"id": drafted["id"]},
        )).one()
    assert stored.html.encode() == kept.content and stored.sha256 == audited["letter_sha256"]


@pytest.mark.parametrize("statement", [
    "UPDATE letter SET html = 'anders' WHERE decision_id = :id",
    "UPDATE letter SET sha256 = repeat('0', 64) WHERE decision_id = :id",
    "DELETE FROM letter WHERE decision_id = :id",
])
async def test_the_database_refuses_to_change_or_remove_a_letter(
    world: World, runtime: Runtime, statement: str
) -> None:
    decision_id = await _sent(world, "grant")
    with pytest.raises(DBAPIError, match="kept as it was sent"):
        async with runtime.engine.begin() as conn:
            await conn.execute(sa.text(statement), {"id": str(decision_id)})
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(
            sa.text("SELECT count(*) FROM letter WHERE decision_id = :id"), {"id": str(decision_id)}
        )).scalar() == 1


async def test_the_intended_decision_is_a_letter_too_and_the_company_downloads_it(
    client, world: World, runtime: Runtime
) -> None:
    recognition_id = await world.granted()
    effective = clock.today() + timedelta(days=40)
    body = decision_body("withdraw", [recognition_id], effective_from=effective.isoformat())
    del body["placements_until"]
    drafted = (await client.post(DECISIONS, json=body, headers=world.adviser.headers)).json()
    assert drafted["placements_until"] == effective.isoformat()  # a later withdrawal: until it applies
    intended = await client.post(f"{DECISIONS}/{drafted['id']}/intend", headers=world.adviser.headers)
    assert intended.status_code == 200
    letter = await client.get(f"{PORTAL}/decisions/{drafted['id']}/letter", headers=world.company.headers)
    assert letter.status_code == 200
    assert letter.headers["content-disposition"] == f'attachment; filename="{drafted["kenmerk"]}-V.html"'
    words = text_of(letter.text)
    due = intended.json()["response_due"]
    assert "SBB is van plan de erkenning van uw bedrijf als leerbedrijf in te trekken" in words
    assert f"Reageren tot en met {long_date(date.fromisoformat(due))}" in words
    assert "artikel 4:8 Awb" in words and "Dit is nog geen besluit" in words
    assert f"zou ingaan op {long_date(effective)}" in words and drafted["grounds"] in words
    [audited] = await _audit(runtime, drafted["id"], "decision.intended")
    assert audited["letter_sha256"] == hashlib.sha256(letter.content).hexdigest()


async def test_only_a_person_sends_and_is_recorded_as_the_sender(world: World, runtime: Runtime) -> None:
    recognition_id = await world.application()
    async with runtime.transaction() as session:
        service = DecisionService(session, runtime.settings, RENDERER)
        decision = await service.draft(
            DecisionCreate.model_validate(decision_body("grant", [recognition_id])), as_caller(world.adviser)
        )
        await service.approve(decision.id, as_caller(world.adviser))
    with pytest.raises(Forbidden):
        async with runtime.transaction() as session:
            await DecisionService(session, runtime.settings, RENDERER).send(decision.id, Caller.system("worker"))
    async with runtime.transaction() as session:
        sent = await DecisionService(session, runtime.settings, RENDERER).send(decision.id, as_caller(world.senior))
    assert sent.sent_by == world.senior.id
