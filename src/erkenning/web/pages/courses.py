"""The course catalogue in the back office: courses (list, add, change) and planning their sessions.

A session's own page (enrolment, waiting list, attendance, cancelling) is in `course_sessions.py`.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import STAFF_ROLES
from erkenning.core.errors import StaleVersion, Unprocessable
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.training.models import CourseFormat, Topic
from erkenning.training.schemas import CourseCreate, CourseUpdate, SessionCreate
from erkenning.training.services.catalogue import CatalogueService, CourseFilter, DuplicateCourseCode, SessionFilter
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import CHECKED, Field, Form
from erkenning.web.listing import PageNumber, listing
from erkenning.web.pages.course_sessions import session_rows
from erkenning.web.rendering import flash_message, page, redirect
from erkenning.web.staff import refusal_text

PAGE_SIZE = 25
Text = Annotated[str | None, QueryParameter(max_length=40)]
CREATED = flash_message("course-created", "De cursus staat in de catalogus.")
UPDATED = flash_message("course-updated", "De cursus is gewijzigd.")
PLANNED = flash_message("course-session-planned", "De bijeenkomst is gepland. Leerbedrijven kunnen zich inschrijven.")

FILTER_FIELDS = (
    Field("vorm", "Vorm", kind="select", required=False, options=(("", "Alle"), *vocabulary.options(CourseFormat))),
    Field("onderwerp", "Onderwerp", kind="select", required=False, options=(("", "Alle"), *vocabulary.options(Topic))),
    Field("actief", "In de catalogus", kind="select", required=False,
          options=(("", "Alleen actieve"), ("nee", "Alleen niet-actieve"), ("alle", "Alle"))),
)
_TITLE = Field("title", "Titel", missing="Vul de titel in.")
_DESCRIPTION = Field("description", "Beschrijving", kind="textarea", required=False,
                     hint="Wat deelnemers leren; leerbedrijven zien dit in de catalogus.")
_TOPICS = Field("topics", "Onderwerpen", kind="checkboxes", options=vocabulary.options(Topic),
                missing="Kies ten minste één onderwerp.")
_DURATION = Field("duration_minutes", "Duur in minuten", kind="number", width="xs", inputmode="numeric",
                  missing="Vul de duur in minuten in.", invalid="Vul de duur in hele minuten in, ten minste 1.")
_ACTIVE = Field("active", "Staat in de catalogus (leerbedrijven kunnen zich inschrijven)", kind="checkbox",
                required=False)
_FOR_NEW = Field("for_new_companies", "Voor nieuwe leerbedrijven", kind="checkbox", required=False,
                 hint="Elk nieuw erkend leerbedrijf krijgt eenmalig een uitnodiging voor deze cursussen.")
_ONLINE = Field("online_url", "Link om de e-learning te starten", kind="url", required=False, width="l",
                hint="Alleen bij een e-learning: de pagina op het leerplatform. Begint met https://",
                invalid="Vul een link in die begint met https://.")
CREATE_FIELDS = (
    Field("code", "Code", width="m", autocomplete="off",
          hint="Bijvoorbeeld WS-WERVING; letters, cijfers, punt, streep.", missing="Vul de code in.",
          invalid="Een code bestaat uit 2 tot 40 letters, cijfers, punten of strepen."),
    _TITLE, _DESCRIPTION,
    Field("format", "Vorm", kind="select", options=vocabulary.options(CourseFormat), missing="Kies de vorm."),
    _TOPICS, _DURATION, _ONLINE, _ACTIVE, _FOR_NEW,
)
EDIT_FIELDS = (
    _TITLE, _DESCRIPTION, _TOPICS, _DURATION, _ONLINE, _ACTIVE, _FOR_NEW, Field("version", "Versie", kind="hidden"),
)
_MOMENT = "Vul een datum en tijd in."
SESSION_FIELDS = (
    Field("starts_at", "Begint op", kind="datetime-local", width="m", missing="Vul in wanneer de bijeenkomst begint.",
          invalid=_MOMENT),
    Field("ends_at", "Eindigt op", kind="datetime-local", width="m", missing="Vul in wanneer de bijeenkomst eindigt.",
          invalid=_MOMENT),
    Field("location", "Plaats", required=False, hint="Adres of zaal; leeg bij een webinar.",
          invalid="Een plaats is hoogstens 300 tekens lang."),
    Field("online_url", "Link voor online deelname", kind="url", required=False, width="l",
          hint="Begint met https://", invalid="Vul een link in die begint met https://."),
    Field("capacity", "Aantal plaatsen", kind="number", width="xs", inputmode="numeric",
          missing="Vul het aantal plaatsen in.", invalid="Vul een aantal plaatsen in van ten minste 1."),
    Field("enrolment_closes_at", "Inschrijven kan tot", kind="datetime-local", required=False, width="m",
          hint="Leeg laten: tot de bijeenkomst begint.", invalid=_MOMENT),
)
SESSION_KNOWN = {
    "ends_at must be after starts_at": ("ends_at", "De bijeenkomst eindigt na het begin."),
    "enrolment_closes_at must not be after": ("enrolment_closes_at", "Inschrijven sluit uiterlijk bij het begin."),
    "give a location or an online_url": ("location", "Vul een plaats in, of een link voor online deelname."),
}
_STALE = (
    "Iemand anders heeft deze cursus intussen gewijzigd. Hieronder staan de huidige gegevens; "
    "voer uw wijziging opnieuw in."
)


def _course_filters(form: Form) -> CourseFilter:
    values = form.values
    return CourseFilter(
        format=CourseFormat(values["vorm"]) if values["vorm"] in CourseFormat.__members__.values() else None,
        topic=Topic(values["onderwerp"]) if values["onderwerp"] in Topic.__members__.values() else None,
        active={"": True, "nee": False}.get(values["actief"]),
    )


def _description(form: Form) -> str:
    """A course without a description has an empty one (the catalogue never holds "none")."""
    return form.values["description"].strip()


def _local_moment(value: str) -> str:
    """A `datetime-local` value (Dutch time, no zone) as a moment with its offset; as entered if unreadable."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=clock.AMSTERDAM)).isoformat()


nav.add("Cursussen", "/cursussen", STAFF_ROLES, order=50)


class CoursePages(Controller):
    path = "/cursussen"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="courses")
    async def list_(
        self, request: Request[Any, Any, Any], catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
        vorm: Text = None, onderwerp: Text = None, actief: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        result = await listing(
            request, FILTER_FIELDS, {"vorm": vorm, "onderwerp": onderwerp, "actief": actief}, _course_filters,
            lambda filters, limit, offset: catalogue.list_courses(caller, filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        return page(request, "courses/list.html", title="Cursussen", result=result)

    @get("/nieuw", name="course_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        form = Form(CREATE_FIELDS, {"active": CHECKED})
        return page(request, "courses/form.html", title="Cursus toevoegen", form=form, course=None)

    @post("/nieuw")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str | list[str]]], session: DbSession,
        catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(CREATE_FIELDS, data)
        payload = form.validate(CourseCreate, description=_description(form))
        if payload is not None:
            async with service_call(session, DuplicateCourseCode) as outcome:
                course = await catalogue.create_course(payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/cursussen/{course.id}", flash=CREATED)
            form.error("code", "Er is al een cursus met deze code.")
        return page(request, "courses/form.html", title="Cursus toevoegen", form=form, course=None, status_code=422)

    @get("/{course_id:uuid}", name="course")
    async def detail(
        self, request: Request[Any, Any, Any], course_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller, eerdere: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        course = await catalogue.get_course(course_id, caller)
        since = None if eerdere else datetime.combine(clock.today(), time.min, tzinfo=clock.AMSTERDAM)
        rows, total = await catalogue.list_sessions(
            caller, SessionFilter(course_id=course.id, starts_from=since, include_cancelled=True), limit=100, offset=0
        )
        return page(request, "courses/course.html", title=course.title, course=course,
                    sessions=await session_rows(catalogue, rows), total=total, past=eerdere)

    @get("/{course_id:uuid}/wijzigen", name="course_edit")
    async def edit(
        self, request: Request[Any, Any, Any], course_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
    ) -> Template:
        course = await catalogue.get_course(course_id, caller)
        return page(request, "courses/form.html", title=f"{course.title} wijzigen",
                    form=Form.from_object(EDIT_FIELDS, course), course=course)

    @post("/{course_id:uuid}/wijzigen")
    async def update(
        self, request: Request[Any, Any, Any], course_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str | list[str]]], session: DbSession,
        catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(EDIT_FIELDS, data)
        payload = form.validate(CourseUpdate, description=_description(form))
        status = 422
        if payload is not None:
            async with service_call(session, StaleVersion, Unprocessable) as outcome:
                await catalogue.update_course(course_id, payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/cursussen/{course_id}", flash=UPDATED)
            status = outcome.refusal.status_code
            if isinstance(outcome.refusal, StaleVersion):
                form = Form.from_object(EDIT_FIELDS, await catalogue.get_course(course_id, caller))
                form.message = _STALE
            else:
                form.message = refusal_text(outcome.refusal)
        course = await catalogue.get_course(course_id, caller)
        return page(request, "courses/form.html", title=f"{course.title} wijzigen", form=form, course=course,
                    status_code=status)

    @get("/{course_id:uuid}/bijeenkomsten/nieuw", name="course_session_new")
    async def new_session(
        self, request: Request[Any, Any, Any], course_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
    ) -> Template:
        course = await catalogue.get_course(course_id, caller)
        return page(request, "courses/session_form.html", title="Bijeenkomst plannen", form=Form(SESSION_FIELDS),
                    course=course)

    @post("/{course_id:uuid}/bijeenkomsten/nieuw")
    async def plan_session(
        self, request: Request[Any, Any, Any], course_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(SESSION_FIELDS, data)
        moments = {name: _local_moment(form.values[name]) for name in ("starts_at", "ends_at", "enrolment_closes_at")
                   if form.values[name].strip()}
        payload = form.validate(SessionCreate, known=SESSION_KNOWN, **moments)
        if payload is not None:
            async with service_call(session, Unprocessable) as outcome:
                row = await catalogue.create_session(course_id, payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/cursussen/bijeenkomsten/{row.id}", flash=PLANNED)
            form.message = refusal_text(outcome.refusal, {
                Unprocessable:
                    "Deze cursus heeft geen bijeenkomsten (e-learning) of staat niet (meer) in de catalogus.",
            })
        course = await catalogue.get_course(course_id, caller)
        return page(request, "courses/session_form.html", title="Bijeenkomst plannen", form=form, course=course,
                    status_code=422)
