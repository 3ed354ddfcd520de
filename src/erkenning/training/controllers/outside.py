"""Training routes outside the back office: company portal, public certificate check, learning platform."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter, RawBody
from pydantic import ValidationError

from erkenning.core import clock, context
from erkenning.core.caller import Caller
from erkenning.core.errors import ValidationFailed
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller, DbSession, RuntimeDep, SettingsDep
from erkenning.training.controllers.backoffice import read, session_reads
from erkenning.training.models import CourseFormat, ParticipationStatus, Topic
from erkenning.training.schemas import (
    CertificateRead,
    CompletionIn,
    CompletionResult,
    CourseRead,
    EnrolmentCreate,
    ParticipationRead,
    SessionRead,
)
from erkenning.training.services import completions, history
from erkenning.training.services.catalogue import CatalogueService, CourseFilter, SessionFilter
from erkenning.training.services.completions import CompletionRecorder
from erkenning.training.services.history import ParticipationFilter
from erkenning.training.services.participations import ParticipationService

LEARNING_PLATFORM = Caller.system("learning-platform")


class PortalTrainingController(Controller):
    """A company's view: the active catalogue, upcoming sessions, its own enrolments and course history."""

    path = "/training"
    tags = ["training"]

    @get("/courses", summary="The courses on offer")
    async def courses(
        self,
        session: DbSession,
        caller: CurrentCaller,
        format: Annotated[CourseFormat | None, QueryParameter()] = None,
        topic: Annotated[Topic | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[CourseRead]:
        rows, total = await CatalogueService(session).list_courses(
            caller, CourseFilter(format, topic, active=True), limit=limit, offset=offset
        )
        return Page(
            items=[CourseRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )

    @get("/sessions", summary="Upcoming sessions with the seats left")
    async def sessions(
        self,
        session: DbSession,
        caller: CurrentCaller,
        course_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[SessionRead]:
        filters = SessionFilter(course_id=course_id, starts_from=clock.now())
        rows, total = await CatalogueService(session).list_sessions(
            caller, filters, limit=limit, offset=offset
        )
        return Page(items=await session_reads(session, rows), total=total, limit=limit, offset=offset)

    @post("/participations", summary="Enrol (a full session puts you on the waiting list)")
    async def enrol(
        self, data: JSONBody[EnrolmentCreate], session: DbSession, caller: CurrentCaller
    ) -> ParticipationRead:
        return read(await ParticipationService(session).enrol(caller, data))

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
        self, participation_id: FromPath[UUID], session: DbSession, caller: CurrentCaller
    ) -> ParticipationRead:
        return read(await ParticipationService(session).read(participation_id, caller))

    @post("/participations/{participation_id:uuid}/cancel", status_code=200, summary="Cancel my enrolment")
    async def cancel(
        self, participation_id: FromPath[UUID], session: DbSession, caller: CurrentCaller
    ) -> ParticipationRead:
        return read(await ParticipationService(session).cancel(participation_id, caller))


class CertificateController(Controller):
    """Anyone may check a certificate code: course title, company name and date, nothing else."""

    path = "/certificates"
    tags = ["register"]

    @get("/{code:str}", summary="Check a course certificate")
    async def check(self, code: FromPath[str], session: DbSession, runtime: RuntimeDep) -> CertificateRead:
        await runtime.limiter.hit(
            "certificate-check",
            context.origin.get() or "unknown",
            limit=runtime.settings.certificate_check_per_minute,
            window_s=60,
        )
        return await completions.certificate(session, code)


class LearningPlatformController(Controller):
    """Calls from the learning platform, signed with HMAC-SHA256 (see `training.completions`)."""

    path = "/learning-platform"
    tags = ["integrations"]

    @post(
        "/completions",
        status_code=200,
        summary="An e-learning was completed (idempotent per completion_id)",
        description=(
            "Body (JSON): `completion_id` (the platform's id), `course_code`, `company_sbb_id`, "
            "`completed_at` "
            "(YYYY-MM-DD or ISO 8601 with offset). Headers: `X-Signature-Timestamp` (Unix seconds) and "
            "`X-Signature: sha256=<hex HMAC-SHA256 of '<timestamp>.<raw body>' under the shared secret>`. "
            "A bad or missing signature, or a timestamp outside the tolerance, is 401 and stores nothing."
        ),
    )
    async def completion(
        self,
        body: RawBody,
        session: DbSession,
        settings: SettingsDep,
        signature: Annotated[str | None, HeaderParameter(name="X-Signature")] = None,
        timestamp: Annotated[str | None, HeaderParameter(name="X-Signature-Timestamp")] = None,
    ) -> CompletionResult:
        completions.verify_signature(
            settings.learning_platform_webhook_secret.get_secret_value(),
            timestamp,
            signature,
            body,
            tolerance_s=settings.learning_platform_webhook_tolerance_s,
        )
        try:
            data = CompletionIn.model_validate_json(body)
        except ValidationError as exc:
            raise ValidationFailed(completions.errors_of(exc)) from None
        outcome, participation = await CompletionRecorder(session).record(data, LEARNING_PLATFORM)
        return CompletionResult(result=outcome, participation_id=participation.id)
