"""The company's pages of issue 18: the objection with attachments (form → check → sent → confirmation),
the decision page that reads as its letter, the recognition history in the right tense, and the e-learning
that is started from the portal and not enrolled in again once completed."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import RecognitionStatus
from erkenning.recognition.schemas import PeriodRead
from erkenning.recognition.tasks import purge_staged_attachments
from erkenning.training.services.participations import ParticipationService
from erkenning.vocabulary import long_date
from erkenning.web import wording
from tests.factories import STAFF, TokenFactory, World, enrol_company, intended_withdrawal, make_course
from tests.helpers import PORTAL_TRAINING, WebClient, csrf_of, scalar, value_of


@pytest.fixture
async def company(web: WebClient, world: World) -> World:
    """The world's company, signed in on `web`."""
    await web.sign_in(world.company)
    return world


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _count(runtime: Runtime, table: str) -> int:
    return int(await scalar(runtime, f"SELECT count(*) FROM {table}") or 0)


async def _suspension(world: World) -> str:
    return str(await world.decide("suspend", [await world.granted(on=date(2024, 3, 3))], until_reinstated=True))


async def _post_files(web: WebClient, page_path: str, action: str, grounds: str,
                      files: list[tuple[str, bytes, str]]) -> httpx.Response:
    page = await web.get(page_path)
    return await web.http.post(action, data={"_csrf": csrf_of(page.text), "grounds": grounds},
                               files=[("bijlagen", f) for f in files])


async def _one_file_staged(web: WebClient, world: World, grounds: str) -> str:
    """A suspension, and one file chosen on its objection form and checked (not sent); the decision's page."""
    path = f"/portaal/besluiten/{await _suspension(world)}"
    await _post_files(web, path, f"{path}/bezwaar", grounds, [("a.pdf", PDF, "application/pdf")])
    return path


async def test_an_objection_with_attachments_is_checked_sent_and_its_files_downloaded(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    decision = await _suspension(company)
    path = f"/portaal/besluiten/{decision}"
    form = (await web.get(path)).text
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form and "10 MB" in form
    check = await _post_files(web, path, f"{path}/bezwaar", "Zie de verklaring.",
                              [("verklaring.pdf", PDF, "application/pdf"), ("foto.png", PNG, "image/png")])
    assert check.status_code == 200 and "Controleer uw bezwaar" in check.text
    assert "verklaring.pdf" in check.text and "foto.png" in check.text and "Zie de verklaring." in check.text
    assert await _count(runtime, "objection") == 0 and await _count(runtime, "objection_attachment") == 2
    sent = await web.http.post(f"{path}/bezwaar/versturen",
                               data={"_csrf": csrf_of(check.text), "grounds": value_of(check.text, "grounds")})
    assert sent.status_code == 303
    confirmation = (await web.get(sent.headers["location"])).text
    objection_id = sent.headers["location"].rsplit("/", 1)[1]
    assert "Uw bezwaar is ontvangen" in confirmation and "verklaring.pdf" in confirmation
    assert "kenmerk van het besluit" in confirmation or "Kenmerk van uw bezwaar" in confirmation
    # The decision term the objection keeps (art. 7:10 Awb), as the service computed it.
    decide_by = await scalar(runtime, "SELECT decide_by FROM objection")
    assert ("binnen zes weken na het einde van de bezwaartermijn, dus uiterlijk op "
            f"{vocabulary.long_date(decide_by)}") in confirmation
    attachment_id = await scalar(runtime, "SELECT id FROM objection_attachment WHERE filename = 'verklaring.pdf'")
    assert str(attachment_id) in confirmation
    assert str(await scalar(runtime, "SELECT DISTINCT objection_id FROM objection_attachment")) == objection_id
    got = await web.get(f"/portaal/bezwaren/{objection_id}/bijlagen/{attachment_id}")
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    decision_page = (await web.get(path)).text
    assert "2 bijlagen" in decision_page


async def test_a_bad_file_on_the_form_is_named_beside_the_field_and_nothing_is_kept(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    decision = await _suspension(company)
    path = f"/portaal/besluiten/{decision}"
    refused = await _post_files(web, path, f"{path}/bezwaar", "Zie bijlage.",
                                [("goed.pdf", PDF, "application/pdf"),
                                 ("brief.pdf", b"<html>geen pdf</html>", "application/pdf")])
    assert refused.status_code == 422
    assert "brief.pdf is geen PDF, PNG of JPEG" in refused.text and 'href="#veld-bijlagen"' in refused.text
    assert value_of(refused.text, "grounds") == "Zie bijlage."
    assert await _count(runtime, "objection_attachment") == 0 and await _count(runtime, "objection") == 0


async def test_a_staged_file_can_be_removed_and_the_grounds_are_kept(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    path = await _one_file_staged(web, company, "Eerste versie.")
    attachment_id = await scalar(runtime, "SELECT id FROM objection_attachment")
    page = await web.get(path)
    back = await web.http.post(f"{path}/bezwaar/wijzigen", data={"_csrf": csrf_of(page.text), "grounds": "Tweede."})
    assert back.status_code == 200 and value_of(back.text, "grounds") == "Tweede." and "a.pdf" in back.text
    removed = await web.http.post(f"{path}/bijlagen/{attachment_id}/verwijderen",
                                  data={"_csrf": csrf_of(page.text), "grounds": "Tweede."})
    assert removed.status_code == 200 and value_of(removed.text, "grounds") == "Tweede."
    assert await _count(runtime, "objection_attachment") == 0


async def test_staff_read_the_attachments_in_the_back_office(
    web: WebClient, company: World, runtime: Runtime, tokens: TokenFactory
) -> None:
    decision = await _suspension(company)
    path = f"/portaal/besluiten/{decision}"
    check = await _post_files(web, path, f"{path}/bezwaar", "Zie bijlage.", [("scan.png", PNG, "image/png")])
    sent = await web.http.post(f"{path}/bezwaar/versturen", data={"_csrf": csrf_of(check.text), "grounds": "Zie."})
    objection_id = sent.headers["location"].rsplit("/", 1)[1]
    attachment_id = await scalar(runtime, "SELECT id FROM objection_attachment")
    assert (await web.get(f"/bezwaren/{objection_id}/bijlagen")).status_code == 403  # a company: not staff pages
    await web.sign_out()
    await web.sign_in(company.adviser)
    assert f'href="/bezwaren/{objection_id}/bijlagen"' in (await web.get(f"/bezwaren/{objection_id}")).text
    listing = (await web.get(f"/bezwaren/{objection_id}/bijlagen")).text
    assert "scan.png" in listing
    got = await web.get(f"/bezwaren/{objection_id}/bijlagen/{attachment_id}")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"


async def test_the_decision_page_reads_as_its_letter(web: WebClient, company: World) -> None:
    recognition = await company.granted(on=date(2024, 3, 3))
    later = clock.today() + timedelta(days=30)
    decision = await company.decide("withdraw", [recognition], effective_from=later,
                                    placements_until=later + timedelta(days=90))
    page = (await web.get(f"/portaal/besluiten/{decision}")).text
    for words in ("Kenmerk", "Datum besluit", "Datum verzending", "Wettelijke grondslag", "Overgangsregeling",
                  "Bezwaar maken kan tot en met", "Brief met het besluit downloaden", "Bezwaar maken",
                  "artikel 6:7", "De brief met het besluit", f"tot en met {long_date(later + timedelta(days=90))}"):
        assert words in page, words


async def test_an_intended_decision_is_a_voornemen_in_the_future_tense(
    web: WebClient, company: World
) -> None:
    decision = await intended_withdrawal(company, await company.granted(on=date(2024, 3, 3)))
    listed = (await web.get("/portaal/besluiten")).text
    assert "Voornemen tot intrekken van de erkenning" in listed and "Erkenning ingetrokken" not in listed
    page = (await web.get(f"/portaal/besluiten/{decision}")).text
    assert "<h1>Voornemen tot intrekken van de erkenning</h1>" in page
    assert "SBB is van plan uw erkenning in te trekken." in page and "Dit is nog geen besluit" in page
    assert "zouden mogen blijven" in page and "Zou ingaan op" in page


def test_the_history_says_now_planned_and_past_in_their_tenses() -> None:
    today = date(2026, 6, 1)
    periods = [
        PeriodRead(status=RecognitionStatus.ACTIVE, valid_from=date(2024, 3, 3), valid_until=date(2025, 1, 1),
                   decision_id=None),
        PeriodRead(status=RecognitionStatus.SUSPENDED, valid_from=date(2025, 1, 1), valid_until=date(2025, 3, 1),
                   decision_id=None),
        PeriodRead(status=RecognitionStatus.ACTIVE, valid_from=date(2025, 3, 1), valid_until=date(2026, 9, 1),
                   decision_id=None),
        PeriodRead(status=RecognitionStatus.WITHDRAWN, valid_from=date(2026, 9, 1), valid_until=None,
                   decision_id=None),
    ]
    lines = wording.history(periods, today)
    assert [(line.when, line.sentence) for line in lines] == [
        ("gepland", "Wordt ingetrokken per 1 september 2026."),
        ("nu", "Erkend sinds 1 maart 2025, tot 1 september 2026."),
        ("voorbij", "Was geschorst van 1 januari 2025 tot 1 maart 2025."),
        ("voorbij", "Was erkend van 3 maart 2024 tot 1 januari 2025."),
    ]


async def test_the_history_page_marks_now_and_links_each_period_to_its_decision(
    web: WebClient, company: World
) -> None:
    recognition = await company.granted(on=date(2024, 3, 3))
    later = clock.today() + timedelta(days=60)
    decision = await company.decide("withdraw", [recognition], effective_from=later)
    page = (await web.get("/portaal/erkenningen")).text
    assert ">nu<" in page and ">gepland<" in page
    assert f"Wordt ingetrokken per {long_date(later)}." in page
    assert f'href="/portaal/besluiten/{decision}"' in page
    assert 'data-label="Wanneer"' in page  # each cell carries its heading for the stacked rows on a phone


async def test_an_e_learning_is_started_from_the_portal_and_not_enrolled_in_again_once_completed(
    web: WebClient, tokens: TokenFactory, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    kapsalon = await web.sign_in_as(tokens, Role.COMPANY, name="Kapsalon Knip")
    course = await make_course(runtime, title="Gelijke kansen online", format="e_learning",
                               online_url="https://leren.example.nl/gelijke-kansen")
    page = await web.get(f"/portaal/cursussen/aanmelden?cursus={course}")
    enrolled = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": "", "course_id": str(course), "trainer_name": ""})
    assert enrolled.status_code == 303
    mine = (await web.get("/portaal/deelnames")).text
    assert 'href="https://leren.example.nl/gelijke-kansen"' in mine and "Start de e-learning" in mine
    catalogue = (await web.get("/portaal/cursussen")).text
    assert 'href="https://leren.example.nl/gelijke-kansen"' in catalogue
    participation = await scalar(runtime, "SELECT id FROM participation")
    async with runtime.transaction() as session:
        await ParticipationService(session).complete(participation, STAFF)
    catalogue = (await web.get("/portaal/cursussen")).text
    assert "afgerond" in catalogue and f"/portaal/cursussen/aanmelden?cursus={course}" not in catalogue
    again = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": "", "course_id": str(course), "trainer_name": ""})
    assert again.status_code == 409 and "U heeft deze e-learning al afgerond" in again.text
    api = await client.post(f"{PORTAL_TRAINING}/participations", json={"course_id": str(course)}, headers=kapsalon.headers)
    assert api.status_code == 409 and api.json()["type"] == "urn:erkenning:problem:already-completed"
    assert await _count(runtime, "participation") == 1
    other = await tokens.make(Role.COMPANY)
    assert other.company_id is not None and await enrol_company(runtime, other.company_id, course_id=course)


async def test_files_staged_for_an_objection_never_sent_are_purged_after_a_day(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    await _one_file_staged(web, company, "Nog niet verstuurd.")
    assert await purge_staged_attachments({"runtime": runtime}) == 0  # the company may still be checking
    with clock.travel(timedelta(days=1, minutes=1)):
        assert await purge_staged_attachments({"runtime": runtime}) == 1
    assert await _count(runtime, "objection_attachment") == 0


async def test_the_longest_objection_goes_through_every_step(web: WebClient, company: World) -> None:
    decision = await _suspension(company)
    path = f"/portaal/besluiten/{decision}"
    grounds = "Ë" * 20_000  # at the limit, and every character two bytes (six once url-encoded)
    check = await web.submit(path, f"{path}/bezwaar", {"grounds": grounds})
    assert check.status_code == 200 and value_of(check.text, "grounds") == grounds
    back = await web.http.post(f"{path}/bezwaar/wijzigen", data={"_csrf": csrf_of(check.text), "grounds": grounds})
    assert back.status_code == 200
    sent = await web.http.post(f"{path}/bezwaar/versturen", data={"_csrf": csrf_of(check.text), "grounds": grounds})
    assert sent.status_code == 303
