"""Back-office routes for the qualifications catalogue and recognitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.errors import DomainError
from erkenning.core.paging import Limit, Offset, Page, page_of
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires
from erkenning.http.openapi import CsvUploadOperation
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.models import RecognitionStatus
from erkenning.recognition.schemas import (
    ImportReport,
    QualificationCreate,
    QualificationRead,
    QualificationUpdate,
    ReassessedCreate,
    ReassessmentDueRead,
    RecognitionCreate,
    RecognitionDetail,
    RecognitionHistoryRead,
    RecognitionRead,
    StatusOnRead,
)
from erkenning.recognition.services.qualifications import CsvUnreadable, QualificationService
from erkenning.recognition.services.recognitions import RecognitionService, status_on

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)

CreboQuery = Annotated[str | None, QueryParameter(pattern=r"^[0-9]{5}$")]


class UnsupportedMediaType(DomainError):
    status_code = 415
    type = "unsupported-media-type"
    title = "Unsupported media type"


async def _csv_text(request: Request[Any, Any, Any]) -> str:
    """The CSV from a `text/csv` body or from the (first) file of a multipart form."""
    media_type = request.content_type[0]
    if media_type == "multipart/form-data":
        form = await request.form()
        upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if upload is None:
            raise CsvUnreadable("The form holds no file")
        raw = await upload.read()
    elif media_type in ("text/csv", "text/plain", "application/csv"):
        raw = await request.body()
    else:
        raise UnsupportedMediaType("Send the CSV as text/csv, or as a file in multipart/form-data")
    if b"\x00" in raw:
        raise CsvUnreadable("The CSV holds a NUL character")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvUnreadable("The file is not UTF-8 text") from None


class QualificationController(Controller):
    path = "/qualifications"
    tags = ["qualifications"]
    dependencies = PROVIDERS

    @get("/", summary="The qualifications catalogue (filters combine)")
    async def list_(
        self,
        qualifications: NamedDependency[QualificationService],
        crebo: CreboQuery = None,
        name: Annotated[str | None, QueryParameter(max_length=200, description="part of the name")] = None,
        level: Annotated[int | None, QueryParameter(ge=1, le=4)] = None,
        active: Annotated[bool | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[QualificationRead]:
        rows, total = await qualifications.list(
            crebo=crebo, name=name, level=level, active=active, limit=limit, offset=offset
        )
        return page_of(QualificationRead, rows, total, limit, offset)

    @get("/{qualification_id:uuid}", summary="One qualification")
    async def get_one(
        self, qualification_id: FromPath[UUID], qualifications: NamedDependency[QualificationService],
        caller: CurrentCaller,
    ) -> QualificationRead:
        return QualificationRead.model_validate(
            await qualifications.get(qualification_id, caller)
        )

    @post("/", summary="Add a qualification", guards=[requires(Role.ADMIN)])
    async def create(
        self, data: JSONBody[QualificationCreate], qualifications: NamedDependency[QualificationService],
        caller: CurrentCaller,
    ) -> QualificationRead:
        return QualificationRead.model_validate(await qualifications.create(data, caller))

    @patch(
        "/{qualification_id:uuid}",
        summary="Change a qualification (name, level, active)",
        guards=[requires(Role.ADMIN)],
    )
    async def update(
        self,
        qualification_id: FromPath[UUID],
        data: JSONBody[QualificationUpdate],
        qualifications: NamedDependency[QualificationService],
        caller: CurrentCaller,
    ) -> QualificationRead:
        return QualificationRead.model_validate(
            await qualifications.update(qualification_id, data, caller)
        )

    @post(
        "/import",
        status_code=200,
        guards=[requires(Role.ADMIN)],
        summary="Load a CSV (crebo,name,level[,active]), text/csv or multipart: upsert on crebo",
        description="Beyond the schema (422 naming the rule): UTF-8 text without a NUL character, with the "
        "header `crebo,name,level` (and optionally `active`), every row valid (the problem names each wrong one).",
        operation_class=CsvUploadOperation,
    )
    async def import_csv(
        self, request: Request[Any, Any, Any], qualifications: NamedDependency[QualificationService],
        caller: CurrentCaller,
    ) -> ImportReport:
        result = await qualifications.import_csv(await _csv_text(request), caller)
        return ImportReport.model_validate(result)


class RecognitionController(Controller):
    path = "/recognitions"
    tags = ["recognitions"]
    dependencies = PROVIDERS

    @post("/", summary="Register an application for recognition (status pending)", guards=[ADVISERS])
    async def apply(
        self, data: JSONBody[RecognitionCreate], recognitions: NamedDependency[RecognitionService],
        caller: CurrentCaller,
    ) -> RecognitionRead:
        return await recognitions.apply(data, caller)

    @get("/", summary="Find recognitions")
    async def list_(
        self,
        recognitions: NamedDependency[RecognitionService],
        caller: CurrentCaller,
        company_id: Annotated[UUID | None, QueryParameter()] = None,
        status: Annotated[RecognitionStatus | None, QueryParameter()] = None,
        crebo: CreboQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[RecognitionRead]:
        items, total = await recognitions.list(
            caller, company_id=company_id, status=status, crebo=crebo, limit=limit, offset=offset
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/reassessment-due", summary="Worklist: reassessment due within N days (or overdue), soonest first")
    async def reassessment_due(
        self,
        recognitions: NamedDependency[RecognitionService],
        settings: SettingsDep,
        within_days: Annotated[
            int | None,
            QueryParameter(ge=0, le=1500, description="default: the notice period", schema_extra={"minimum": 0}),
        ] = None,
        noticed_since: Annotated[
            date | None, QueryParameter(description="only those put on the list since")
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ReassessmentDueRead]:
        days = settings.reassessment_notice_days if within_days is None else within_days
        items, total = await recognitions.reassessment_due(
            within_days=days, noticed_since=noticed_since, limit=limit, offset=offset
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{recognition_id:uuid}", summary="One recognition with its periods and decisions")
    async def get_one(
        self, recognition_id: FromPath[UUID], recognitions: NamedDependency[RecognitionService], caller: CurrentCaller
    ) -> RecognitionDetail:
        return await recognitions.detail(recognition_id, caller)

    @get("/{recognition_id:uuid}/status", summary="Its status on a date (default today)")
    async def status(
        self,
        recognition_id: FromPath[UUID],
        session: DbSession,
        recognitions: NamedDependency[RecognitionService],
        caller: CurrentCaller,
        on: Annotated[date | None, QueryParameter()] = None,
    ) -> StatusOnRead:
        recognition = await recognitions.get(recognition_id, caller)
        day = on or clock.today()
        found = await status_on(session, recognition.id, day)
        return StatusOnRead(
            recognition_id=recognition.id,
            on=day,
            status=found.status if found else None,
            since=found.since if found else None,
            until=found.until if found else None,
            decision_id=found.decision_id if found else None,
        )

    @get(
        "/{recognition_id:uuid}/history",
        summary="Both time axes: the periods now and every superseded one, with when the register said it",
        description=(
            "Valid time is when a status holds; recorded time is when the register said so. `periods` are "
            "the register's knowledge now (what holds on each date), `superseded` every period it said "
            "before, with its recorded interval and the decision or upheld objection (art. 7:11 Awb) that "
            "superseded it. With `answered_on` (the answer at the end of that day, Europe/Amsterdam) or "
            "`answered_at` (a moment), `answer` compares what the register answered then about `day` "
            "(default: that date) with what holds on it now. Beyond the schema (422 naming the rule): "
            "`answered_on` or `answered_at`, not both."
        ),
    )
    async def history(
        self,
        recognition_id: FromPath[UUID],
        recognitions: NamedDependency[RecognitionService],
        caller: CurrentCaller,
        day: Annotated[date | None, QueryParameter(description="the date asked about")] = None,
        answered_on: Annotated[
            date | None, QueryParameter(description="the date the register was asked (its last answer that day)")
        ] = None,
        answered_at: Annotated[
            datetime | None,
            QueryParameter(description="the moment the register was asked (without a zone: Europe/Amsterdam)"),
        ] = None,
    ) -> RecognitionHistoryRead:
        return await recognitions.history(
            recognition_id, caller, day=day, answered_on=answered_on, answered_at=answered_at
        )

    @post(
        "/{recognition_id:uuid}/reassessed",
        status_code=200,
        guards=[ADVISERS],
        summary="Record a reassessment that found the criteria met: the next is due four years later",
    )
    async def reassessed(
        self,
        recognition_id: FromPath[UUID],
        data: JSONBody[ReassessedCreate],
        recognitions: NamedDependency[RecognitionService],
        settings: SettingsDep,
        caller: CurrentCaller,
    ) -> RecognitionRead:
        return await recognitions.mark_reassessed(
            recognition_id, data.assessed_on, caller, settings
        )


class CompanyRecognitionController(Controller):
    path = "/companies/{company_id:uuid}/recognitions"
    tags = ["companies", "recognitions"]
    dependencies = PROVIDERS

    @get("/", summary="A company's recognitions, each with its periods")
    async def list_(
        self, company_id: FromPath[UUID], recognitions: NamedDependency[RecognitionService], caller: CurrentCaller
    ) -> list[RecognitionDetail]:
        return await recognitions.for_company(company_id, caller)
