"""Rendering letters: the facts of a decision into the templates, one self-contained HTML document each.

A document holds its own stylesheet (print-ready: `@page`, A4) and no script; the routes that serve it
may allow that stylesheet by its hash (`CSP`). What is rendered at sending is what the domain keeps, so a
template change never alters a letter that went out.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core.settings import Settings
from erkenning.letters import courts, remedy
from erkenning.recognition import assessed
from erkenning.recognition.dispatch import Dispatch, kenmerk_of
from erkenning.recognition.mails import KIND_NL
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
    HearingSkipGround,
    LetterKind,
    Objection,
    ObjectionStatus,
    Pathway,
    Qualification,
    Recognition,
)
from erkenning.recognition.states import ADVERSE, HARMFUL
from erkenning.vocabulary import PATHWAY_NAMES, long_date

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = (TEMPLATES / "letter.css").read_text(encoding="utf-8")
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# The letter itself inside its document, for showing it within a page.
_BODY = re.compile(r"<!-- letter -->(.*)<!-- /letter -->", re.S)
_HEADING = re.compile(r"<(/?)h([1-4])\b")

# What the decision does, in the letter's words (the recognitions follow in a table).
DECISION_SENTENCE = {
    DecisionKind.GRANT: "SBB erkent uw bedrijf als leerbedrijf voor de kwalificaties en leerwegen hieronder.",
    DecisionKind.REFUSE: "SBB wijst uw aanvraag om erkenning als leerbedrijf af voor de kwalificaties en "
    "leerwegen hieronder.",
    DecisionKind.IMPOSE_CONDITIONS: "SBB verbindt voorwaarden aan de erkenning van uw bedrijf als leerbedrijf "
    "voor de kwalificaties en leerwegen hieronder. De voorwaarden staan in de motivering.",
    DecisionKind.SUSPEND: "SBB schorst de erkenning van uw bedrijf als leerbedrijf voor de kwalificaties en "
    "leerwegen hieronder.",
    DecisionKind.REINSTATE: "SBB herstelt de erkenning van uw bedrijf als leerbedrijf voor de kwalificaties en "
    "leerwegen hieronder.",
    DecisionKind.WITHDRAW: "SBB trekt de erkenning van uw bedrijf als leerbedrijf in voor de kwalificaties en "
    "leerwegen hieronder.",
    DecisionKind.LAPSE: "SBB stelt vast dat de erkenning van uw bedrijf als leerbedrijf vervalt voor de "
    "kwalificaties en leerwegen hieronder, omdat u vier jaar geen studenten heeft begeleid.",
}
INTENDED_SENTENCE = {
    DecisionKind.REFUSE: "SBB is van plan uw aanvraag om erkenning als leerbedrijf af te wijzen voor de "
    "kwalificaties en leerwegen hieronder.",
    DecisionKind.IMPOSE_CONDITIONS: "SBB is van plan voorwaarden te verbinden aan de erkenning van uw bedrijf "
    "als leerbedrijf voor de kwalificaties en leerwegen hieronder. De voorwaarden staan in de motivering.",
    DecisionKind.SUSPEND: "SBB is van plan de erkenning van uw bedrijf als leerbedrijf te schorsen voor de "
    "kwalificaties en leerwegen hieronder.",
    DecisionKind.WITHDRAW: "SBB is van plan de erkenning van uw bedrijf als leerbedrijf in te trekken voor de "
    "kwalificaties en leerwegen hieronder.",
}


OUTCOME_SENTENCE = {
    ObjectionStatus.UPHELD: "SBB verklaart uw bezwaar gegrond.",
    ObjectionStatus.REJECTED: "SBB verklaart uw bezwaar ongegrond. Het besluit blijft in stand.",
    ObjectionStatus.INADMISSIBLE: "SBB verklaart uw bezwaar niet-ontvankelijk. SBB beoordeelt het daarom niet "
    "inhoudelijk; het besluit blijft in stand.",
}
# Why the objector was not heard (art. 7:3 Awb), completing "SBB heeft u niet gehoord, omdat …".
SKIP_REASON = {
    HearingSkipGround.MANIFESTLY_INADMISSIBLE: "het bezwaar kennelijk niet-ontvankelijk is",
    HearingSkipGround.MANIFESTLY_UNFOUNDED: "het bezwaar kennelijk ongegrond is",
    HearingSkipGround.WAIVED: "u heeft laten weten geen gebruik te willen maken van het recht om te worden gehoord",
    HearingSkipGround.FULLY_UPHELD: "SBB volledig aan uw bezwaar tegemoetkomt",
}


@dataclass(frozen=True)
class Line:
    """One recognition the letter names."""

    crebo: str
    qualification: str
    level: int
    pathway: str


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(long_date=long_date)
    return env


_ENV = _environment()


async def _lines(
    session: AsyncSession, decision: Decision, recognition_ids: Sequence[UUID] | None = None
) -> list[Line]:
    """The recognitions the letter names: the decision's, or those given (a preview before the decision exists)."""
    stmt = select(Qualification.crebo, Qualification.name, Qualification.level, Recognition.pathway).join(
        Recognition, col(Recognition.qualification_id) == col(Qualification.id)
    )
    if recognition_ids is None:
        stmt = stmt.join(DecisionRecognition, col(DecisionRecognition.recognition_id) == col(Recognition.id)).where(
            DecisionRecognition.decision_id == decision.id
        )
    else:
        stmt = stmt.where(col(Recognition.id).in_(recognition_ids))
    rows = (await session.exec(stmt.order_by(col(Qualification.crebo), col(Recognition.pathway)))).all()
    return [
        Line(crebo, name, level, f"{Pathway(pathway).value.upper()} ({PATHWAY_NAMES[Pathway(pathway)]})")
        for crebo, name, level, pathway in rows
    ]


async def _common(
    session: AsyncSession, settings: Settings, decision: Decision, kind: LetterKind,
    recognition_ids: Sequence[UUID] | None = None,
) -> dict[str, Any]:
    company = await session.get(Company, decision.company_id)
    if company is None:
        raise LookupError(f"decision {decision.id} names no company")
    return {
        "style": Markup(STYLESHEET),
        "sender": settings.letter_sender,
        "kenmerk": kenmerk_of(decision, kind),
        "company": company,
        "lines": await _lines(session, decision, recognition_ids),
        "decision": decision,
        "subject": KIND_NL[decision.kind],
        "ends_placements": decision.kind in (DecisionKind.SUSPEND, DecisionKind.WITHDRAW)
        or decision.placements_until is not None,
        # The recognition criterion no longer met (art. 7.2.10 WEB), which the decision rests on (art. 3:46 Awb).
        "criterion": await assessed.criterion(session, decision.criterion_id),
        "criterion_heading": "De erkenningsvoorwaarde waaraan niet (meer) wordt voldaan",
    }


class Letters:
    """The letters of decisions (`erkenning.recognition.dispatch.LetterRenderer`). Holds no state."""

    async def decision(
        self, session: AsyncSession, settings: Settings, decision: Decision, dispatch: Dispatch
    ) -> str:
        context = await _common(session, settings, decision, LetterKind.DECISION)
        return _ENV.get_template("decision.html").render(
            **context,
            title=f"Besluit: {KIND_NL[decision.kind]}",
            sentence=DECISION_SENTENCE[decision.kind],
            dispatch=dispatch,
            harmful=decision.kind in HARMFUL,
            remedy=remedy.objection(
                settings, dispatch, context["kenmerk"], via_portal=decision.kind in ADVERSE
            ),
        )

    async def intended_decision(
        self, session: AsyncSession, settings: Settings, decision: Decision,
        recognition_ids: Sequence[UUID] | None = None,
    ) -> str:
        if decision.intended_on is None or decision.response_due is None:
            raise ValueError("an intended decision letter needs the day it is put and its response term")
        context = await _common(session, settings, decision, LetterKind.INTENDED_DECISION, recognition_ids)
        return _ENV.get_template("intended_decision.html").render(
            **context,
            title=f"Voornemen: {KIND_NL[decision.kind]}",
            sentence=INTENDED_SENTENCE.get(decision.kind, DECISION_SENTENCE[decision.kind]),
            response=remedy.response(settings, context["kenmerk"], long_date(decision.response_due)),
        )


    async def objection_decision(
        self, session: AsyncSession, settings: Settings, objection: Objection, decision: Decision
    ) -> str:
        if objection.decided_on is None or objection.appeal_deadline is None or objection.reference is None:
            raise ValueError("a beslissing op bezwaar needs its reference, the day it is sent and its appeal term")
        context = await _common(session, settings, decision, LetterKind.DECISION)
        ground = objection.hearing_skip_ground
        return _ENV.get_template("objection_decision.html").render(
            **{**context, "kenmerk": objection.reference},
            title="Beslissing op bezwaar",
            objection=objection,
            outcome_sentence=OUTCOME_SENTENCE[objection.status],
            hearing_day=(objection.hearing_at or objection.hearing_held_at or objection.decided_at),
            skip_reason=SKIP_REASON[ground] if ground else "",
            remedy=remedy.appeal(
                objection.decided_on, objection.appeal_deadline, objection.reference,
                courts.court_for(context["company"].city),
            ),
        )


RENDERER = Letters()


async def provide_letters() -> Letters:
    """The app's provider of `letters`, the renderer services are given (see `erkenning.http.dependencies`)."""
    return RENDERER


def body_of(html: str) -> Markup:
    """The letter inside a rendered document (without its head and style), to show within a page under
    that page's own second-level heading: its headings move two levels down."""
    found = _BODY.search(html)
    body = found.group(1) if found else ""
    return Markup(_HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 2}", body))
