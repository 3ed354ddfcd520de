"""Attachments to objections over the API: a company adds to and reads its own pending objection's files;
staff read every objection's files and add scans to a paper objection.

Uploads are `multipart/form-data` with one file in the field `file`; the type is judged by the content
(PDF, PNG, JPEG), never by the name or the sent `Content-Type`. Downloads are served as attachments with
the type that was judged, so a browser never renders them in the service's origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody
from pydantic import BaseModel, ConfigDict, Field

from erkenning.core.caller import Caller
from erkenning.http.dependencies import CurrentCaller
from erkenning.recognition import attachments
from erkenning.recognition.attachments import ObjectionAttachment
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.services.objection_attachments import AttachmentInfo, ObjectionAttachmentService, Upload

_UPLOAD = (
    f"Multipart form with one file in `file`: a PDF, PNG or JPEG (judged by its content), at most "
    f"{attachments.MAX_BYTES // (1024 * 1024)} MB, at most {attachments.MAX_FILES} files to one objection. "
    "Refused without storing anything: an empty file (422), a larger one (413), another type (415), one file too "
    "many (422), an objection no longer pending (409)."
)


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    objection_id: UUID | None
    filename: str = Field(description="the name given, cleaned, with the extension of the judged type")
    media_type: str = Field(description="application/pdf, image/png or image/jpeg, judged by the content")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the content, hex")
    created_at: datetime


@dataclass
class AttachmentUpload:
    """The upload form: its one field `file` (a form without it is a 422, not a 500)."""

    file: UploadFile


def download(row: ObjectionAttachment) -> Response[bytes]:
    """The file as a download, under its cleaned name (RFC 6266: an ASCII name and the UTF-8 one)."""
    ascii_name = row.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        row.content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}",
            "Cache-Control": "private, no-store",
        },
    )


def _reads(found: list[AttachmentInfo]) -> list[AttachmentRead]:
    return [AttachmentRead.model_validate(i) for i in found]


async def _add(
    service: ObjectionAttachmentService, objection_id: UUID, data: AttachmentUpload, caller: Caller
) -> AttachmentRead:
    upload = Upload(data.file.filename, await data.file.read())
    return _reads(await service.add(objection_id, [upload], caller))[0]


class _Attachments(Controller):
    path = "/objections/{objection_id:uuid}/attachments"
    dependencies = PROVIDERS

    @get("/", summary="The attachments of an objection (without their content)")
    async def list_(
        self, objection_id: FromPath[UUID], objection_attachments: NamedDependency[ObjectionAttachmentService],
        caller: CurrentCaller,
    ) -> list[AttachmentRead]:
        return _reads(await objection_attachments.list(objection_id, caller))

    @get(
        "/{attachment_id:uuid}", summary="Download one attachment of an objection",
        description="The file as it was added, as an attachment with its judged media type.",
        media_type="application/octet-stream",
    )
    async def download(
        self, objection_id: FromPath[UUID], attachment_id: FromPath[UUID],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Response[bytes]:
        return download(await objection_attachments.get(objection_id, attachment_id, caller))


class PortalAttachmentController(_Attachments):
    tags = ["portal"]

    @post("/", summary="Add a file to our pending objection", description=_UPLOAD,
          request_max_body_size=attachments.MAX_BYTES + 64 * 1024)
    async def add(
        self, objection_id: FromPath[UUID], data: MultipartBody[AttachmentUpload],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> AttachmentRead:
        return await _add(objection_attachments, objection_id, data, caller)


class BackofficeAttachmentController(_Attachments):
    tags = ["objections"]

    @post("/", summary="Add a file (a scan) to a pending objection, e.g. one received on paper", description=_UPLOAD,
          request_max_body_size=attachments.MAX_BYTES + 64 * 1024)
    async def add(
        self, objection_id: FromPath[UUID], data: MultipartBody[AttachmentUpload],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> AttachmentRead:
        return await _add(objection_attachments, objection_id, data, caller)
