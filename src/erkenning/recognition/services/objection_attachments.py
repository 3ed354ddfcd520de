"""Attachments to objections (bijlagen): add, stage while the company checks its answers, list, download.

A file is judged before anything is stored: not empty, at most `attachments.MAX_BYTES`, a PDF, PNG or
JPEG by its first bytes, and no more than `attachments.MAX_FILES` to one objection. One bad file in an
upload refuses the whole upload, and nothing of it is kept. The objection's own rules (its term, a
pending objection per decision) stay with `ObjectionService.file`, which this module calls.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PayloadTooLarge, Unprocessable
from erkenning.core.settings import Settings
from erkenning.recognition import attachments
from erkenning.recognition.attachments import ObjectionAttachment
from erkenning.recognition.models import Decision, DecisionStatus, Objection, ObjectionStatus
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionDecided, ObjectionService, ObjectionTermPassed
from erkenning.recognition.states import ADVERSE

# A staged file that was never filed with an objection is dropped after this long (`purge_staged`, hourly).
STAGED_KEPT = timedelta(days=1)


class AttachmentTooLarge(PayloadTooLarge):
    type = "attachment-too-large"
    title = "The attachment is too large"


class AttachmentTypeRefused(DomainError):
    status_code = 415
    type = "attachment-type-refused"
    title = "Only PDF, PNG and JPEG files can be attached"


class AttachmentEmpty(Unprocessable):
    type = "attachment-empty"
    title = "The attachment is empty"


class TooManyAttachments(Unprocessable):
    type = "too-many-attachments"
    title = "Too many attachments"


@dataclass(frozen=True)
class Upload:
    """A file as it came in: the name the sender gave and its bytes."""

    filename: str | None
    content: bytes


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment without its content (lists, pages)."""

    id: UUID
    objection_id: UUID | None
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


def objectable(decision: Decision, pending: bool, today: date, *, decided: bool = False) -> DomainError | None:
    """Why an objection against this decision cannot be filed today, as `ObjectionService.file` would refuse
    it (None: it can); `decided`: an objection against it was decided (art. 7:1 Awb: appeal, not a new
    objection). For the form's steps before filing; `file` itself stays the rule that counts."""
    if decided:
        return ObjectionDecided("An objection against this decision was decided: appeal lies to the court")
    deadline = decision.objection_deadline
    if decision.status in (DecisionStatus.SENT, DecisionStatus.FINAL) and deadline and today > deadline:
        return ObjectionTermPassed("The objection term has passed", deadline=deadline.isoformat())
    if decision.status is not DecisionStatus.SENT:
        return InvalidTransition(f"An objection is filed against a sent decision; this one is {decision.status.value}")
    if decision.kind not in ADVERSE:
        return Unprocessable(f"A {decision.kind.value} decision is in the company's favour")
    if pending:
        return Conflict("An objection against this decision is already pending")
    return None


def judge(upload: Upload) -> str:
    """The media type of an acceptable file; raises for an empty, too large or unknown one."""
    name = upload.filename or "het bestand"
    if not upload.content:
        raise AttachmentEmpty(f"{name} is empty", filename=upload.filename)
    if len(upload.content) > attachments.MAX_BYTES:
        raise AttachmentTooLarge(
            f"{name} is {len(upload.content)} bytes; at most {attachments.MAX_BYTES} bytes a file",
            filename=upload.filename, max_bytes=attachments.MAX_BYTES,
        )
    media_type = attachments.sniff(upload.content)
    if media_type is None:
        raise AttachmentTypeRefused(
            f"{name} is not a PDF, PNG or JPEG file (judged by its content)", filename=upload.filename
        )
    return media_type


_INFO_COLUMNS = (
    col(ObjectionAttachment.id), col(ObjectionAttachment.objection_id), col(ObjectionAttachment.filename),
    col(ObjectionAttachment.media_type), col(ObjectionAttachment.size_bytes), col(ObjectionAttachment.sha256),
    col(ObjectionAttachment.created_at),
)


class ObjectionAttachmentService:
    """Bijlagen bij bezwaren."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.objections = ObjectionService(session, settings)
        self.decisions = DecisionService(session, settings)

    # ------------------------------------------------------------ reading

    async def list(self, objection_id: UUID, caller: Caller) -> builtins.list[AttachmentInfo]:
        """The attachments of an objection the caller may see (a foreign objection: 404)."""
        await self.objections.get(objection_id, caller)
        return await self._infos(col(ObjectionAttachment.objection_id) == objection_id, caller)

    async def staged(self, decision_id: UUID, caller: Caller) -> builtins.list[AttachmentInfo]:
        """What the caller staged for an objection against this decision, not yet filed."""
        return await self._infos(
            sa.and_(col(ObjectionAttachment.decision_id) == decision_id,
                    col(ObjectionAttachment.objection_id).is_(None),
                    col(ObjectionAttachment.uploaded_by) == caller.principal_id),
            caller,
        )

    async def for_objections(self, objection_ids: builtins.list[UUID], caller: Caller) -> dict[UUID, builtins.list[
            AttachmentInfo]]:
        """The attachments of several objections at once, by objection (a decision's page)."""
        found: dict[UUID, builtins.list[AttachmentInfo]] = {i: [] for i in objection_ids}
        if objection_ids:
            for info in await self._infos(col(ObjectionAttachment.objection_id).in_(objection_ids), caller):
                assert info.objection_id is not None
                found[info.objection_id].append(info)
        return found

    async def get(self, objection_id: UUID, attachment_id: UUID, caller: Caller) -> ObjectionAttachment:
        """One attachment with its content, to download (only through its objection, in the caller's scope)."""
        stmt = scoped(select(ObjectionAttachment), ObjectionAttachment, caller).where(
            col(ObjectionAttachment.id) == attachment_id, col(ObjectionAttachment.objection_id) == objection_id
        )
        row = (await self.session.exec(stmt)).first()
        if row is None:
            raise NotFound("No such attachment")
        return row

    async def _infos(self, where: sa.ColumnElement[bool], caller: Caller) -> builtins.list[AttachmentInfo]:
        stmt = scoped(sa.select(*_INFO_COLUMNS), ObjectionAttachment, caller).where(where)
        order = (col(ObjectionAttachment.created_at), col(ObjectionAttachment.id))
        rows = (await self.session.exec(stmt.order_by(*order))).all()  # type: ignore[call-overload]
        return [AttachmentInfo(*row) for row in rows]

    # ------------------------------------------------------------ changes

    async def add(self, objection_id: UUID, uploads: builtins.list[Upload], caller: Caller) -> builtins.list[
            AttachmentInfo]:
        """Add files to a pending objection (the company's own, or staff for a paper objection)."""
        objection = await self.objections.get(objection_id, caller, for_update=True)
        if objection.status is not ObjectionStatus.PENDING:
            raise InvalidTransition(
                f"Attachments are added to a pending objection; this one is {objection.status.value}"
            )
        held = await self._count(col(ObjectionAttachment.objection_id) == objection.id)
        rows = self._made(uploads, held, objection.company_id, objection.decision_id, caller)
        for row in rows:
            row.objection_id = objection.id
        await self._store(rows, caller)
        return [_info(r) for r in rows]

    async def stage(self, decision_id: UUID, uploads: builtins.list[Upload], caller: Caller) -> builtins.list[
            AttachmentInfo]:
        """Keep files for an objection the caller is about to file against this decision (check-your-answers)."""
        decision = await self.decisions.get(decision_id, caller)
        held = len(await self.staged(decision_id, caller))
        rows = self._made(uploads, held, decision.company_id, decision.id, caller)
        await self._store(rows, caller)
        return await self.staged(decision_id, caller)

    async def unstage(self, decision_id: UUID, attachment_id: UUID, caller: Caller) -> None:
        """Drop a file the caller staged; one that is part of a filed objection stays (409)."""
        stmt = scoped(select(ObjectionAttachment), ObjectionAttachment, caller).where(
            col(ObjectionAttachment.id) == attachment_id, col(ObjectionAttachment.decision_id) == decision_id
        )
        row = (await self.session.exec(stmt.with_for_update())).first()
        if row is None or (row.objection_id is None and row.uploaded_by != caller.principal_id):
            raise NotFound("No such staged attachment")
        if row.objection_id is not None:
            raise InvalidTransition("This file is part of a filed objection; it is kept with it")
        await self.session.delete(row)
        await self.session.flush()

    async def file(self, decision_id: UUID, grounds: str, caller: Caller) -> Objection:
        """File the objection (every rule of `ObjectionService.file`) with the files the caller staged for it."""
        objection = await self.objections.file(decision_id, grounds, caller)
        staged = [i.id for i in await self.staged(decision_id, caller)]
        if staged:
            await self.session.exec(
                sa.update(ObjectionAttachment).where(col(ObjectionAttachment.id).in_(staged))
                .values(objection_id=objection.id)
            )
            await audit.record(self.session, caller, "objection.attachments_filed", objection,
                               detail={"attachment_ids": [str(i) for i in staged]})
        return objection

    # ------------------------------------------------------------ helpers

    def _made(
        self, uploads: builtins.list[Upload], held: int, company_id: UUID, decision_id: UUID, caller: Caller
    ) -> builtins.list[ObjectionAttachment]:
        """Judge every upload before any is kept: one bad file refuses them all."""
        if not uploads:
            raise AttachmentEmpty("No file was sent")
        if held + len(uploads) > attachments.MAX_FILES:
            raise TooManyAttachments(
                f"At most {attachments.MAX_FILES} files to one objection; {held} already, {len(uploads)} sent",
                max_files=attachments.MAX_FILES,
            )
        if caller.principal_id is None:
            raise InvalidTransition("An attachment is added by a person")
        rows = []
        for upload in uploads:
            media_type = judge(upload)
            rows.append(ObjectionAttachment(
                company_id=company_id, decision_id=decision_id,
                filename=attachments.safe_filename(upload.filename, media_type), media_type=media_type,
                size_bytes=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                content=upload.content, uploaded_by=caller.principal_id,
            ))
        return rows

    async def _store(self, rows: builtins.list[ObjectionAttachment], caller: Caller) -> None:
        self.session.add_all(rows)
        await self.session.flush()
        for row in rows:
            await audit.record(
                self.session, caller, "objection_attachment.added", row,
                detail={"objection_id": str(row.objection_id) if row.objection_id else None,
                        "decision_id": str(row.decision_id), "media_type": row.media_type,
                        "size_bytes": row.size_bytes, "sha256": row.sha256},
            )

    async def _count(self, where: sa.ColumnElement[bool]) -> int:
        found = await self.session.exec(  # type: ignore[call-overload]
            sa.select(sa.func.count()).select_from(ObjectionAttachment).where(where)
        )
        return int(found.scalar_one())


async def purge_staged(session: AsyncSession) -> int:
    """Drop staged files older than `STAGED_KEPT` that were never filed with an objection; how many."""
    result = await session.exec(
        sa.delete(ObjectionAttachment).where(
            col(ObjectionAttachment.objection_id).is_(None),
            col(ObjectionAttachment.created_at) < utcnow() - STAGED_KEPT,
        )
    )
    return int(result.rowcount or 0)


def _info(row: ObjectionAttachment) -> AttachmentInfo:
    return AttachmentInfo(row.id, row.objection_id, row.filename, row.media_type, row.size_bytes, row.sha256,
                          row.created_at)
