"""One session of a course: its seats, who is enrolled and waiting, attendance for everyone at once, cancelling.

Attendance is one form with a choice per participant, sent as one list to
`ParticipationService.record_attendance` (all or nothing), as the JSON API does.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import STAFF_ROLES, Caller
from erkenning.core.errors import DomainError, InvalidTransition, ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.training.models import CourseSession, ParticipationStatus
from erkenning.training.schemas import AttendanceCreate
from erkenning.training.services import history
from erkenning.training.services.catalogue import CatalogueService, SeatCount
from erkenning.training.services.participations import Enrolment, ParticipationService
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import after_change, flash_message, page
from erkenning.web.staff import Directory, Names, refusal_text

P = ParticipationStatus
RECORDED = flash_message("attendance-recorded", "De aanwezigheid is vastgelegd.")
CANCELLED = flash_message(
    "session-cancelled", "De bijeenkomst is geannuleerd. Iedereen die was ingeschreven krijgt bericht."
)
SEATED = (P.ENROLLED, P.ATTENDED, P.NO_SHOW, P.COMPLETED)
ATTENDANCE = (P.ATTENDED, P.NO_SHOW)
_REFUSALS: dict[type[DomainError], str] = {
    InvalidTransition: "Dit kan niet meer (of nog niet): de aanwezigheid wordt vastgelegd zodra de bijeenkomst is "
                       "begonnen, annuleren kan alleen daarvoor, en niet voor een geannuleerde bijeenkomst.",
}


async def session_rows(
    catalogue: CatalogueService, rows: list[CourseSession]
) -> list[tuple[CourseSession, SeatCount]]:
    """Sessions with their seats taken and waiting lists (one query for all)."""
    counts = await catalogue.seat_counts([r.id for r in rows])
    return [(row, counts.get(row.id, SeatCount())) for row in rows]


def _choice_name(participation_id: UUID) -> str:
    return f"p_{participation_id.hex}"


def _attendance_fields(enrolments: list[Enrolment], known: Names) -> tuple[Field, ...]:
    fields = []
    for enrolment in enrolments:
        participation = enrolment.participation
        company = known.company(participation.company_id)
        label = company.name if company else "Leerbedrijf"
        if participation.trainer_name:
            label += f" ({participation.trainer_name})"
        fields.append(Field(
            _choice_name(participation.id), label, kind="radios", form_id="aanwezigheid",
            options=vocabulary.options(P, ATTENDANCE), missing=f"Kies of {label} aanwezig was.",
        ))
    return tuple(fields)


class CourseSessionPages(Controller):
    path = "/cursussen/bijeenkomsten"
    guards = [requires(*STAFF_ROLES)]

    @get("/{session_id:uuid}", name="course_session")
    async def detail(
        self, request: Request[Any, Any, Any], session_id: FromPath[UUID], session: DbSession,
        catalogue: NamedDependency[CatalogueService], directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template:
        return await _session_page(request, session, catalogue, directory, caller, session_id)

    @post("/{session_id:uuid}/aanwezigheid")
    async def attendance(
        self, request: Request[Any, Any, Any], session_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, participations: NamedDependency[ParticipationService],
        catalogue: NamedDependency[CatalogueService], directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        enrolments = await _enrolments(session, catalogue, caller, session_id)
        on_list = [e for e in enrolments if e.participation.status in (P.ENROLLED, *ATTENDANCE)]
        known = await directory.names(caller, companies=[e.participation.company_id for e in on_list])
        form = Form(_attendance_fields(on_list, known), data)
        records = []
        for enrolment in on_list:
            name = _choice_name(enrolment.participation.id)
            if form.values[name] not in {s.value for s in ATTENDANCE}:
                form.error(name, form[name].missing_message())
            records.append({"participation_id": enrolment.participation.id, "status": form.values[name]})
        if not form.has_errors:
            try:
                payload = AttendanceCreate.model_validate({"records": records})
            except ValidationError:
                form.message = "Er is niemand om de aanwezigheid van vast te leggen."
        if form.has_errors:
            return await _session_page(request, session, catalogue, directory, caller, session_id, form=form,
                                       status_code=422)
        async with service_call(session, InvalidTransition, ValidationFailed) as outcome:
            await participations.record_attendance(session_id, payload.records, caller)
        return await _after(request, session, catalogue, directory, caller, session_id, outcome.refusal, RECORDED)

    @post("/{session_id:uuid}/annuleren")
    async def cancel(
        self, request: Request[Any, Any, Any], session_id: FromPath[UUID], session: DbSession,
        participations: NamedDependency[ParticipationService], catalogue: NamedDependency[CatalogueService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        async with service_call(session, InvalidTransition) as outcome:
            await participations.cancel_session(session_id, caller)
        return await _after(request, session, catalogue, directory, caller, session_id, outcome.refusal, CANCELLED)


async def _enrolments(
    session: AsyncSession, catalogue: CatalogueService, caller: Caller, session_id: UUID
) -> list[Enrolment]:
    row = await catalogue.get_session(session_id, caller)  # 404 for an unknown session
    rows, _ = await history.list_participations(
        session, caller, history.ParticipationFilter(session_id=row.id), limit=row.capacity * 4 + 100, offset=0
    )
    return sorted(rows, key=lambda e: (e.participation.created_at, str(e.participation.id)))


async def _after(
    request: Request[Any, Any, Any], session: AsyncSession, catalogue: CatalogueService, directory: Directory,
    caller: Caller, session_id: UUID, refusal: DomainError | None, flash: str,
) -> Template | Redirect:
    return await after_change(
        request, f"/cursussen/bijeenkomsten/{session_id}", flash, refusal,
        lambda refused: _session_page(
            request, session, catalogue, directory, caller, session_id,
            refusal=refusal_text(refused, _REFUSALS), status_code=refused.status_code,
        ),
    )


async def _session_page(
    request: Request[Any, Any, Any], session: AsyncSession, catalogue: CatalogueService, directory: Directory,
    caller: Caller, session_id: UUID, *, form: Form | None = None, refusal: str | None = None, status_code: int = 200,
) -> Template:
    row = await catalogue.get_session(session_id, caller)
    course = await catalogue.get_course(row.course_id, caller)
    [(_, seats)] = await session_rows(catalogue, [row])
    enrolments = await _enrolments(session, catalogue, caller, session_id)
    known = await directory.names(caller, companies=[e.participation.company_id for e in enrolments])
    seated = [e for e in enrolments if e.participation.status in SEATED]
    waiting = sorted((e for e in enrolments if e.participation.status is P.WAITLISTED),
                     key=lambda e: (e.participation.waitlisted_at, str(e.participation.id)))
    cancelled = [e for e in enrolments if e.participation.status is P.CANCELLED]
    started = row.starts_at <= clock.now()
    on_list = [e for e in seated if e.participation.status is not P.COMPLETED]
    attendance = None
    if started and row.cancelled_at is None and on_list:
        attendance = form or Form(_attendance_fields(on_list, known), {
            _choice_name(e.participation.id): e.participation.status.value
            for e in on_list if e.participation.status in ATTENDANCE
        })
    return page(
        request, "courses/session.html", title=f"{course.title}: bijeenkomst", status_code=status_code,
        row=row, course=course, seats=seats, seats_left=max(row.capacity - seats.enrolled, 0), names=known,
        seated=seated, waiting=waiting, cancelled=cancelled, started=started, attendance=attendance,
        may_cancel=row.cancelled_at is None and not started, refusal=refusal,
    )
