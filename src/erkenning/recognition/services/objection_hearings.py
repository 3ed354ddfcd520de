"""The hearing of the objector (hoorzitting, art. 7:2 Awb), or why it is left out (art. 7:3 Awb).

Staff invite the company (date and time, a place or a video link; e-mail and portal), record that the
hearing was held with its report (verslag), which the company receives (e-mail and portal), or record the
ground of art. 7:3 on which it is left out, with a note. The moves are `HEARING_TRANSITIONS`; an objection is
rejected only after one of them (`OBJECTION_TRANSITIONS`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import ValidationFailed
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition.models import HearingSkipGround, HearingStatus, Objection
from erkenning.recognition.states import HEARING_TRANSITIONS


class ObjectionHearingService:
    """Hoorzittingen in bezwaar."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _get(self, objection_id: UUID, caller: Caller) -> Objection:
        return await get_scoped(self.session, Objection, objection_id, caller, for_update=True, what="objection")

    def actions(self, objection: Objection, caller: Caller) -> list[Move]:
        return allowed(HEARING_TRANSITIONS, objection, caller, attr="hearing_status")

    async def invite(
        self,
        objection_id: UUID,
        caller: Caller,
        *,
        hearing_at: datetime,
        place: str | None,
        video_link: str | None,
    ) -> Objection:
        """Invite the company: when, and where (a place, a video link or both); e-mailed and in the portal."""
        objection = await self._get(objection_id, caller)
        if not (place or video_link):
            raise ValidationFailed([{"field": "place", "message": "give a place or a video link (or both)"}])
        if hearing_at <= clock.now():
            raise ValidationFailed([{"field": "hearing_at", "message": "the hearing is set in the future"}])
        apply(HEARING_TRANSITIONS, objection, HearingStatus.INVITED, caller, attr="hearing_status",
              hearing_at=hearing_at)
        objection.hearing_at, objection.hearing_place, objection.hearing_video_link = hearing_at, place, video_link
        objection.hearing_invited_at = utcnow()
        await self._saved(objection, caller, "objection.hearing_invited", hearing_at=hearing_at.isoformat())
        mail.queue(self.session, "objection_hearing_invited", objection_id=objection.id)
        return objection

    async def held(self, objection_id: UUID, report: str, caller: Caller) -> Objection:
        """Record that the hearing was held, with its report (verslag); the company receives it."""
        objection = await self._get(objection_id, caller)
        apply(HEARING_TRANSITIONS, objection, HearingStatus.HELD, caller, attr="hearing_status",
              report=report.strip())
        objection.hearing_report, objection.hearing_held_at = report, utcnow()
        await self._saved(objection, caller, "objection.hearing_held")
        mail.queue(self.session, "objection_hearing_report", objection_id=objection.id)
        return objection

    async def skip(
        self, objection_id: UUID, ground: HearingSkipGround | None, note: str | None, caller: Caller
    ) -> Objection:
        """Leave the hearing out on a ground of art. 7:3 Awb (required), with a note (required)."""
        objection = await self._get(objection_id, caller)
        apply(HEARING_TRANSITIONS, objection, HearingStatus.SKIPPED, caller, attr="hearing_status", ground=ground)
        if not (note or "").strip():
            raise ValidationFailed([{"field": "note", "message": "say why the ground applies"}])
        objection.hearing_skip_ground, objection.hearing_skip_note = ground, note
        await self._saved(objection, caller, "objection.hearing_skipped", ground=getattr(ground, "value", None))
        return objection

    async def _saved(self, objection: Objection, caller: Caller, action: str, **detail: Any) -> None:
        objection.hearing_by = caller.principal_id
        objection.updated_at = utcnow()
        self.session.add(objection)
        await self.session.flush()
        await audit.record(
            self.session, caller, action, objection,
            detail={"decision_id": str(objection.decision_id), "hearing": objection.hearing_status.value, **detail},
        )
