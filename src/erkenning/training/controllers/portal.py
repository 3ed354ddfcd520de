"""Courses in the company portal: the catalogue, enrolling and cancelling, and the company's own history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core import clock
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.training.controllers import PROVIDERS
from erkenning.training.controllers.backoffice import read, session_reads
from erkenning.training.models import CourseFormat, ParticipationStatus, Topic
from erkenning.training.schemas import (
    CourseRead,
    EnrolmentCreate,
    InvitationRead,
    ParticipationRead,
    SessionRead,
)
from erkenning.training.services import history
from erkenning.training.services.catalogue import CatalogueService, CourseFilter, SessionFilter
from erkenning.training.services.history import ParticipationFilter
from erkenning.training.services.invitations import InvitationService
from erkenning.training.services.participations import ParticipationService


class PortalTrainingController(Controller):
    """A company's view: the active catalogue, upcoming sessions, its own enrolments and course history."""

    path = "/training"
    tags = ["training"]
    dependencies = PROVIDERS

    @get("/courses", summary="The courses on offer")
    async def courses(
        self,
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
        format: Annotated[CourseFormat | None, QueryParameter()] = None,
        topic: Annotated[Topic | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[CourseRead]:
        rows, total = await catalogue.list_courses(
            caller, CourseFilter(format, topic, active=True), limit=limit, offset=offset
        )
        return Page(
            items=[CourseRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )

    @get("/sessions", summary="Upcoming sessions with the seats left")
    async def sessions(
        self,
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
        course_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[SessionRead]:
        filters = SessionFilter(course_id=course_id, starts_from=clock.now())
        rows, total = await catalogue.list_sessions(
            caller, filters, limit=limit, offset=offset
        )
        return Page(items=await session_reads(catalogue, rows), total=total, limit=limit, offset=offset)

    @post(
        "/participations", summary="Enrol (a full session puts you on the waiting list)",
        description="Beyond the schema (422 naming the rule): give either `session_id` (a workshop or webinar) or "
        "`course_id` (an e-learning), not both.",
    )
    async def enrol(
        self, data: JSONBody[EnrolmentCreate], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.enrol(caller, data))

    @get("/participations", summary="My course history: what, when, status, certificate")
    async def my_history(
        self,
        session: DbSession,
        caller: CurrentCaller,
        status: Annotated[ParticipationStatus | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ParticipationRead]:
        filters = ParticipationFilter(company_id=caller.company_id, status=status)
        rows, total = await history.list_participations(session, caller, filters, limit=limit, offset=offset)
        return Page(items=[read(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/participations/{participation_id:uuid}", summary="One of my participations")
    async def participation(
        self, participation_id: FromPath[UUID], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.read(participation_id, caller))

    @post("/participations/{participation_id:uuid}/cancel", status_code=200, summary="Cancel my enrolment")
    async def cancel(
        self, participation_id: FromPath[UUID], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.cancel(participation_id, caller))

    @get(
        "/invitations",
        summary="Courses selected for me: as a new company, or after improvement agreements (voluntary)",
        description="Open invitations (not dismissed) with the offered courses that are still in the catalogue, "
        "newest first. Taking part is voluntary and changes no recognition.",
    )
    async def invitations(
        self, invitations: NamedDependency[InvitationService], caller: CurrentCaller
    ) -> list[InvitationRead]:
        return [InvitationRead.of(offer) for offer in await invitations.list_open(caller)]

    @post(
        "/invitations/{invitation_id:uuid}/dismiss", status_code=200,
        summary="Stop showing an invitation (dismissing one again changes nothing)",
    )
    async def dismiss_invitation(
        self, invitation_id: FromPath[UUID], invitations: NamedDependency[InvitationService], caller: CurrentCaller
    ) -> InvitationRead:
        return InvitationRead.of(await invitations.dismiss(invitation_id, caller))
