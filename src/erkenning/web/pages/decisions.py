"""Decisions (besluiten): the list, drafting and changing a draft, one decision with its steps.

The steps a decision offers are `DecisionService.actions` (the decision table and what must hold
now); each posts to the service method the JSON API calls. Four eyes and the company's response
term are the service's rules: a refused step is explained on the page and nothing of it is kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Response, Template

from erkenning import vocabulary
from erkenning.companies.service import CompanyService
from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller
from erkenning.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    Unprocessable,
    ValidationFailed,
)
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.letters import body_of
from erkenning.recognition.controllers.decisions import letter_response
from erkenning.recognition.dispatch import sha256
from erkenning.recognition.models import Decision, DecisionKind, DecisionStatus, LetterKind
from erkenning.recognition.objection_schemas import PaperObjectionCreate
from erkenning.recognition.schemas import (
    ENDS_PLACEMENTS,
    DecisionCreate,
    DecisionUpdate,
    ResponseCreate,
    date_problems,
    default_placements,
)
from erkenning.recognition.services.criteria import CriteriaService
from erkenning.recognition.services.decisions import UNSENT, DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.states import ADVERSE, HARMFUL
from erkenning.vocabulary import long_date
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import CHECKED, Field, Form, When
from erkenning.web.listing import PageNumber, listing
from erkenning.web.rendering import after_change, flash_message, page, redirect
from erkenning.web.staff import Directory, refusal_text

PAGE_SIZE = 25
# A grant in these states is checked against the criteria (art. 7.2.10 WEB): the page says what it misses.
GRANT_CHECKED = (DecisionStatus.DRAFT, DecisionStatus.APPROVED)
Text = Annotated[str | None, QueryParameter(max_length=40)]
DRAFTED = flash_message("decision-drafted", "Het concept-besluit is opgeslagen.")
UPDATED = flash_message("decision-updated", "Het concept-besluit is gewijzigd.")
RESPONSE = flash_message("decision-response", "De reactie van het bedrijf is vastgelegd.")

FILTER_FIELDS = (
    Field("status", "Status", kind="select", required=False,
          options=(("", "Alle"), *vocabulary.options(DecisionStatus))),
    Field("soort", "Soort besluit", kind="select", required=False,
          options=(("", "Alle"), *vocabulary.options(DecisionKind))),
)

_DATES = (
    Field("effective_from", "Ingangsdatum", kind="date", required=False, width="s",
          hint="Leeg laten: het besluit gaat in op de dag dat het wordt verstuurd.",
          invalid="Vul een ingangsdatum in die niet in het verleden ligt."),
    Field("effective_until", "Einddatum", kind="date", required=False, width="s",
          hint="De dag waarop de schorsing eindigt; of kies hieronder dat zij duurt tot herstel.",
          invalid="Alleen een schorsing heeft een einddatum, en die ligt na de ingangsdatum."),
    Field("until_reinstated", "De schorsing duurt tot herstel (geen einddatum)", kind="checkbox", required=False),
    Field("placements_until", "Lopende stages en leerbanen mogen doorgaan tot en met", kind="date", required=False,
          width="s",
          hint="De overgangsregeling, niet vóór de ingangsdatum. Leeg laten mag alleen bij een intrekking met een "
               "latere ingangsdatum: dan is het tot en met die datum.",
          missing="Vul in tot wanneer lopende stages door mogen gaan.",
          invalid="Vul bij een schorsing of intrekking in tot wanneer lopende stages door mogen gaan, niet vóór de "
                  "ingangsdatum."),
)
_URGENT = Field(
    "urgent_reason", "Spoedeisend: waarom het bedrijf niet eerst kan reageren", kind="textarea", required=False,
    hint="Meestal leeg. Alleen als het besluit niet kan wachten op een reactie op een voornemen (art. 4:11 Awb). "
         "De reden staat in het besluit en in de audittrail.",
    invalid="Alleen een besluit dat het bedrijf benadeelt, kan spoedeisend zijn.",
)
_TEXTS = (
    Field("grounds", "Motivering", kind="textarea", missing="Vul de motivering van het besluit in.",
          hint="De motivering staat in de brief aan het bedrijf."),
    Field("legal_basis", "Grondslag", width="l", missing="Vul de grondslag in.",
          hint="Bijvoorbeeld: art. 7.2.10 WEB"),
)
# Drafting: the dates and the urgency only where the kind chosen has them (a fieldset each, see `When`).
_SUSPENDING = When("kind", (DecisionKind.SUSPEND.value,), "Alleen bij een schorsing")
_ENDING = When("kind", tuple(k.value for k in DecisionKind if k in ENDS_PLACEMENTS), "Bij een schorsing of intrekking")
_HARMING = When("kind", tuple(k.value for k in DecisionKind if k in HARMFUL),
                "Bij een besluit dat het bedrijf benadeelt")
_DRAFT_WHEN = {"effective_until": _SUSPENDING, "until_reinstated": _SUSPENDING, "placements_until": _ENDING,
               "urgent_reason": _HARMING}
# The recognition criterion no longer met (art. 7.2.10 WEB): a suspension or withdrawal names it; options per request.
_CRITERION = Field(
    "criterion_code", "Erkenningsvoorwaarde waaraan niet (meer) wordt voldaan", kind="select", required=True,
    when=_ENDING, hint="De voorwaarde staat in het besluit en in de brief.",
    missing="Kies de erkenningsvoorwaarde waaraan niet meer wordt voldaan.",
    invalid="Kies bij een schorsing of intrekking de erkenningsvoorwaarde waaraan niet meer wordt voldaan.",
)
_BY_KIND = tuple(
    g for f in (*_DATES, _URGENT)
    for g in (replace(f, when=_DRAFT_WHEN.get(f.name), required=f.name == "placements_until"),
              *((_CRITERION,) if f.name == "placements_until" else ()))
)
DRAFT_FIELDS = (
    Field("kind", "Soort besluit", kind="radios", options=vocabulary.options(DecisionKind),
          missing="Kies de soort besluit."),
    Field("recognition_ids", "Erkenningen", kind="checkboxes", missing="Kies de erkenningen waarover het besluit gaat.",
          invalid="Kies erkenningen van dit bedrijf, elk één keer."),
    *_TEXTS, *_BY_KIND,
)
# A draft keeps its kind: the page carries it (never read as a change), so the fields of that kind apply.
EDIT_FIELDS = (Field("kind", "Soort besluit", kind="hidden", readonly=True), *_TEXTS, *_BY_KIND)
# The schema's own checks of the dates (a model validator) in Dutch, on the field they concern.
KNOWN = {
    "each recognition once": ("recognition_ids", "Kies elke erkenning één keer."),
    "a suspension needs either": (
        "effective_until", "Geef bij een schorsing een einddatum, of kies ‘duurt tot herstel’."
    ),
    "effective_until must be after": ("effective_until", "De einddatum ligt na de ingangsdatum."),
    "only a suspension has an end date": (
        "effective_until", "Alleen een schorsing heeft een einddatum of duurt tot herstel."
    ),
    "placements_until: a suspension or withdrawal": (
        "placements_until", "Vul bij een schorsing of intrekking in tot wanneer lopende stages door mogen gaan."),
    "placements_until must not be before": ("placements_until", "Deze datum ligt niet vóór de ingangsdatum."),
    "urgent_reason: only a decision": (
        "urgent_reason", "Alleen een besluit dat het bedrijf benadeelt, kan spoedeisend zijn."),
    "criterion_code: a suspension or withdrawal": ("criterion_code", _CRITERION.invalid or ""),
}
_NOT_FOR_THESE = "Dit besluit past niet bij de huidige status van (een van) de gekozen erkenningen."

# The decision table's moves, as steps on the page: move -> (address, button, explanation, style).
STEPS = {
    DecisionStatus.INTENDED: ("voornemen", "Als voornemen aan het bedrijf voorleggen",
                              "Het bedrijf krijgt het voornemen en kan binnen de termijn reageren (art. 4:8 Awb).",
                              "primary"),
    DecisionStatus.APPROVED: ("goedkeuren", "Besluit goedkeuren", "", "primary"),
    DecisionStatus.SENT: ("versturen", "Brief versturen",
                          "U verstuurt de brief hieronder zoals hij er nu staat, en wordt vastgelegd als "
                          "verzender. Het besluit gaat in en de bezwaartermijn begint.", "primary"),
    DecisionStatus.DRAFT: ("terug-naar-concept", "Terug naar concept", "De goedkeuring vervalt.", "secondary"),
    DecisionStatus.CANCELLED: ("niet-doorzetten", "Besluit niet doorzetten", "", "secondary"),
}
_METHODS = {"voornemen": "intend", "goedkeuren": "approve", "versturen": "send",
            "terug-naar-concept": "reopen", "niet-doorzetten": "cancel"}
DONE = {
    slug: flash_message(f"decision-{slug}", text)
    for slug, text in (
        ("voornemen", "Het voornemen is aan het bedrijf voorgelegd."),
        ("goedkeuren", "Het besluit is goedgekeurd."),
        ("versturen", "Het besluit is verstuurd en gaat in."),
        ("terug-naar-concept", "Het besluit is weer een concept."),
        ("niet-doorzetten", "Het besluit wordt niet doorgezet."),
    )
}
# An objection received on paper (art. 6:9 Awb): its day of receipt and postmark decide whether it is on time.
PAPER_FIELDS = (
    Field("grounds", "Gronden van het bezwaar", kind="textarea", form_id="papier",
          hint="Neem de gronden uit het bezwaarschrift over."),
    Field("received_on", "Ontvangen op", kind="date", width="s", form_id="papier"),
    Field("postmarked_on", "Datum poststempel", kind="date", width="s", required=False, form_id="papier",
          hint="Op tijd als het vóór het einde van de termijn is verzonden en binnen een week daarna is ontvangen "
               "(art. 6:9 lid 2 Awb). Later ontvangen: u beoordeelt daarna of dat verschoonbaar is (art. 6:11 Awb)."),
)
PAPER_FILED = flash_message("decision-paper-objection", "Het bezwaar is vastgelegd. Het bedrijf krijgt een "
                            "ontvangstbevestiging met het kenmerk.")
# Art. 4:8 Awb: the response is heard only if someone reads it; the approver says so.
APPROVE_FIELDS = (
    Field("response_read", "Ik heb de reactie van het bedrijf op het voornemen gelezen", kind="checkbox",
          required=False, form_id="goedkeuren"),
)
RESPONSE_FIELDS = (
    Field("text", "Reactie van het bedrijf", kind="textarea", form_id="reactie",
          hint="Als het bedrijf buiten het portaal reageerde (brief, e-mail, gesprek).",
          missing="Vul de reactie van het bedrijf in."),
)


def _refusal(slug: str, decision: Decision, exc: DomainError) -> str:
    if slug == "goedkeuren" and isinstance(exc, GuardRefused):
        return ("Dit besluit benadeelt het bedrijf: een senior adviseur die het niet zelf heeft opgesteld, "
                "moet het goedkeuren (vier ogen).")
    if slug in ("goedkeuren", "versturen") and decision.kind is DecisionKind.GRANT and isinstance(
        exc, InvalidTransition
    ):
        return ("Nog niet aan alle erkenningsvoorwaarden voldaan (art. 7.2.10 WEB): leg eerst bij elke erkenning een "
                "beoordeling vast waarin aan elke voorwaarde is voldaan. " + exc.detail)
    if slug == "goedkeuren" and isinstance(exc, InvalidTransition):
        if decision.response_received_at is not None and decision.status is DecisionStatus.INTENDED:
            return "Het bedrijf heeft gereageerd. Lees de reactie en vink aan dat u die heeft gelezen."
        if decision.response_due is not None:
            return (f"Het bedrijf mag tot en met {long_date(decision.response_due)} reageren op het voornemen. "
                    "Goedkeuren kan zodra het heeft gereageerd of die termijn voorbij is.")
        return ("Leg dit besluit eerst als voornemen aan het bedrijf voor (art. 4:8 Awb), of leg vast waarom het "
                "daarvoor te spoedeisend is (art. 4:11 Awb).")
    if slug == "versturen" and isinstance(exc, ValidationFailed):
        return "De ingangsdatum is voorbij. Zet het besluit terug naar concept en pas de datum aan."
    if slug == "reactie" and isinstance(exc, Conflict):
        return "De reactie van het bedrijf op dit voornemen is al vastgelegd."
    return refusal_text(exc)


nav.add("Besluiten", "/besluiten", STAFF_ROLES, order=40)


class DecisionPages(Controller):
    path = "/besluiten"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="decisions")
    async def list_(
        self, request: Request[Any, Any, Any], decisions: NamedDependency[DecisionService],
        directory: NamedDependency[Directory], caller: CurrentCaller, status: Text = None, soort: Text = None,
        pagina: PageNumber = 1,
    ) -> Template:
        def to_filters(form: Form) -> dict[str, Any]:
            chosen, kind = form.values["status"], form.values["soort"]
            return {"status": DecisionStatus(chosen) if chosen in DecisionStatus.__members__.values() else None,
                    "kind": DecisionKind(kind) if kind in DecisionKind.__members__.values() else None}

        result = await listing(
            request, FILTER_FIELDS, {"status": status, "soort": soort}, to_filters,
            lambda filters, limit, offset: decisions.list(caller, **filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        known = await directory.names(caller, companies=[d.company_id for d in result.rows])
        return page(request, "decisions/list.html", title="Besluiten", result=result, names=known)

    @get("/nieuw", name="decision_new", guards=[requires(*ADVISER_ROLES)])
    async def new(
        self, request: Request[Any, Any, Any], companies: NamedDependency[CompanyService],
        directory: NamedDependency[Directory], criteria: NamedDependency[CriteriaService], caller: CurrentCaller,
        bedrijf: Annotated[UUID, QueryParameter()],
    ) -> Template:
        company = await companies.get(bedrijf, caller)
        fields = _with_options(DRAFT_FIELDS, recognition_ids=await directory.recognition_options(caller, company.id),
                               criterion_code=await _criterion_options(criteria))
        return page(request, "decisions/form.html", title="Besluit opstellen", form=Form(fields), company=company,
                    decision=None)

    @post("/nieuw", guards=[requires(*ADVISER_ROLES)])
    async def draft(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str | list[str]]], session: DbSession,
        decisions: NamedDependency[DecisionService], companies: NamedDependency[CompanyService],
        directory: NamedDependency[Directory], criteria: NamedDependency[CriteriaService], caller: CurrentCaller,
        bedrijf: Annotated[UUID, QueryParameter()],
    ) -> Template | Redirect:
        company = await companies.get(bedrijf, caller)
        fields = _with_options(DRAFT_FIELDS, recognition_ids=await directory.recognition_options(caller, company.id),
                               criterion_code=await _criterion_options(criteria))
        form = Form(fields, data)
        if set(form.chosen("recognition_ids")) - {value for value, _ in form["recognition_ids"].options}:
            form.error("recognition_ids", form["recognition_ids"].invalid or "")
        payload = form.validate(DecisionCreate, known=KNOWN)
        if payload is None:
            _every_date_error(form)
        if payload is not None and not form.has_errors:
            async with service_call(session, ValidationFailed, InvalidTransition) as outcome:
                decision = await decisions.draft(payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/besluiten/{decision.id}", flash=DRAFTED)
            _explain(form, outcome.refusal)
            company = await companies.get(bedrijf, caller)
        return page(request, "decisions/form.html", title="Besluit opstellen", form=form, company=company,
                    decision=None, status_code=422)

    @get("/{decision_id:uuid}", name="decision")
    async def detail(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService],
        objections: NamedDependency[ObjectionService], directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template:
        return await _decision_page(request, decisions, objections, directory, caller, decision_id)

    @get("/{decision_id:uuid}/wijzigen", name="decision_edit", guards=[requires(*ADVISER_ROLES)])
    async def edit(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService],
        companies: NamedDependency[CompanyService], criteria: NamedDependency[CriteriaService], caller: CurrentCaller,
    ) -> Template:
        decision = await decisions.read(decision_id, caller)
        company = await companies.get(decision.company_id, caller)
        form = Form.from_object(_with_options(EDIT_FIELDS, criterion_code=await _criterion_options(criteria)), decision)
        named = await decisions.criterion_of(decision)
        form.values["criterion_code"] = named.code if named else ""
        return page(request, "decisions/form.html", title="Concept-besluit wijzigen", form=form, company=company,
                    decision=decision)

    @post("/{decision_id:uuid}/wijzigen", guards=[requires(*ADVISER_ROLES)])
    async def update(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, decisions: NamedDependency[DecisionService], companies: NamedDependency[CompanyService],
        criteria: NamedDependency[CriteriaService], caller: CurrentCaller,
    ) -> Template | Redirect:
        decision = await decisions.get(decision_id, caller)
        form = Form(_with_options(EDIT_FIELDS, criterion_code=await _criterion_options(criteria)),
                    {**data, "kind": decision.kind.value})
        payload = form.validate(DecisionUpdate, known=KNOWN)
        status = 422
        if payload is not None:
            async with service_call(session, ValidationFailed, InvalidTransition) as outcome:
                await decisions.update(decision_id, payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/besluiten/{decision_id}", flash=UPDATED)
            _explain(form, outcome.refusal)
            status = outcome.refusal.status_code
        decision = await decisions.get(decision_id, caller)
        company = await companies.get(decision.company_id, caller)
        return page(request, "decisions/form.html", title="Concept-besluit wijzigen", form=form, company=company,
                    decision=decision, status_code=status)

    @post("/{decision_id:uuid}/bezwaar-op-papier", guards=[requires(*ADVISER_ROLES)])
    async def paper_objection(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(PAPER_FIELDS, data)
        payload = form.validate(PaperObjectionCreate)
        if payload is not None and payload.received_on is None:
            form.error("received_on", "Vul de datum van ontvangst in.")
            payload = None
        if payload is None:
            return await _decision_page(request, decisions, objections, directory, caller, decision_id,
                                        paper_form=form, status_code=422)
        async with service_call(session, InvalidTransition, Conflict, Unprocessable, ValidationFailed) as outcome:
            await objections.file(decision_id, payload.grounds, caller, received_on=payload.received_on,
                                  postmarked_on=payload.postmarked_on)
        return await _after(request, decisions, objections, directory, caller, decision_id, "bezwaar-op-papier",
                            outcome.refusal, PAPER_FILED)

    @post("/{decision_id:uuid}/reactie", guards=[requires(*ADVISER_ROLES)])
    async def response(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(RESPONSE_FIELDS, data)
        payload = form.validate(ResponseCreate)
        if payload is None:
            return await _decision_page(request, decisions, objections, directory, caller, decision_id,
                                        response_form=form, status_code=422)
        async with service_call(session, InvalidTransition, Conflict) as outcome:
            await decisions.record_response(decision_id, payload.text, caller)
        return await _after(request, decisions, objections, directory, caller, decision_id, "reactie", outcome.refusal,
                            RESPONSE)

    @get("/{decision_id:uuid}/brief", name="decision_letter")
    async def letter(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller,
    ) -> Response[str]:
        """The decision letter to download: the one kept once sent, else as it would be sent today."""
        return letter_response(await decisions.letter(decision_id, caller, LetterKind.DECISION))

    @post("/{decision_id:uuid}/{slug:str}", guards=[requires(*ADVISER_ROLES)])
    async def step(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], slug: FromPath[str], session: DbSession,
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        method = _METHODS.get(slug)
        if method is None:
            raise NotFound("No such step")
        extra = {"response_read": data.get("response_read") == CHECKED} if method == "approve" else {}
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition, ValidationFailed) as outcome:
            await getattr(decisions, method)(decision_id, caller, **extra)
        return await _after(request, decisions, objections, directory, caller, decision_id, slug, outcome.refusal,
                            DONE[slug])


def _with_options(fields: tuple[Field, ...], **options: tuple[tuple[str, str], ...]) -> tuple[Field, ...]:
    """The fields, those named given their options of this request."""
    return tuple(replace(f, options=options[f.name]) if f.name in options else f for f in fields)


async def _criterion_options(criteria: CriteriaService) -> tuple[tuple[str, str], ...]:
    """The criteria in force, for naming the one no longer met."""
    return (("", "Geen"), *((c.code, c.title) for c in (await criteria.current()).criteria))


def _every_date_error(form: Form) -> None:
    """Beside the schema's errors (its rules of the dates stop at the first, and wait for the fields), every rule of
    the kind's dates and urgency that fails, on its field (`date_problems`, as the service checks them)."""
    given = form.payload()
    try:
        kind = DecisionKind(given.get("kind") or "")
    except ValueError:
        return
    days: dict[str, date | None] = {}
    for name in ("effective_from", "effective_until", "placements_until"):
        try:
            days[name] = date.fromisoformat(given[name]) if given.get(name) else None
        except ValueError:
            days[name] = None  # its own error is on the form already
    start = days["effective_from"]
    form.add_errors(date_problems(
        kind, start, days["effective_until"], bool(given.get("until_reinstated")),
        default_placements(kind, start, days["placements_until"]), given.get("urgent_reason"),
    ), known=KNOWN)


def _explain(form: Form, refusal: DomainError) -> None:
    if isinstance(refusal, ValidationFailed):
        form.add_validation_failed(refusal)
    elif isinstance(refusal, InvalidTransition) and "recognition_ids" in form.values | form.lists:
        form.error("recognition_ids", _NOT_FOR_THESE)
    else:
        form.message = refusal_text(refusal, {InvalidTransition: "Alleen een concept-besluit kan worden gewijzigd."})


async def _after(
    request: Request[Any, Any, Any], decisions: DecisionService, objections: ObjectionService, directory: Directory,
    caller: Caller, decision_id: UUID, slug: str, refusal: DomainError | None, flash: str,
) -> Template | Redirect:
    async def again(refused: DomainError) -> Template:
        decision = await decisions.get(decision_id, caller)
        return await _decision_page(request, decisions, objections, directory, caller, decision_id,
                                    refusal=_refusal(slug, decision, refused),
                                    status_code=refused.status_code)

    return await after_change(request, f"/besluiten/{decision_id}", flash, refusal, again)


async def _decision_page(
    request: Request[Any, Any, Any], decisions: DecisionService, objections: ObjectionService, directory: Directory,
    caller: Caller, decision_id: UUID, *, response_form: Form | None = None, refusal: str | None = None,
    status_code: int = 200, paper_form: Form | None = None,
) -> Template:
    decision = await decisions.read(decision_id, caller)
    filed, _ = await objections.list(caller, decision_id=decision.id, limit=50)
    known = await directory.names(caller, companies=[decision.company_id], people=[
        decision.drafted_by, decision.approved_by, decision.sent_by, decision.response_read_by,
    ])
    adviser = caller.role in ADVISER_ROLES
    steps = [STEPS[DecisionStatus(m.to)] for m in await decisions.actions(decision, caller)] if adviser else []
    takes_response = adviser and decision.status is DecisionStatus.INTENDED and decision.response_received_at is None
    letter = None
    if decision.status is not DecisionStatus.CANCELLED and (
        decision.status in UNSENT or await decisions.has_letter(decision, LetterKind.DECISION)
    ):  # decisions sent before letters were kept have none
        letter = await decisions.letter_of(decision, caller, LetterKind.DECISION)
    return page(
        request, "decisions/detail.html", title="Besluit", status_code=status_code,
        decision=decision, company=known.company(decision.company_id), names=known,
        scope=await decisions.scope(decision), objections=filed, steps=steps,
        response_form=(response_form or Form(RESPONSE_FIELDS)) if takes_response else None,
        editable=adviser and decision.status is DecisionStatus.DRAFT, refusal=refusal,
        letter=letter, letter_body=body_of(letter.html) if letter else None,
        letter_sha256=sha256(letter.html) if letter and letter.kept else None,
        approve_form=Form(APPROVE_FIELDS) if decision.response_received_at is not None else None,
        criterion=await decisions.criterion_of(decision),
        criteria_missing=await decisions.criteria_missing(decision) if decision.status in GRANT_CHECKED else [],
        paper_form=(paper_form or Form(PAPER_FIELDS)) if adviser and decision.kind in ADVERSE
        and decision.status in (DecisionStatus.SENT, DecisionStatus.FINAL) else None,
    )
