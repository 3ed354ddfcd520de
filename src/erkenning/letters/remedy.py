"""The remedy a letter names (art. 3:45 Awb): every decision says who may object, within which term, to
whom and how, and what an objection does and does not do.

Plain sentences (the template escapes them), one paragraph each, so a later letter (a decision on an
objection, which names appeal to the court instead) composes its own from the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from erkenning.core.settings import Settings
from erkenning.recognition.dispatch import Dispatch
from erkenning.vocabulary import long_date


@dataclass(frozen=True)
class Clause:
    heading: str
    paragraphs: tuple[str, ...]


def objection(settings: Settings, dispatch: Dispatch, kenmerk: str, *, via_portal: bool) -> Clause:
    """Objection to SBB within six weeks from the day after sending (art. 6:7, 6:8 Awb), its exact last day,
    where and how; no suspension of the decision (art. 6:16); interim relief from the court (art. 8:81)."""
    ways = [f"per post aan: {settings.objection_postal_address}"]
    if via_portal:
        ways.append(f"via het portaal van SBB ({settings.objection_portal}), bij dit besluit")
    if settings.objection_email:
        ways.append(f"per e-mail aan {settings.objection_email}")
    how = "; ".join(ways[:-1]) + (" of " if len(ways) > 1 else "") + ways[-1]
    return Clause(
        heading="Bezwaar maken",
        paragraphs=(
            "Bent u het niet eens met dit besluit? Dan kunt u bezwaar maken bij SBB. Dat kan iedere "
            "belanghebbende (artikel 7:1 Awb).",
            "De bezwaartermijn is zes weken. Die begint op de dag na de dag waarop dit besluit is verzonden "
            f"(artikel 6:7 en 6:8 Awb). Dit besluit is verzonden op {long_date(dispatch.sent_on)}; uw "
            f"bezwaarschrift moet dus uiterlijk op {long_date(dispatch.objection_deadline)} bij SBB zijn "
            "ontvangen. Een bezwaarschrift dat u per post verstuurt, is ook op tijd als het vóór het einde van "
            "de termijn is verzonden en niet later dan een week na die dag bij SBB binnenkomt (artikel 6:9 Awb).",
            f"U kunt bezwaar maken {how}.",
            "Vermeld in uw bezwaarschrift uw naam en adres, de datum, het kenmerk van dit besluit "
            f"({kenmerk}) en waarom u het niet eens bent met het besluit, en onderteken het (artikel 6:5 Awb).",
            "Een bezwaar schort de werking van dit besluit niet op: het besluit geldt ook terwijl SBB uw "
            "bezwaar behandelt (artikel 6:16 Awb).",
            "Kunt u de beslissing op uw bezwaar niet afwachten, omdat uw belang spoed vraagt? Dan kunt u, "
            "naast uw bezwaar, de voorzieningenrechter van de rechtbank in het arrondissement waar uw bedrijf "
            "is gevestigd vragen om een voorlopige voorziening (artikel 8:81 Awb). Daarvoor betaalt u "
            "griffierecht.",
        ),
    )


def response(settings: Settings, kenmerk: str, due_text: str) -> Clause:
    """The response an intended decision invites (art. 4:8 Awb), and why it cannot be objected to yet."""
    return Clause(
        heading="Uw zienswijze",
        paragraphs=(
            "Voordat SBB dit besluit neemt, kunt u laten weten wat u ervan vindt: uw zienswijze (artikel 4:8 "
            f"Awb). Dat kan tot en met {due_text}, via het portaal van SBB ({settings.objection_portal}) of "
            f"per post aan {settings.objection_postal_address}. Vermeld het kenmerk {kenmerk}.",
            "Een senior adviseur van SBB leest uw zienswijze voordat het besluit wordt genomen. Reageert u niet "
            "binnen de termijn, dan kan SBB na die termijn besluiten.",
            "Dit is nog geen besluit: u kunt er geen bezwaar tegen maken. Tegen het besluit dat volgt wel; "
            "hoe, staat in dat besluit.",
        ),
    )


def appeal(sent_on: date, deadline: date, kenmerk: str, court: str | None) -> Clause:
    """Appeal (beroep) against a beslissing op bezwaar: to the administrative court within six weeks from the day
    after sending (art. 8:1, 6:7, 6:8 Awb), to the rechtbank of the arrondissement of the company's seat (art.
    8:7(2)), named where known; never a new objection (art. 7:1); interim relief (art. 8:81)."""
    where = (
        f"de {court} (de rechtbank in het arrondissement waar uw bedrijf is gevestigd, artikel 8:7 Awb)"
        if court
        else "de rechtbank in het arrondissement waar uw bedrijf is gevestigd (artikel 8:7 Awb)"
    )
    return Clause(
        heading="Beroep instellen",
        paragraphs=(
            "Bent u het niet eens met deze beslissing op uw bezwaar? Dan kunt u beroep instellen bij de "
            f"bestuursrechter (artikel 8:1 Awb): bij {where}. Tegen deze beslissing kunt u geen bezwaar meer maken "
            "bij SBB (artikel 7:1 Awb).",
            "De beroepstermijn is zes weken. Die begint op de dag na de dag waarop deze beslissing is verzonden "
            f"(artikel 6:7 en 6:8 Awb). Deze beslissing is verzonden op {long_date(sent_on)}; uw beroepschrift moet "
            f"dus uiterlijk op {long_date(deadline)} bij de rechtbank zijn ontvangen. Een beroepschrift dat u per "
            "post verstuurt, is ook op tijd als het vóór het einde van de termijn is verzonden en niet later dan "
            "een week na die dag bij de rechtbank binnenkomt (artikel 6:9 Awb).",
            "Vermeld in uw beroepschrift uw naam en adres, de datum, het kenmerk van deze beslissing "
            f"({kenmerk}) en waarom u het er niet mee eens bent, onderteken het en stuur een kopie van deze "
            "beslissing mee (artikel 6:5 Awb). U kunt ook digitaal beroep instellen via de website van de "
            "Rechtspraak. Voor het behandelen van uw beroep betaalt u griffierecht.",
            "Een beroep schort de werking van deze beslissing niet op (artikel 6:16 Awb). Kunt u de uitspraak "
            "niet afwachten, omdat uw belang spoed vraagt? Dan kunt u de voorzieningenrechter van dezelfde "
            "rechtbank vragen om een voorlopige voorziening (artikel 8:81 Awb).",
        ),
    )
