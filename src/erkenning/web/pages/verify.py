"""Checking one company in the register for a qualification, pathway and date (default today): the school's
page (`/school/controleren`, schools only) and everyone's (`/register/controleren`), one handler, one form and
one answer, under the register's rate limits as `GET /verify` is. A company card's "Controleer" links lead here."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Template
from pydantic import BaseModel, ConfigDict
from pydantic import Field as Rule

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.errors import NotFound
from erkenning.core.runtime import Runtime
from erkenning.http.dependencies import RuntimeDep
from erkenning.http.guards import requires
from erkenning.recognition.models import Pathway
from erkenning.recognition.schemas import Crebo
from erkenning.recognition.services.qualifications import QualificationService
from erkenning.register.schemas import COMPANY_KEY, RegisterCard
from erkenning.register.services import find
from erkenning.register.services import lookup as register
from erkenning.vocabulary import number
from erkenning.web import fields, wording
from erkenning.web.forms import Field, Form
from erkenning.web.pages.public import register_limit
from erkenning.web.rendering import page

Text = Annotated[str | None, QueryParameter(max_length=100)]

VERIFY_FIELDS = (
    replace(fields.COMPANY_KEY, hint="Het leerbedrijf-ID, het vestigingsnummer (12 cijfers) of het KvK-nummer "
                                     "(8 cijfers) van een bedrijf met één vestiging. Weet u het niet? Zoek het bedrijf "
                                     "op in het register."),
    replace(fields.CREBO, label="Crebo-code van de opleiding", required=True),
    Field("pathway", "Leerweg", kind="select", options=vocabulary.PATHWAY_OPTIONS, missing="Kies de leerweg.",
          invalid="Kies de leerweg."),
    Field("date", "Op datum", kind="date", required=False, width="s",
          hint="Laat leeg om voor vandaag te controleren.", invalid="Vul een geldige datum in."),
)


class VerifyQuestion(BaseModel):
    """What is asked of the register (the verify route's own rules)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    company: str = Rule(pattern=COMPANY_KEY)
    crebo: Crebo
    pathway: Pathway
    date: dt.date | None = None


async def _company(runtime: Runtime, form: Form, question: VerifyQuestion) -> RegisterCard | None:
    """The company asked about, by its SBB id or establishment number, or by the KvK number of its only
    establishment (the question then names the SBB id); None with the reason on the form."""
    try:
        return await register.card(runtime, question.company)
    except NotFound:
        pass
    if len(question.company) == find.KVK_DIGITS:
        found = await find.by_number(runtime, question.company, limit=2, offset=0)
        if found.total == 1 and found.items[0].matched_on == "kvk_number":
            question.company = found.items[0].sbb_id
            return await register.card(runtime, question.company)
        if found.total > 1:
            form.error("company", f"Bij KvK-nummer {question.company} horen {number(found.total)} vestigingen. Vul "
                       "het vestigingsnummer of het leerbedrijf-ID van de vestiging in; u vindt ze in het register "
                       "onder dit KvK-nummer.")
            return None
    form.error("company", not_in_register(question.company))
    return None


def not_in_register(company: str) -> str:
    """No company under this key: what was searched, and how else to find it (never "not recognised")."""
    kinds = ("establishment_number",) if len(company) == find.ESTABLISHMENT_DIGITS else find.number_kinds(company)
    return (f"Er staat geen leerbedrijf in het register met {wording.number_searched(kinds)} {company}. "
            "Controleer het nummer, of zoek het bedrijf in het register op naam en plaats of op het KvK-nummer.")


async def _answer(
    qualifications: QualificationService, runtime: Runtime, name: str, question: VerifyQuestion
) -> dict[str, Any]:
    """The register's verdict as a sentence, with the qualification named where the catalogue has it."""
    found = await register.verify(runtime, question.company, question.crebo, question.pathway, question.date)
    try:
        qualification = await qualifications.by_crebo(question.crebo)
        subject = wording.qualification_label(qualification.name, qualification.level, question.pathway)
    except NotFound:
        subject = f"crebo {question.crebo} ({vocabulary.term(question.pathway)})"
    sentence = wording.verify_sentence(name, subject, found.date, clock.today(), found.recognised, found.status,
                                       found.since, found.until, found.placements_until)
    return {"recognised": found.recognised, "sentence": sentence, "status": found.status, "date": found.date}


SCHOOL_PATH = "/school/controleren"
PUBLIC_PATH = "/register/controleren"
_schools_only = requires(Role.SCHOOL)


async def _school_path_for_schools(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """`/school/controleren` is a school's own page (in its menu, and where its card links lead)."""
    if connection.url.path.rstrip("/") == SCHOOL_PATH:
        await _schools_only(connection, handler)


class VerifyPages(Controller):
    """Controleren of een bedrijf erkend is: voor iedereen, en voor een school in haar eigen menu."""

    path = "/"

    @get([PUBLIC_PATH, SCHOOL_PATH], name="verify", guards=[_school_path_for_schools, register_limit])
    async def verify(
        self, request: Request[Any, Any, Any], qualifications: NamedDependency[QualificationService],
        runtime: RuntimeDep, company: Text = None, crebo: Text = None, pathway: Text = None, date: Text = None,
        actie: Text = None,
    ) -> Template:
        """One company, qualification, pathway and date (default today); the answer as a sentence."""
        form = Form(VERIFY_FIELDS, {"company": company or "", "crebo": crebo or "", "pathway": pathway or "",
                                    "date": date or ""})
        answer = None
        status = 200
        if actie is not None:
            question = form.validate(VerifyQuestion)
            if question is not None:
                card = await _company(runtime, form, question)
                if card is not None:
                    answer = await _answer(qualifications, runtime, card.name, question)
            status = 400 if form.has_errors else 200
        action = SCHOOL_PATH if request.url.path.rstrip("/") == SCHOOL_PATH else PUBLIC_PATH
        return page(request, "school/verify.html", title="Erkenning controleren", form=form, answer=answer,
                    action=action, status_code=status)
