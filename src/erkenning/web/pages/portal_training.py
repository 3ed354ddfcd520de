"""Courses in the company portal: the courses selected for the company (its open invitations, which it may
hide), the catalogue with its sessions, enrolling (a full session puts the company on the waiting list,
and the page says so before and after), cancelling, and the company's course history with its
certificates. All through the training services, with the company's scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import vocabulary
from erkenning.companies.service import CompanyService
from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict, DomainError, NotFound, Unprocessable
from erkenning.core.states import check
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.training.models import CourseFormat, ParticipationStatus, Topic
from erkenning.training.schemas import EnrolmentCreate
from erkenning.training.services import history
from erkenning.training.services.catalogue import CatalogueService, CourseFilter, SessionFilter
from erkenning.training.services.history import ParticipationFilter
from erkenning.training.services.invitations import InvitationService, Offer
from erkenning.training.services.participations import (
    AlreadyCompleted,
    AlreadyEnrolled,
    Enrolment,
    EnrolmentClosed,
    ParticipationService,
)
from erkenning.training.states import TRANSITIONS
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.rendering import flash_message, page, redirect

PAGE_SIZE = 20
LIVE = (ParticipationStatus.ENROLLED, ParticipationStatus.WAITLISTED)

ENROLLED = flash_message("portal-enrolled", "U bent aangemeld. U krijgt een herinnering per e-mail.")
WAITLISTED = flash_message(
    "portal-waitlisted",
    "De bijeenkomst is vol: u staat op de wachtlijst. Komt er een plaats vrij, dan krijgt u die "
    "en hoort u dat per e-mail.",
    tone="warning",
)
CANCELLED = flash_message("portal-participation-cancelled", "U bent afgemeld.")
DISMISSED = flash_message(
    "portal-invitation-dismissed", "De uitnodiging is verborgen. De cursussen staan nog in de catalogus hieronder."
)
NOT_CANCELLED = flash_message(
    "portal-participation-not-cancelled", "Afmelden kan niet meer: de bijeenkomst is al begonnen of voorbij.",
    tone="warning",
)

FILTER_FIELDS = (
    Field("vorm", "Vorm", kind="select", required=False,
          options=(("", "Alle vormen"), *vocabulary.options(CourseFormat, capitals=True))),
    Field("onderwerp", "Onderwerp", kind="select", required=False,
          options=(("", "Alle onderwerpen"), *vocabulary.options(Topic, capitals=True))),
)
ENROL_FIELDS = (
    Field("session_id", "Bijeenkomst", kind="hidden", required=False),
    Field("course_id", "Cursus", kind="hidden", required=False),
    Field("trainer_name", "Naam van de praktijkopleider die deelneemt", required=False, autocomplete="name",
          hint="Zo weet SBB wie er komt.", invalid="De naam mag hoogstens 200 tekens lang zijn."),
)
Choice = Annotated[str | None, QueryParameter(max_length=50)]

nav.add("Cursussen", "/portaal/cursussen", {Role.COMPANY}, order=50)
nav.add("Mijn cursussen", "/portaal/deelnames", {Role.COMPANY}, order=60)


def may_cancel(enrolment: Enrolment, caller: Caller) -> bool:
    """Whether the participation table lets this caller cancel it now (the session's start included)."""
    given = {"session_starts_at": enrolment.session.starts_at} if enrolment.session else {}
    try:
        check(TRANSITIONS, enrolment.participation.status, ParticipationStatus.CANCELLED, enrolment.participation,
              caller, given)
    except DomainError:
        return False
    return True


async def _live(session: AsyncSession, caller: Caller) -> dict[UUID, ParticipationStatus]:
    """The company's live enrolments, by session (or, for an e-learning, by course)."""
    found: dict[UUID, ParticipationStatus] = {}
    for status in LIVE:
        rows, _ = await history.list_participations(
            session, caller, ParticipationFilter(company_id=caller.company_id, status=status), limit=500, offset=0
        )
        for e in rows:
            found[e.participation.session_id or e.participation.course_id] = e.participation.status
    return found


async def _completed(session: AsyncSession, caller: Caller) -> dict[UUID, Any]:
    """The e-learnings the company completed, by course, with the day (a completed one is not enrolled in again)."""
    rows, _ = await history.list_participations(
        session, caller, ParticipationFilter(company_id=caller.company_id, status=ParticipationStatus.COMPLETED),
        limit=500, offset=0,
    )
    return {e.participation.course_id: e.participation for e in rows if e.participation.session_id is None}


async def _enrol_page(
    request: Request[Any, Any, Any], catalogue: CatalogueService, caller: Caller, form: Form, *, status: int = 200
) -> Template:
    row = seats = None
    if form.values["session_id"]:
        row = await catalogue.get_session(_uuid(form.values["session_id"]), caller)
        course = await catalogue.get_course(row.course_id, caller)
        seats = (await catalogue.seat_counts([row.id])).get(row.id)
    else:
        course = await catalogue.get_course(_uuid(form.values["course_id"]), caller)
    taken = seats.enrolled if seats else 0
    return page(
        request, "portal/enrol.html", title=f"Aanmelden: {course.title}", course=course, course_session=row,
        seats_left=max(row.capacity - taken, 0) if row else None, form=form, status_code=status,
    )


async def _selected(
    catalogue: CatalogueService, invitations: InvitationService, caller: Caller
) -> tuple[list[Offer], dict[UUID, list[Any]]]:
    """The company's open invitations, and the next sessions of the workshops and webinars they offer."""
    offers = await invitations.list_open(caller)
    sessions: dict[UUID, list[Any]] = {}
    for course in {c.id: c for offer in offers for c in offer.courses}.values():
        if course.format.has_sessions:
            rows, _ = await catalogue.list_sessions(
                caller, SessionFilter(course_id=course.id, starts_from=clock.now()), limit=3, offset=0
            )
            sessions[course.id] = [r for r in rows if r.enrolment_closes_at > clock.now()]
    return offers, sessions


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("No such course or session") from None


class PortalTrainingPages(Controller):
    """Cursussen van SBB voor leerbedrijven."""

    path = "/portaal"
    guards = [requires(Role.COMPANY)]

    @get("/cursussen", name="portal_courses")
    async def catalogue(
        self, request: Request[Any, Any, Any], session: DbSession, catalogue: NamedDependency[CatalogueService],
        invitations: NamedDependency[InvitationService], caller: CurrentCaller, vorm: Choice = None,
        onderwerp: Choice = None, pagina: PageNumber = 1,
    ) -> Template:
        form = Form(FILTER_FIELDS, {"vorm": vorm or "", "onderwerp": onderwerp or ""})
        chosen_format = CourseFormat(vorm) if vorm is not None and vorm in CourseFormat.__members__.values() else None
        chosen_topic = Topic(onderwerp) if onderwerp is not None and onderwerp in Topic.__members__.values() else None
        courses, total = await catalogue.list_courses(
            caller, CourseFilter(chosen_format, chosen_topic, active=True), limit=PAGE_SIZE,
            offset=(pagina - 1) * PAGE_SIZE,
        )
        sessions = {}
        for course in courses:
            if course.format.has_sessions:
                rows, _ = await catalogue.list_sessions(
                    caller, SessionFilter(course_id=course.id, starts_from=clock.now()), limit=20, offset=0
                )
                sessions[course.id] = rows
        seats = await catalogue.seat_counts([s.id for rows in sessions.values() for s in rows])
        offers, offer_sessions = await _selected(catalogue, invitations, caller)
        return page(
            request, "portal/courses.html", title="Cursussen", form=form, courses=courses, sessions=sessions,
            seats=seats, live=await _live(session, caller), done=await _completed(session, caller), now=clock.now(),
            offers=offers,
            offer_sessions=offer_sessions, pager=Pager(request, pagina, PAGE_SIZE, shown=len(courses), total=total),
        )

    @post("/cursussen/uitnodigingen/{invitation_id:uuid}/verbergen")
    async def dismiss_invitation(
        self, request: Request[Any, Any, Any], invitation_id: FromPath[UUID],
        invitations: NamedDependency[InvitationService], caller: CurrentCaller,
    ) -> Redirect:
        await invitations.dismiss(invitation_id, caller)
        return redirect(request, "/portaal/cursussen", flash=DISMISSED)

    @get("/cursussen/aanmelden", name="portal_enrol")
    async def enrol_form(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
        bijeenkomst: Annotated[UUID | None, QueryParameter()] = None,
        cursus: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Template:
        if (bijeenkomst is None) == (cursus is None):
            raise NotFound("Choose a session or an e-learning")
        form = Form(ENROL_FIELDS, {"session_id": str(bijeenkomst or ""), "course_id": str(cursus or "")})
        return await _enrol_page(request, catalogue, caller, form)

    @post("/cursussen/aanmelden")
    async def enrol(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        participations: NamedDependency[ParticipationService], catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(ENROL_FIELDS, data)
        payload = form.validate(EnrolmentCreate)
        if payload is None:
            if not form.values["session_id"] and not form.values["course_id"]:
                raise NotFound("Choose a session or an e-learning")
            return await _enrol_page(request, catalogue, caller, form, status=422)
        async with service_call(session, Conflict, Unprocessable) as outcome:
            enrolment = await participations.enrol(caller, payload)
        if outcome.refusal is None:
            waiting = enrolment.participation.status is ParticipationStatus.WAITLISTED
            return redirect(request, "/portaal/deelnames", flash=WAITLISTED if waiting else ENROLLED)
        if isinstance(outcome.refusal, AlreadyCompleted):
            day = outcome.refusal.extra.get("completed_on")
            form.message = "U heeft deze e-learning al afgerond" + (
                f" op {vocabulary.long_date(date.fromisoformat(day))}" if day else "") + \
                ". Uw certificaat staat bij Mijn cursussen; opnieuw aanmelden is niet nodig."
        elif isinstance(outcome.refusal, AlreadyEnrolled):
            form.message = "U bent al aangemeld voor deze cursus, of u staat al op de wachtlijst."
        elif isinstance(outcome.refusal, EnrolmentClosed):
            form.message = "Aanmelden voor deze bijeenkomst kan niet meer: de aanmelding is gesloten."
        else:
            form.message = "Aanmelden voor deze cursus kan niet (meer)."
        return await _enrol_page(request, catalogue, caller, form, status=outcome.refusal.status_code)

    @get("/deelnames", name="portal_participations")
    async def participations(
        self, request: Request[Any, Any, Any], session: DbSession, caller: CurrentCaller, pagina: PageNumber = 1
    ) -> Template:
        rows, total = await history.list_participations(
            session, caller, ParticipationFilter(company_id=caller.company_id), limit=PAGE_SIZE,
            offset=(pagina - 1) * PAGE_SIZE,
        )
        return page(
            request, "portal/participations.html", title="Mijn cursussen",
            participations=[(e, may_cancel(e, caller)) for e in rows],
            pager=Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total),
        )

    @post("/deelnames/{participation_id:uuid}/afmelden")
    async def cancel(
        self, request: Request[Any, Any, Any], participation_id: FromPath[UUID], session: DbSession,
        participations: NamedDependency[ParticipationService], caller: CurrentCaller,
    ) -> Redirect:
        await participations.get(participation_id, caller)  # a foreign id is 404
        async with service_call(session, Conflict) as outcome:
            await participations.cancel(participation_id, caller)
        return redirect(request, "/portaal/deelnames", flash=CANCELLED if outcome.refusal is None else NOT_CANCELLED)

    @get("/deelnames/{participation_id:uuid}/certificaat", name="portal_certificate")
    async def certificate(
        self, request: Request[Any, Any, Any], participation_id: FromPath[UUID],
        participations: NamedDependency[ParticipationService], companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
    ) -> Template:
        enrolment = await participations.read(participation_id, caller)
        if enrolment.participation.certificate_code is None:
            raise NotFound("This participation has no certificate")
        company = await companies.get(enrolment.participation.company_id, caller)
        return page(request, "portal/certificate.html", title="Certificaat", enrolment=enrolment, company=company)
