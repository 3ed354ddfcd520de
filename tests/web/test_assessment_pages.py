"""The assessment page of a recognition: an adviser records per criterion met / not met / not assessed with
a note and a date; the decision page says why a grant cannot be approved yet; the worklist and the company
card show what was last assessed."""

from __future__ import annotations

from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway
from erkenning.vocabulary import long_date
from tests.factories import World
from tests.helpers import WebClient, post_form, scalar

CODES = ["workplace_trainer", "suitable_workplace", "cooperation", "non_discrimination"]


async def test_an_adviser_records_an_assessment_and_a_grant_waits_for_every_criterion(
    web: WebClient, world: World, runtime: Runtime
) -> None:
    application = await world.application("25180", Pathway.BOL, assessed=False)
    page = f"/erkenningen/{application}/beoordeling"
    await web.sign_in(world.adviser)
    shown = await web.get(page)
    assert shown.status_code == 200
    assert "nog niet aan de erkenningsvoorwaarden getoetst" in shown.text
    assert "Discriminatievrije werving en werkomgeving" in shown.text and 'name="result__cooperation"' in shown.text

    # A criterion left without a verdict: 422, nothing kept, the form says which.
    partial = {f"result__{code}": "met" for code in CODES[:3]}
    refused = await post_form(web, page, page, partial)
    assert refused.status_code == 422 and "Kies of aan ‘Discriminatievrije werving en werkomgeving’" in refused.text
    assert await scalar(runtime, "SELECT count(*) FROM criteria_assessment") == 0

    recorded = await post_form(web, page, page, {
        **partial, "result__non_discrimination": "not_met", "note__non_discrimination": "Vacature sluit uit",
    })
    assert recorded.status_code == 303
    after = (await web.get(page)).text
    assert "De beoordeling is vastgelegd." in after and "niet voldaan" in after and "Vacature sluit uit" in after
    assert long_date(clock.today()) in after
    card = (await web.get(f"/bedrijven/{world.company_id}")).text
    assert "niet voldaan: Discriminatievrije werving en werkomgeving" in card

    drafted = await post_form(web, f"/besluiten/nieuw?bedrijf={world.company_id}",
                              f"/besluiten/nieuw?bedrijf={world.company_id}", {
        "kind": "grant", "recognition_ids": [str(application)], "grounds": "Aanvraag.", "legal_basis": "WEB"})
    assert drafted.status_code == 303
    decision = (await web.get(drafted.headers["location"])).text
    assert "Nog niet aan alle erkenningsvoorwaarden voldaan" in decision
    assert "niet voldaan: Discriminatievrije werving en werkomgeving" in decision and page in decision
    assert "/goedkeuren" not in decision

    await post_form(web, page, page, {f"result__{code}": "met" for code in CODES})
    decision = (await web.get(drafted.headers["location"])).text
    assert "Nog niet aan alle erkenningsvoorwaarden voldaan" not in decision and "/goedkeuren" in decision
    card = (await web.get(f"/bedrijven/{world.company_id}")).text
    assert f'href="{page}"' in card and "alle voorwaarden voldaan" in card


async def test_a_suspension_drafted_on_the_page_names_its_criterion(web: WebClient, world: World) -> None:
    recognition = await world.granted()
    await web.sign_in(world.adviser)
    path = f"/besluiten/nieuw?bedrijf={world.company_id}"
    form = await web.get(path)
    assert 'name="criterion_code"' in form.text and "Passende leerwerkplek" in form.text
    body = {"kind": "suspend", "recognition_ids": [str(recognition)], "grounds": "Geen begeleiding.",
            "legal_basis": "WEB", "until_reinstated": "ja",
            "placements_until": clock.today().isoformat()}
    refused = await post_form(web, path, path, body)
    assert refused.status_code == 422 and "Kies bij een schorsing of intrekking de erkenningsvoorwaarde" in refused.text
    drafted = await post_form(web, path, path, {**body, "criterion_code": "workplace_trainer"})
    assert drafted.status_code == 303, drafted.text
    detail = (await web.get(drafted.headers["location"])).text
    assert "Erkenningsvoorwaarde waaraan niet (meer) wordt voldaan:</strong> Deskundige praktijkopleider" in detail
