"""Back-office routes for training: the catalogue, sessions, participation, completions and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, MultipartBody, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, ConfigDict

from erkenning.companies.controllers import PROVIDERS as COMPANY_PROVIDERS
from erkenning.companies.service import CompanyService
from erkenning.core.audit import service as audit
from erkenning.core.errors import ValidationFailed
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller, DbSession, RuntimeDep
from erkenning.training.controllers import PROVIDERS
from erkenning.training.models import CourseFormat, CourseSession, ParticipationStatus, Topic
from erkenning.training.schemas import (
    AttendanceCreate,
    CourseCreate,
    CourseRead,
    CourseUpdate,
    ImportResult,
    ParticipationRead,
    SessionCreate,
    SessionRead,
    StaffEnrolmentCreate,
)
from erkenning.training.services import history
from erkenning.training.services.catalogue import CatalogueService, CourseFilter, SessionFilter
from erkenning.training.services.completions import CompletionRecorder
from erkenning.training.services.history import ParticipationFilter
from erkenning.training.services.participations import Enrolment, ParticipationService


def read(enrolment: Enrolment) -> ParticipationRead:
    return ParticipationRead.of(enrolment.participation, enrolment.course, enrolment.session)


async def session_reads(catalogue: CatalogueService, rows: list[CourseSession]) -> list[SessionRead]:
    counts = await catalogue.seat_counts([r.id for r in rows])
    reads = []
    for row in rows:
        count = counts.get(row.id)
        reads.append(SessionRead.of(row, count.enrolled if count else 0, count.waitlisted if count else 0))
    return reads


class CourseController(Controller):
    path = "/training/courses"
    tags = ["training"]
    dependencies = PROVIDERS

    @post("/", summary="Add a course to the catalogue")
    async def create(
        self, data: JSONBody[CourseCreate], catalogue: NamedDependency[CatalogueService], caller: CurrentCaller
    ) -> CourseRead:
        return CourseRead.model_validate(await catalogue.create_course(data, caller))

    @get("/", summary="The catalogue (filters combine)")
    async def list_(
        self,
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
        format: Annotated[CourseFormat | None, QueryParameter()] = None,
        topic: Annotated[Topic | None, QueryParameter()] = None,
        active: Annotated[bool | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[CourseRead]:
        rows, total = await catalogue.list_courses(
            caller, CourseFilter(format, topic, active), limit=limit, offset=offset
        )
        return Page(
            items=[CourseRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )

    @get("/{course_id:uuid}", summary="One course")
    async def get_one(
        self, course_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService], caller: CurrentCaller
    ) -> CourseRead:
        return CourseRead.model_validate(await catalogue.get_course(course_id, caller))

    @patch("/{course_id:uuid}", summary="Change a course (send the version you read; 409 if it moved on)")
    async def update(
        self,
        course_id: FromPath[UUID],
        data: JSONBody[CourseUpdate],
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
    ) -> CourseRead:
        return CourseRead.model_validate(
            await catalogue.update_course(course_id, data, caller)
        )

    @post(
        "/{course_id:uuid}/sessions", summary="Plan a session of a workshop or webinar",
        description="Beyond the schema (422 naming the rule): `ends_at` after `starts_at`; a `location` or an "
        "`online_url` (or both); `enrolment_closes_at` not after `starts_at`; the course must be an "
        "active workshop or webinar.",
    )
    async def create_session(
        self,
        course_id: FromPath[UUID],
        data: JSONBody[SessionCreate],
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
    ) -> SessionRead:
        row = await catalogue.create_session(course_id, data, caller)
        return SessionRead.of(row, 0, 0)


class SessionController(Controller):
    path = "/training/sessions"
    tags = ["training"]
    dependencies = PROVIDERS

    @get("/", summary="Sessions by start time (cancelled ones only when asked)")
    async def list_(
        self,
        catalogue: NamedDependency[CatalogueService],
        caller: CurrentCaller,
        course_id: Annotated[UUID | None, QueryParameter()] = None,
        starts_from: Annotated[datetime | None, QueryParameter()] = None,
        starts_before: Annotated[datetime | None, QueryParameter()] = None,
        include_cancelled: Annotated[bool, QueryParameter()] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[SessionRead]:
        filters = SessionFilter(course_id, starts_from, starts_before, include_cancelled)
        rows, total = await catalogue.list_sessions(
            caller, filters, limit=limit, offset=offset
        )
        return Page(items=await session_reads(catalogue, rows), total=total, limit=limit, offset=offset)

    @get("/{session_id:uuid}", summary="One session with its seats taken and its waiting list")
    async def get_one(
        self, session_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService], caller: CurrentCaller
    ) -> SessionRead:
        row = await catalogue.get_session(session_id, caller)
        return (await session_reads(catalogue, [row]))[0]

    @post("/{session_id:uuid}/cancel", status_code=200, summary="Cancel a session; everyone enrolled is told")
    async def cancel(
        self, session_id: FromPath[UUID], participations: NamedDependency[ParticipationService],
        catalogue: NamedDependency[CatalogueService], caller: CurrentCaller,
    ) -> SessionRead:
        row = await participations.cancel_session(session_id, caller)
        return (await session_reads(catalogue, [row]))[0]

    @post(
        "/{session_id:uuid}/attendance",
        status_code=200,
        summary="Record the attendance list (all or nothing)",
        description="Beyond the schema (422 naming the rule): each participation appears once in `records`.",
    )
    async def attendance(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[AttendanceCreate],
        participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> list[ParticipationRead]:
        rows = await participations.record_attendance(session_id, data.records, caller)
        return [read(await participations.describe(p)) for p in rows]


class ManualCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: date | None = None


async def provide_filters(
    company_id: Annotated[UUID | None, QueryParameter()] = None,
    course_id: Annotated[UUID | None, QueryParameter()] = None,
    session_id: Annotated[UUID | None, QueryParameter()] = None,
    topic: Annotated[Topic | None, QueryParameter()] = None,
    format: Annotated[CourseFormat | None, QueryParameter()] = None,
    status: Annotated[ParticipationStatus | None, QueryParameter()] = None,
    since: Annotated[date | None, QueryParameter(description="from this date (inclusive)")] = None,
    until: Annotated[date | None, QueryParameter(description="up to this date (inclusive)")] = None,
) -> ParticipationFilter:
    return ParticipationFilter(company_id, course_id, session_id, topic, format, status, since, until)


Filters = NamedDependency[ParticipationFilter]


class ParticipationController(Controller):
    path = "/training/participations"
    tags = ["training"]
    dependencies = {**PROVIDERS, "filters": Provide(provide_filters)}

    @post(
        "/", summary="Enrol a company (a full session puts it on the waiting list)",
        description="Beyond the schema (422 naming the rule): give either `session_id` (a workshop or webinar) or "
        "`course_id` (an e-learning), not both.",
    )
    async def enrol(
        self, data: JSONBody[StaffEnrolmentCreate], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.enrol(caller, data, company_id=data.company_id))

    @get("/", summary="Every participation (filters combine; period = the participation's date)")
    async def list_(
        self,
        session: DbSession,
        caller: CurrentCaller,
        filters: Filters,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ParticipationRead]:
        rows, total = await history.list_participations(session, caller, filters, limit=limit, offset=offset)
        return Page(items=[read(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/export", summary="The same list as CSV, streamed (no personal data)", media_type="text/csv")
    async def export(
        self, session: DbSession, runtime: RuntimeDep, caller: CurrentCaller, filters: Filters
    ) -> Stream:
        await audit.record(
            session, caller, "participation.exported", object_type="participation", detail=filters.codes()
        )
        return Stream(
            history.stream_csv(runtime.engine, history.export_statement(caller, filters)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="deelnames.csv"'},
        )

    @get("/{participation_id:uuid}", summary="One participation")
    async def get_one(
        self, participation_id: FromPath[UUID], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.read(participation_id, caller))

    @post("/{participation_id:uuid}/cancel", status_code=200, summary="Cancel (the first waiting moves up)")
    async def cancel(
        self, participation_id: FromPath[UUID], participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
    ) -> ParticipationRead:
        return read(await participations.cancel(participation_id, caller))

    @post(
        "/{participation_id:uuid}/complete",
        status_code=200,
        summary="Record completion; issues the certificate",
    )
    async def complete(
        self,
        participation_id: FromPath[UUID],
        participations: NamedDependency[ParticipationService],
        caller: CurrentCaller,
        data: JSONBody[ManualCompletion | None] = None,
    ) -> ParticipationRead:
        completed_on = data.completed_on if data else None
        return read(
            await participations.complete(participation_id, caller, completed_on=completed_on)
        )


class CompanyHistoryController(Controller):
    path = "/training/companies"
    tags = ["training"]
    dependencies = COMPANY_PROVIDERS

    @get("/{company_id:uuid}/history", summary="A company's course history, newest first")
    async def company_history(
        self,
        company_id: FromPath[UUID],
        session: DbSession,
        companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ParticipationRead]:
        await companies.get(company_id, caller)
        rows, total = await history.list_participations(
            session, caller, ParticipationFilter(company_id=company_id), limit=limit, offset=offset
        )
        return Page(items=[read(r) for r in rows], total=total, limit=limit, offset=offset)


@dataclass
class CompletionsUpload:
    """The form of the upload: its one field `file` (a form without it is a 422, not a 500)."""

    file: UploadFile


class CompletionImportController(Controller):
    path = "/training/completions"
    tags = ["training"]
    dependencies = PROVIDERS

    @post(
        "/import",
        status_code=200,
        summary="Upload the learning platform's completions (CSV; all rows or none)",
        description="The file is UTF-8 CSV text. Beyond the schema (422 naming the rule): UTF-8 text without a NUL "
        "character, the header names the required columns, every row is valid (the problem names each "
        "wrong one).",
    )
    async def import_csv(
        self, data: MultipartBody[CompletionsUpload], completion_recorder: NamedDependency[CompletionRecorder],
        caller: CurrentCaller,
    ) -> ImportResult:
        raw = await data.file.read()
        if b"\x00" in raw:
            raise ValidationFailed([{"field": "file", "message": "the file holds a NUL character"}])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed([{"field": "file", "message": "the file must be UTF-8 text"}]) from None
        return ImportResult(**await completion_recorder.import_csv(text, caller))


def backoffice_controllers() -> list[type[Controller]]:
    return [
        CourseController,
        SessionController,
        ParticipationController,
        CompanyHistoryController,
        CompletionImportController,
    ]
