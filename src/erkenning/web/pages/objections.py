"""Objections (bezwaren): the list (oldest first: the order to decide them in), one objection, deciding it.

Upholding revokes the decision and restores the recognitions from its start (art. 7:11 Awb), as part
of the beslissing op bezwaar; both are the objection service's work. Who may decide (not whoever
drafted or approved the decision, art. 7:5 Awb) is its table's rule: a refusal is explained and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller
from erkenning.core.errors import Conflict, DomainError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition.controllers.decisions import letter_response
from erkenning.recognition.models import HearingSkipGround, ObjectionStatus
from erkenning.recognition.objection_schemas import (
    HearingHeld,
    HearingSkip,
    LatenessDecide,
    ObjectionDecide,
    TermExtend,
)
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objection_hearings import ObjectionHearingService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, listing
from erkenning.web.rendering import after_change, flash_message, page
from erkenning.web.staff import Directory, refusal_text

PAGE_SIZE = 25
Text = Annotated[str | None, QueryParameter(max_length=40)]
DECIDED = flash_message("objection-decided", "De beslissing op het bezwaar is vastgelegd. Het bedrijf krijgt bericht.")
WITHDRAWN = flash_message("objection-withdrawn", "Vastgelegd dat het bedrijf het bezwaar heeft ingetrokken.")
DECISIONS = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED, ObjectionStatus.INADMISSIBLE)
STEP_DONE = flash_message("objection-step", "Vastgelegd. Het bedrijf krijgt bericht waar dat hoort.")

FILTER_FIELDS = (
    Field("status", "Status", kind="select", required=False,
          options=(("", "In behandeling"), ("alle", "Alle"), *vocabulary.options(ObjectionStatus, DECISIONS),
                   (ObjectionStatus.WITHDRAWN.value, vocabulary.term(ObjectionStatus.WITHDRAWN)))),
)
OUTCOME = Field(
    "outcome", "Beslissing", kind="radios", form_id="beslissen", missing="Kies de beslissing op het bezwaar.",
    hint="Gegrond: het besluit wordt herroepen en de erkenningen worden hersteld alsof het niet was genomen. "
         "Ongegrond: het besluit blijft staan (alleen na de hoorzitting of met een grond van art. 7:3 Awb). "
         "Niet-ontvankelijk: het bezwaar wordt niet inhoudelijk beoordeeld.",
)
REASON = Field("reason", "Motivering", kind="textarea", form_id="beslissen", missing="Vul de motivering in.",
               hint="De motivering staat in de brief aan het bedrijf.")
# The steps of the procedure (chapters 6 and 7 Awb), a form each.
INVITE_FIELDS = (
    Field("day", "Datum", kind="date", form_id="uitnodigen"),
    Field("at", "Tijd", kind="time", form_id="uitnodigen", hint="Bijvoorbeeld 10:00"),
    Field("place", "Plaats", required=False, form_id="uitnodigen", hint="Het adres; of geef een videolink"),
    Field("video_link", "Videolink", required=False, form_id="uitnodigen", hint="Een link die begint met https://"),
)
HELD_FIELDS = (Field("report", "Verslag van de hoorzitting", kind="textarea", form_id="gehoord",
                     hint="Het bedrijf krijgt het verslag per e-mail en in het portaal."),)
SKIP_FIELDS = (
    Field("ground", "Grond (art. 7:3 Awb)", kind="radios", form_id="niet-horen",
          options=vocabulary.options(HearingSkipGround), missing="Kies de grond om niet te horen."),
    Field("note", "Toelichting", kind="textarea", form_id="niet-horen"),
)
EXTEND_FIELDS = (Field("reason", "Reden van verdaging", kind="textarea", form_id="verdagen",
                       hint="Het bedrijf krijgt de reden per e-mail (art. 7:10 lid 3 Awb)."),)
LATENESS_FIELDS = (
    Field("admissible", "Is de termijnoverschrijding verschoonbaar? (art. 6:11 Awb)", kind="radios",
          form_id="ontvankelijkheid", options=(("true", "Ja: het bezwaar wordt inhoudelijk beoordeeld"),
                                               ("false", "Nee: het bezwaar is niet-ontvankelijk"))),
    Field("reason", "Reden", kind="textarea", form_id="ontvankelijkheid"),
)


class _Invite(BaseModel):
    """The invitation form: a day and a time in the Netherlands, a place or a video link."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    day: date
    at: time
    place: str | None = None
    video_link: str | None = None


@dataclass(frozen=True)
class Services:
    objections: ObjectionService
    hearings: ObjectionHearingService


async def _invite(on: Services, objection_id: UUID, given: _Invite, caller: Caller) -> Any:
    at = datetime.combine(given.day, given.at, tzinfo=clock.AMSTERDAM)
    return await on.hearings.invite(objection_id, caller, hearing_at=at, place=given.place or None,
                                    video_link=given.video_link or None)


async def _held(on: Services, objection_id: UUID, given: HearingHeld, caller: Caller) -> Any:
    return await on.hearings.held(objection_id, given.report, caller)


async def _skip(on: Services, objection_id: UUID, given: HearingSkip, caller: Caller) -> Any:
    return await on.hearings.skip(objection_id, given.ground, given.note, caller)


async def _extend(on: Services, objection_id: UUID, given: TermExtend, caller: Caller) -> Any:
    return await on.objections.extend(objection_id, given.reason, caller)


async def _lateness(on: Services, objection_id: UUID, given: LatenessDecide, caller: Caller) -> Any:
    return await on.objections.decide_lateness(objection_id, given.admissible, given.reason, caller)


# The procedure's steps on the page: address -> (the form, what it must hold, the service call).
STEPS: dict[str, tuple[tuple[Field, ...], type[BaseModel], Callable[..., Awaitable[Any]]]] = {
    "uitnodigen": (INVITE_FIELDS, _Invite, _invite),
    "gehoord": (HELD_FIELDS, HearingHeld, _held),
    "niet-horen": (SKIP_FIELDS, HearingSkip, _skip),
    "verdagen": (EXTEND_FIELDS, TermExtend, _extend),
    "ontvankelijkheid": (LATENESS_FIELDS, LatenessDecide, _lateness),
}

_REFUSALS: dict[type[DomainError], str] = {
    GuardRefused: "Wie het bestreden besluit opstelde of goedkeurde, beslist niet op het bezwaar (art. 7:5 Awb).",
    Conflict: "Een later besluit heeft deze erkenningen intussen gewijzigd; herstel zou dat ongedaan maken. "
              "Heroverweeg eerst dat latere besluit.",
    Forbidden: "U mag op dit bezwaar niet beslissen.",
}

# The procedure's own refusals, by step and kind, in the words of the Awb.
_STEP_REFUSALS: dict[tuple[str, type[DomainError]], str] = {
    ("beslissen", InvalidTransition): "Hoor het bedrijf eerst (art. 7:2 Awb), of leg vast op welke grond van "
                                      "art. 7:3 Awb de hoorzitting achterwege blijft; die grond moet bij deze "
                                      "beslissing passen.",
    ("verdagen", Conflict): "De beslissing is al eenmaal verdaagd (art. 7:10 lid 3 Awb); nog eens verdagen kan niet.",
    ("gehoord", InvalidTransition): "Leg het verslag vast nadat de hoorzitting is gehouden (na de afgesproken tijd).",
    ("uitnodigen", ValidationFailed): "Kies een datum en tijd in de toekomst, en geef een plaats of een videolink "
                                      "(https://).",
    ("niet-horen", ValidationFailed): "Kies de grond van art. 7:3 Awb en licht toe waarom die van toepassing is.",
    ("ontvankelijkheid", Conflict): "Over de ontvankelijkheid van dit bezwaar is al beslist.",
    ("ontvankelijkheid", InvalidTransition): "Dit bezwaar kwam op tijd binnen (art. 6:9 Awb), of is al afgehandeld.",
}

nav.add("Bezwaren", "/bezwaren", STAFF_ROLES, order=45)


class ObjectionPages(Controller):
    path = "/bezwaren"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="objections")
    async def list_(
        self, request: Request[Any, Any, Any], objections: NamedDependency[ObjectionService],
        directory: NamedDependency[Directory], caller: CurrentCaller, status: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        def to_filters(form: Form) -> ObjectionStatus | None:
            chosen = form.values["status"]
            return ObjectionStatus(chosen) if chosen in ObjectionStatus.__members__.values() else (
                None if chosen == "alle" else ObjectionStatus.PENDING)

        result = await listing(
            request, FILTER_FIELDS, {"status": status}, lambda form: {"status": to_filters(form)},
            lambda filters, limit, offset: objections.list(
                caller, status=filters["status"], limit=limit, offset=offset
            ),
            page=pagina, size=PAGE_SIZE,
        )
        known = await directory.names(caller, companies=[o.company_id for o in result.rows])
        return page(request, "objections/list.html", title="Bezwaren", result=result, names=known)

    @get("/{objection_id:uuid}", name="objection")
    async def detail(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        objection_hearings: NamedDependency[ObjectionHearingService], directory: NamedDependency[Directory],
        caller: CurrentCaller,
    ) -> Template:
        return await _objection_page(request, objections, decisions, directory, caller, objection_id,
                                     hearings=objection_hearings)

    @post("/{objection_id:uuid}/beslissen", guards=[requires(*ADVISER_ROLES)])
    async def decide(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        objection_hearings: NamedDependency[ObjectionHearingService], directory: NamedDependency[Directory],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(_fields(DECISIONS), data)
        payload = form.validate(ObjectionDecide)
        if payload is None:
            return await _objection_page(request, objections, decisions, directory, caller, objection_id, form=form,
                                         hearings=objection_hearings, status_code=422)
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition, Conflict) as outcome:
            await objections.decide(objection_id, ObjectionStatus(payload.outcome), payload.reason, caller)
        return await _after(request, objections, decisions, directory, caller, objection_id, outcome.refusal, DECIDED,
                            hearings=objection_hearings, slug="beslissen")

    @get("/{objection_id:uuid}/brief", name="objection_letter")
    async def letter(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller,
    ) -> Response[str]:
        """The beslissing op bezwaar as sent, to download."""
        return letter_response(await objections.letter(objection_id, caller))

    @post("/{objection_id:uuid}/{slug:str}", guards=[requires(*ADVISER_ROLES)])
    async def step(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]], session: DbSession, objections: NamedDependency[ObjectionService],
        decisions: NamedDependency[DecisionService], objection_hearings: NamedDependency[ObjectionHearingService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        """One step of the procedure (`STEPS`): the form's errors (422), the service's refusal explained, or done."""
        found = STEPS.get(slug)
        if found is None:
            raise NotFound("No such step")
        fields, schema, carry_out = found
        form = Form(fields, data)
        payload = form.validate(schema)
        if payload is None:
            return await _objection_page(request, objections, decisions, directory, caller, objection_id,
                                         hearings=objection_hearings, step_form=form, status_code=422)
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition, Conflict,
                                ValidationFailed) as outcome:
            await carry_out(Services(objections, objection_hearings), objection_id, payload, caller)
        return await _after(request, objections, decisions, directory, caller, objection_id, outcome.refusal,
                            STEP_DONE, hearings=objection_hearings, slug=slug)

    @post("/{objection_id:uuid}/ingetrokken", guards=[requires(*ADVISER_ROLES)])
    async def withdrawn(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], session: DbSession,
        objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        objection_hearings: NamedDependency[ObjectionHearingService], directory: NamedDependency[Directory],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        async with service_call(session, Forbidden, InvalidTransition) as outcome:
            await objections.withdraw(objection_id, caller)
        return await _after(request, objections, decisions, directory, caller, objection_id, outcome.refusal, WITHDRAWN,
                            hearings=objection_hearings)


def _fields(outcomes: Any) -> tuple[Field, ...]:
    return (replace(OUTCOME, options=vocabulary.options(ObjectionStatus, outcomes)), REASON)


async def _after(
    request: Request[Any, Any, Any], objections: ObjectionService, decisions: DecisionService, directory: Directory,
    caller: Caller, objection_id: UUID, refusal: DomainError | None, flash: str, *,
    hearings: ObjectionHearingService, slug: str = "",
) -> Template | Redirect:
    return await after_change(
        request, f"/bezwaren/{objection_id}", flash, refusal,
        lambda refused: _objection_page(
            request, objections, decisions, directory, caller, objection_id, hearings=hearings,
            refusal=_refusal(slug, refused), status_code=refused.status_code,
        ),
    )


def _refusal(slug: str, exc: DomainError) -> str:
    """The Dutch sentence for a refused step: the step's own words for its refusal, else the page's."""
    for (step, kind), text in _STEP_REFUSALS.items():
        if step == slug and isinstance(exc, kind):
            if step == "beslissen" and "6:11" in str(exc):
                return "Dit bezwaar kwam te laat binnen: beoordeel eerst of dat verschoonbaar is (art. 6:11 Awb)."
            return text
    return refusal_text(exc, _REFUSALS)


async def _objection_page(
    request: Request[Any, Any, Any], objections: ObjectionService, decisions: DecisionService, directory: Directory,
    caller: Caller, objection_id: UUID, *, form: Form | None = None, refusal: str | None = None,
    hearings: ObjectionHearingService, status_code: int = 200, step_form: Form | None = None,
) -> Template:
    objection = await objections.get(objection_id, caller)
    decision = await decisions.get(objection.decision_id, caller)
    known = await directory.names(
        caller, companies=[objection.company_id],
        people=[objection.filed_by, objection.decided_by, decision.drafted_by, decision.approved_by],
    )
    adviser = caller.role in ADVISER_ROLES
    moves = {m.to for m in objections.actions(objection, caller, decision=decision)} if adviser else set()
    outcomes = [s for s in DECISIONS if s.value in moves]
    hearing_moves = {m.to for m in hearings.actions(objection, caller)} if adviser else set()
    pending = objection.status is ObjectionStatus.PENDING and adviser

    def form_of(fields: tuple[Field, ...]) -> Form:
        given = step_form if step_form is not None and step_form.fields == fields else None
        return given or Form(fields)
    return page(
        request, "objections/detail.html", title="Bezwaar", status_code=status_code,
        objection=objection, decision=decision, company=known.company(objection.company_id), names=known,
        decide_form=(form or Form(_fields(outcomes))) if outcomes else None,
        may_record_withdrawal=ObjectionStatus.WITHDRAWN.value in moves, refusal=refusal,
        prepared_by_caller=caller.principal_id in (decision.drafted_by, decision.approved_by),
        invite_form=form_of(INVITE_FIELDS) if "invited" in hearing_moves else None,
        held_form=form_of(HELD_FIELDS) if "held" in hearing_moves else None,
        skip_form=form_of(SKIP_FIELDS) if "skipped" in hearing_moves else None,
        extend_form=form_of(EXTEND_FIELDS) if pending and objection.extended_at is None else None,
        lateness_form=form_of(LATENESS_FIELDS) if pending and not objection.timely and objection.late_excused is None
        else None,
    )
