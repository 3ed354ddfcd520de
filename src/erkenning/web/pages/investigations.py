"""Investigations (onderzoeken): the case list, and one case with exactly the steps its table allows now.

The case page asks `workflows.queries.case_detail` for the moves this caller may make
(`states.allowed` over the transition table) and shows a form for each; every step posts to the same
service method as the JSON API. A refused step (someone else was quicker, four eyes) is shown as a
message on the case as it now stands, and nothing of it is kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES, Caller
from erkenning.core.errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession, LettersDep
from erkenning.http.guards import requires
from erkenning.letters import body_of
from erkenning.recognition.models import RecognitionStatus
from erkenning.recognition.services.criteria import CriteriaService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.reports.services.reports import ReportService
from erkenning.training.services import history
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, listing
from erkenning.web.pages.case_parts import reaction_rows, record_fields, timeline_rows
from erkenning.web.pages.proposal import (
    NOT_HEARD_HINT,
    OUTCOME_HINT,
    PROPOSAL_FIELDS,
    every_proposal_error,
    outcomes_allowed,
)
from erkenning.web.rendering import after_change, flash_message, page
from erkenning.web.staff import Directory, refusal_text
from erkenning.web.timeline import chart
from erkenning.workflows import closing, queries
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.models import Outcome
from erkenning.workflows.schemas import (
    AnswerIn,
    AssignIn,
    HearingIn,
    ProposalIn,
    ReactionIn,
    ReasonIn,
    ReporterQuestionIn,
)
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.services.reporter_reactions import ReporterReactionService
from erkenning.workflows.states import ADVERSE

PAGE_SIZE = 25
Text = Annotated[str | None, QueryParameter(max_length=40)]

FILTER_FIELDS = (
    Field("wie", "Onderzoeken van", kind="select", required=False, options=(("", "Mij"), ("iedereen", "Iedereen"))),
    Field("status", "Status", kind="select", required=False, options=(("", "Alle lopende"), *vocabulary.options(S))),
    Field("termijn", "Termijn", kind="select", required=False,
          options=(("", "Alle"), ("verlopen", "Alleen met een verlopen termijn"))),
)


def _reason(form_id: str, label: str = "Reden", hint: str | None = None) -> Field:
    return Field("reason", label, kind="textarea", form_id=form_id, hint=hint, missing=f"Vul {label.lower()} in.")


@dataclass(frozen=True)
class Step:
    """One step on a case as a form: where it posts, what it asks, and the service method it calls."""

    slug: str
    title: str
    button: str
    fields: tuple[Field, ...]
    schema: type[BaseModel] | None
    call: Callable[[CaseServices, UUID, Caller, Any], Awaitable[Any]]
    done: str
    explain: str = ""
    kind: str = "secondary"


def _step(slug: str, title: str, button: str, fields: tuple[Field, ...], schema: type[BaseModel] | None,
          call: Callable[[CaseServices, UUID, Caller, Any], Awaitable[Any]], done: str, **kw: Any) -> Step:
    return Step(slug, title, button, fields, schema, call, flash_message(f"case-{slug}", done), **kw)


STEPS = {
    step.slug: step
    for step in (
        _step("horen", "Het bedrijf om zijn kant vragen", "Vraag versturen",
              (Field("question", "Vraag aan het bedrijf", kind="textarea", form_id="horen",
                     hint="Het bedrijf ziet deze vraag in zijn portaal en per e-mail, nooit de meldingen of de melder.",
                     missing="Vul de vraag aan het bedrijf in."),),
              HearingIn, lambda s, c, who, p: s.investigations.request_hearing(c, who, p.question),
              "De vraag is naar het bedrijf verstuurd.", kind="primary",
              explain="Hoor en wederhoor: het bedrijf krijgt een termijn om te reageren."),
        _step("beoordelen", "Beoordelen zonder hoor en wederhoor", "Beoordeling starten",
              (_reason("beoordelen", hint="Waarom het bedrijf niet wordt gehoord."),),
              ReasonIn, lambda s, c, who, p: s.investigations.assess_without_hearing(c, who, p.reason),
              "De beoordeling is gestart.",
              explain="Daarna kunnen alleen ‘ongegrond’ of ‘verbeterafspraken’ volgen."),
        _step("reactie", "De reactie van het bedrijf vastleggen", "Reactie vastleggen",
              (Field("answer", "Reactie van het bedrijf", kind="textarea", form_id="reactie",
                     hint="Als het bedrijf buiten het portaal reageerde (brief, gesprek).",
                     missing="Vul de reactie van het bedrijf in."),),
              AnswerIn, lambda s, c, who, p: s.investigations.answer_hearing(c, who, p.answer),
              "De reactie van het bedrijf is vastgelegd."),
        _step("meldende-kant", "De meldende kant om een reactie vragen (wederhoor)", "Vraag voorleggen",
              (Field("question", "Vraag aan de meldende kant", kind="textarea", form_id="meldende-kant",
                     hint="De kern van wat het bedrijf zegt, in uw eigen woorden, en uw vraag. Noem niets van het "
                          "bedrijf dat de melder zelf niet noemde (KvK-nummer, adres, e-mail) en niets van andere "
                          "meldingen. Hoogstens 2.000 tekens.",
                     missing="Vul de vraag aan de meldende kant in.",
                     invalid="Noem geen gegevens van het bedrijf die de melder zelf niet gaf (KvK- of "
                             "vestigingsnummer, leerbedrijf-ID, adres, e-mail, een andere naam), hoogstens "
                             "2.000 tekens."),),
              ReporterQuestionIn, lambda s, c, who, p: s.reporter_reactions.ask(c, who, p.question),
              "De vraag is aan de meldende kant voorgelegd.", kind="primary",
              explain="Hoor en wederhoor: de school die de melding doorgaf ziet de vraag op haar pagina en krijgt "
                      "een e-mail, de anonieme melder ziet hem met de ontvangstcode; een melding die u zelf "
                      "invoerde, legt u zelf voor (telefoon, brief) en u legt de reactie hieronder vast. Er volgt "
                      "een termijn; een voorstel wacht tot die voorbij is of iedereen reageerde."),
        _step("voorstel", "Een uitkomst voorstellen", "Voorstel indienen", PROPOSAL_FIELDS, ProposalIn,
              lambda s, c, who, p: s.investigations.propose(c, who, p.proposal()),
              "Het voorstel is ingediend. Een senior adviseur keurt het goed.", kind="primary",
              explain="Een senior adviseur die het voorstel niet zelf deed, keurt het goed (vier ogen)."),
        _step("goedkeuren", "Het voorstel goedkeuren", "Voorstel goedkeuren", (), None,
              lambda s, c, who, p: s.investigations.approve(c, who), "Het voorstel is goedgekeurd en wordt uitgevoerd.",
              kind="primary",
              explain="Een schorsing of intrekking wordt een voornemen dat het bedrijf krijgt om op te "
                      "reageren; daarna keurt een senior adviseur het besluit goed en verstuurt iemand de brief. "
                      "Verbeterafspraken krijgen een controledatum."),
        _step("terugsturen", "Het voorstel terugsturen", "Terugsturen",
              (_reason("terugsturen", hint="Wat er aan het voorstel moet veranderen."),),
              ReasonIn, lambda s, c, who, p: s.investigations.send_back(c, who, p.reason),
              "Het voorstel is teruggestuurd."),
        _step("pauzeren", "Het onderzoek pauzeren", "Pauzeren",
              (_reason("pauzeren", hint="Zolang het onderzoek gepauzeerd is, schuiven de termijnen op."),),
              ReasonIn, lambda s, c, who, p: s.investigations.hold(c, who, p.reason), "Het onderzoek is gepauzeerd."),
        _step("hervatten", "Het onderzoek hervatten", "Hervatten", (), None,
              lambda s, c, who, p: s.investigations.resume(c, who),
              "Het onderzoek is hervat; de termijnen zijn opgeschoven.",
              explain="Het onderzoek gaat verder waar het was; de termijnen schuiven op met de tijd van de pauze."),
        _step("toewijzen", "Toewijzen", "Toewijzen",
              (Field("adviser_id", "Adviseur", kind="select", form_id="toewijzen", missing="Kies de adviseur."),),
              AssignIn, lambda s, c, who, p: s.investigations.assign(c, p.adviser_id, who),
              "Het onderzoek is toegewezen."),
    )
}


def _slug(status: S, move_to: str) -> str:
    """The step that makes this move of the transition table from this status."""
    if status is S.ON_HOLD:
        return "hervatten"
    return {
        S.HEARING.value: "horen", S.PROPOSED.value: "voorstel", S.APPROVED.value: "goedkeuren",
        S.ON_HOLD.value: "pauzeren",
    }.get(move_to) or {S.OPEN: "beoordelen", S.HEARING: "reactie", S.PROPOSED: "terugsturen"}[status]


def _refusal(slug: str, given: Any, exc: DomainError) -> str:
    if slug == "goedkeuren" and isinstance(exc, GuardRefused):
        return "U heeft dit voorstel zelf gedaan. Een andere senior adviseur moet het goedkeuren (vier ogen)."
    if slug == "voorstel" and isinstance(exc, InvalidTransition) and "reporting side" in exc.detail:
        return "De meldende kant kan nog reageren (wederhoor): doe het voorstel als de termijn voorbij is."
    if slug == "meldende-kant" and isinstance(exc, InvalidTransition):
        return "Dit kan alleen in beoordeling, nadat het bedrijf is gehoord, en één keer tegelijk."
    if slug == "voorstel" and isinstance(exc, GuardRefused) and getattr(given, "outcome", None) in ADVERSE:
        return ("Een schorsing of intrekking kan pas worden voorgesteld nadat het bedrijf is gehoord "
                "(hoor en wederhoor).")
    return refusal_text(exc, {
        GuardRefused: "Alleen de adviseur aan wie het onderzoek is toegewezen, of een senior adviseur, kan dit doen.",
        Forbidden: "Deze stap is voor een senior adviseur.",
    })


nav.add("Onderzoeken", "/onderzoeken", ADVISER_ROLES, order=30)
# What a proposed measure makes of each recognition it names.
MEASURE_STATUS = {Outcome.SUSPENSION: RecognitionStatus.SUSPENDED, Outcome.WITHDRAWAL: RecognitionStatus.WITHDRAWN}
RECORDED = flash_message("case-reporter-reaction", "De reactie van de meldende kant is vastgelegd.")


@dataclass(frozen=True)
class CaseServices:
    """What the case page reads and changes through, for the request."""

    session: AsyncSession
    investigations: InvestigationService
    reporter_reactions: ReporterReactionService
    reports: ReportService
    recognitions: RecognitionService
    adviser_tasks: AdviserTaskService
    directory: Directory
    letters: Any  # erkenning.letters.Letters, given as the services are (the web may not name it below)
    criteria: CriteriaService


async def provide_case_services(
    session: DbSession, investigations: NamedDependency[InvestigationService],
    reporter_reactions: NamedDependency[ReporterReactionService], reports: NamedDependency[ReportService],
    recognitions: NamedDependency[RecognitionService], adviser_tasks: NamedDependency[AdviserTaskService],
    directory: NamedDependency[Directory], letters: LettersDep, criteria: NamedDependency[CriteriaService],
) -> CaseServices:
    return CaseServices(session, investigations, reporter_reactions, reports, recognitions, adviser_tasks, directory,
                        letters, criteria)


class InvestigationPages(Controller):
    path = "/onderzoeken"
    guards = [requires(*ADVISER_ROLES)]
    dependencies = {"case_services": Provide(provide_case_services)}

    @get("/", name="investigations")
    async def list_(
        self, request: Request[Any, Any, Any], session: DbSession, directory: NamedDependency[Directory],
        caller: CurrentCaller, wie: Text = None, status: Text = None, termijn: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        def to_filters(form: Form) -> queries.CaseFilter:
            chosen = form.values["status"]
            return queries.CaseFilter(
                mine=form.values["wie"] != "iedereen",
                status=S(chosen) if chosen in S.__members__.values() else None,
                overdue=form.values["termijn"] == "verlopen",
            )

        result = await listing(
            request, FILTER_FIELDS, {"wie": wie, "status": status, "termijn": termijn}, to_filters,
            lambda filters, limit, offset: queries.list_cases(session, caller, filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        known = await directory.names(caller, companies=[c.company_id for c in result.rows],
                                      people=[c.assigned_to for c in result.rows])
        return page(request, "investigations/list.html", title="Onderzoeken", result=result, names=known)

    @get("/{case_id:uuid}", name="investigation")
    async def detail(
        self, request: Request[Any, Any, Any], case_id: FromPath[UUID], case_services: NamedDependency[CaseServices],
        caller: CurrentCaller,
    ) -> Template:
        return await _case_page(request, case_services, caller, case_id)

    @post("/{case_id:uuid}/reactie-melder/{report_id:uuid}", name="investigation_reporter_reaction")
    async def record_reaction(
        self, request: Request[Any, Any, Any], case_id: FromPath[UUID], report_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]], case_services: NamedDependency[CaseServices], caller: CurrentCaller,
    ) -> Template | Redirect:
        """Record the reporting side's reaction received outside the service (phone, letter, an ADV)."""
        await case_services.investigations.get(case_id, caller)
        form = Form(record_fields(report_id), data)
        payload = form.validate(ReactionIn)
        forms = {f"reactie-{report_id}": form}
        if payload is None:
            return await _case_page(request, case_services, caller, case_id, forms=forms, status_code=422)
        async with service_call(case_services.session, GuardRefused, InvalidTransition, NotFound) as outcome:
            await case_services.reporter_reactions.record(case_id, report_id, caller, payload.reaction)

        async def again(refused: DomainError) -> Template:
            return await _case_page(request, case_services, caller, case_id, status_code=refused.status_code,
                                    refusal=refusal_text(refused, {
                                        GuardRefused: "Alleen de adviseur van dit onderzoek, of een senior adviseur, "
                                                      "legt een reactie vast.",
                                        InvalidTransition: "Deze reactie is al vastgelegd, of de termijn is voorbij.",
                                        NotFound: "Over deze melding is geen vraag voorgelegd.",
                                    }))

        return await after_change(request, f"/onderzoeken/{case_id}", RECORDED, outcome.refusal, again)

    @post("/{case_id:uuid}/{slug:str}", name="investigation_step")
    async def step(
        self, request: Request[Any, Any, Any], case_id: FromPath[UUID], slug: FromPath[str],
        data: URLEncodedBody[dict[str, str | list[str]]], case_services: NamedDependency[CaseServices],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        step = STEPS.get(slug)
        if step is None:
            raise NotFound("No such step")
        if slug == "toewijzen" and not caller.is_senior:
            data = {**data, "adviser_id": str(caller.principal_id)}  # an adviser takes the case
        form = Form(await _fields(case_services, caller, case_id, step), data)
        payload = form.validate(step.schema) if step.schema is not None else None
        if slug == "voorstel":
            every_proposal_error(form, payload)
        if form.has_errors:
            return await _case_page(request, case_services, caller, case_id, forms={slug: form}, status_code=422)
        async with service_call(
            case_services.session, Forbidden, GuardRefused, InvalidTransition, ValidationFailed
        ) as outcome:
            await step.call(case_services, case_id, caller, payload)

        async def again(refused: DomainError) -> Template:
            if isinstance(refused, ValidationFailed):
                form.add_validation_failed(refused)
                return await _case_page(request, case_services, caller, case_id, forms={slug: form},
                                        status_code=422)
            return await _case_page(request, case_services, caller, case_id,
                                    status_code=refused.status_code, refusal=_refusal(slug, payload, refused))

        return await after_change(request, f"/onderzoeken/{case_id}", step.done, outcome.refusal, again)


async def _fields(services: CaseServices, caller: Caller, case_id: UUID, step: Step) -> tuple[Field, ...]:
    """The step's fields, with the choices that depend on the case (its company's recognitions, the outcomes the
    table allows now, advisers)."""
    if step.slug == "voorstel":
        case = await services.investigations.get(case_id, caller)
        recognitions = await services.directory.recognition_options(caller, case.company_id)
        outcomes = outcomes_allowed(case, caller)
        hint = OUTCOME_HINT if ADVERSE <= set(outcomes) else NOT_HEARD_HINT
        chosen: dict[str, dict[str, Any]] = {
            "recognition_ids": {"options": recognitions},
            "outcome": {"options": vocabulary.options(Outcome, outcomes), "hint": hint},
            "criterion_code": {"options": (("", "Standaard: discriminatievrije werving en werkomgeving"), *(
                (c.code, c.title) for c in (await services.criteria.current()).criteria
            ))},
        }
        return tuple(replace(f, **chosen.get(f.name, {})) for f in step.fields)
    if step.slug == "toewijzen":
        return (replace(step.fields[0], options=await services.directory.adviser_options()),)
    return step.fields


async def _case_page(
    request: Request[Any, Any, Any], services: CaseServices, caller: Caller, case_id: UUID,
    *, forms: dict[str, Form] | None = None, refusal: str | None = None, status_code: int = 200,
) -> Template:
    """The case (an audited read): what happened, what is due, and a form for each step allowed now."""
    session = services.session
    read = await queries.case_detail(session, services.investigations, case_id, caller, services.reporter_reactions)
    reports = [await services.reports.get(report_id, caller) for report_id in read.report_ids]
    recognitions = await services.recognitions.for_company(read.company_id, caller)
    courses, course_total = await history.list_participations(
        session, caller, history.ParticipationFilter(company_id=read.company_id), limit=20, offset=0
    )
    tasks = await services.adviser_tasks.for_case(case_id, caller)
    people = [read.assigned_to, read.proposed_by, read.approved_by, *(e.actor_id for e in read.timeline),
              *(t.assigned_to for t in tasks)]
    known = await services.directory.names(caller, companies=[read.company_id], people=people)
    given = forms or {}
    slugs = [_slug(read.status, move.to) for move in read.allowed_moves]
    if read.reporter_moves:
        slugs.insert(0, "meldende-kant")
    if read.status is not S.CLOSED and (caller.is_senior or read.assigned_to is None):
        slugs.append("toewijzen")
    steps = []
    for slug in dict.fromkeys(slugs):
        step = STEPS[slug]
        form = given.get(slug) or Form(await _fields(services, caller, case_id, step))
        steps.append((step, form))
    preview = None
    if read.status is S.PROPOSED:  # what the approving senior adviser reads before approving
        case = await services.investigations.get(case_id, caller)
        preview = await closing.intended_preview(session, services.investigations.settings, services.letters, case)
    proposed = set(read.recognition_ids)
    return page(
        request, "investigations/detail.html", title="Onderzoek", status_code=status_code,
        scope=[r for r in recognitions if r.id in proposed],
        measure_status=MEASURE_STATUS.get(read.outcome) if read.outcome else None,
        preview=body_of(preview) if preview else None,
        case=read, company=known.company(read.company_id), names=known, reports=reports,
        recognitions=recognitions, chart=chart(recognitions, clock.today()),
        courses=courses, course_total=course_total, timeline=timeline_rows(read, known), steps=steps, refusal=refusal,
        tasks=tasks, reactions=reaction_rows(read, reports, caller, given),
        now=clock.now(),
    )
