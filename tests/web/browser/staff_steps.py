"""Steps of SBB staff through the back-office pages, as a person takes them (for flows across audiences).

Each helper opens the page it needs, fills the form by its labels, submits, and waits for the
page's confirmation, so a flow reads as the story it tests:

    await triage_report(page, report_id)                      # take it, start triage, substantiated
    await drain_queue(settings)                               # the worker opens the case
    case_id = await case_for_report(runtime, report_id)
    await request_hearing(page, case_id, "Hoe verliep de selectie?")
    await record_answer(page, case_id, "Per brief: …")        # or the company answers in its portal
    await propose(page, case_id, outcome="verbeterafspraken", findings="…", measures="…", follow_up_on=date)
    await approve(senior_page, case_id)                       # another senior adviser (four eyes)
    await approve_decision(senior_page, decision_id)          # after the company's response, having read it
    await send_decision(page, decision_id)                    # a person sends the letter
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from erkenning.core.runtime import Runtime
from tests.factories import case_of


async def _submit(page, button: str, confirmation: str) -> None:
    await page.get_by_role("button", name=button).click()
    await page.get_by_text(confirmation).wait_for()


async def triage_report(page, report_id: str, *, outcome: str = "gegrond", reason: str = "Aannemelijk: bevestigd door de school.") -> None:
    """Take the report (if no one has), start triage, and record the outcome with a reason."""
    await page.goto(f"/meldingen/{report_id}")
    if await page.get_by_role("button", name="Melding oppakken").count():
        await _submit(page, "Melding oppakken", "De melding is toegewezen.")
    if await page.get_by_role("button", name="Beoordeling starten").count():
        await _submit(page, "Beoordeling starten", "De beoordeling van de melding is gestart.")
    await page.get_by_role("radio", name=outcome, exact=True).check()
    await page.get_by_role("textbox", name="Motivering").fill(reason)
    await _submit(page, "Uitkomst vastleggen", "De uitkomst van de beoordeling is vastgelegd.")


async def show_confidential(page, report_id: str, purpose: str = "beoordeling van de melding") -> None:
    await page.goto(f"/meldingen/{report_id}")
    await page.get_by_label("Doel van de inzage").select_option(label=purpose)
    await _submit(page, "Toon vertrouwelijke gegevens", "Deze inzage is vastgelegd.")


async def case_for_report(runtime: Runtime, report_id: str) -> str:
    """The case the worker opened (or joined) for a substantiated report."""
    case = await case_of(runtime, report_id)
    assert case is not None, "no case for this report: did the worker run (drain_queue)?"
    return str(case.id)


async def request_hearing(page, case_id: str, question: str) -> None:
    await page.goto(f"/onderzoeken/{case_id}")
    await page.get_by_role("textbox", name="Vraag aan het bedrijf").fill(question)
    await _submit(page, "Vraag versturen", "De vraag is naar het bedrijf verstuurd.")


async def record_answer(page, case_id: str, answer: str) -> None:
    """The company's side, received outside the portal, recorded by the adviser."""
    await page.goto(f"/onderzoeken/{case_id}")
    await page.get_by_role("textbox", name="Reactie van het bedrijf").fill(answer)
    await _submit(page, "Reactie vastleggen", "De reactie van het bedrijf is vastgelegd.")


async def propose(
    page, case_id: str, *, outcome: str, findings: str, measures: str | None = None,
    follow_up_on: date | None = None, topics: Iterable[str] = (), recognitions: Iterable[str] = (),
    effective_from: date | None = None, effective_until: date | None = None, placements_until: date | None = None,
) -> None:
    """Propose an outcome; `outcome`, `topics` and `recognitions` are the labels on the page."""
    await page.goto(f"/onderzoeken/{case_id}")
    await page.get_by_role("radio", name=outcome, exact=True).check()
    await page.get_by_role("textbox", name="Bevindingen").fill(findings)
    if measures is not None:
        await page.get_by_role("textbox", name="Verbeterafspraken").fill(measures)
    for label, day in (("Controle op", follow_up_on), ("Ingangsdatum", effective_from),
                       ("Einddatum van de schorsing", effective_until),
                       ("Lopende stages en leerbanen mogen doorgaan tot en met", placements_until)):
        if day is not None:
            await page.get_by_label(label).fill(day.isoformat())
    for label in (*topics, *recognitions):
        await page.get_by_role("checkbox", name=label).check()
    await _submit(page, "Voorstel indienen", "Het voorstel is ingediend.")


async def approve(page, case_id: str) -> None:
    """A senior adviser who did not make the proposal approves it."""
    await page.goto(f"/onderzoeken/{case_id}")
    await _submit(page, "Voorstel goedkeuren", "Het voorstel is goedgekeurd en wordt uitgevoerd.")


async def may_approve(page, case_id: str) -> bool:
    await page.goto(f"/onderzoeken/{case_id}")
    return bool(await page.get_by_role("button", name="Voorstel goedkeuren").count())


async def approve_decision(page, decision_id: str, *, read_response: bool = True) -> None:
    """A senior adviser who did not draft the decision reads the scope, the letter and the company's response,
    says so, and approves."""
    await page.goto(f"/besluiten/{decision_id}")
    await page.get_by_role("heading", name="Wat dit besluit doet").wait_for()
    await page.get_by_role("heading", name="De brief zoals die vandaag zou worden verstuurd").wait_for()
    if read_response:
        await page.get_by_label("Ik heb de reactie van het bedrijf op het voornemen gelezen").check()
    await _submit(page, "Besluit goedkeuren", "Het besluit is goedgekeurd.")


async def send_decision(page, decision_id: str) -> None:
    """Send the letter shown on the page; the sender is recorded."""
    await page.goto(f"/besluiten/{decision_id}")
    await _submit(page, "Brief versturen", "Het besluit is verstuurd en gaat in.")
    await page.get_by_role("heading", name="De brief zoals die is verstuurd").wait_for()
