"""Invitations to courses: a newly recognised company's welcome, and the offer after improvement agreements.

Both are voluntary offers of active courses: those marked `for_new_companies`, or those with one of the
topics an improvement agreement recommends. An invitation is one row (once per company as a new
company, once per case after improvement agreements: the table's unique indexes decide, under
concurrency too) and one e-mail, queued in the row's transaction and only when the row is new, so an
event handled twice gives one of each. Where no course fits, nothing is recorded or sent.

Nothing here reads or writes a recognition (training may not even import that domain): a company that
ignores every invitation keeps what it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger
from erkenning.training.models import Course, Invitation, InvitationKind

log = get_logger(__name__)

SYSTEM = Caller.system("training")
TEMPLATE = "training_invitation"


@dataclass(frozen=True)
class Offer:
    """An invitation with the courses it offered that are still in the catalogue (title order)."""

    invitation: Invitation
    courses: list[Course]


class InvitationService:
    """Uitnodigingen: the courses offered to one company, and what it sees of them in the portal."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------ offering (the worker)

    async def offer_to_new_company(self, company_id: UUID) -> Invitation | None:
        """The welcome of a newly recognised company: the courses marked for new companies; None when it
        had its welcome already or no course is marked."""
        courses = await self._active_courses(col(Course.for_new_companies).is_(True))
        return await self._offer(company_id, InvitationKind.NEW_COMPANY, courses)

    async def offer_after_agreement(
        self, company_id: UUID, investigation_id: UUID, topics: Iterable[str]
    ) -> Invitation | None:
        """After a case closed with improvement agreements: the active courses of its recommended topics;
        None when that case had its offer already, or nothing is recommended or on offer."""
        wanted = sorted({str(t) for t in topics})
        if not wanted:
            return None
        courses = await self._active_courses(col(Course.topics).overlap(wanted))  # type: ignore[attr-defined]
        return await self._offer(
            company_id, InvitationKind.IMPROVEMENT_AGREEMENT, courses, investigation_id=investigation_id, topics=wanted
        )

    async def _active_courses(self, where: sa.ColumnElement[bool]) -> list[Course]:
        stmt = select(Course).where(col(Course.active).is_(True), where).order_by(col(Course.title), col(Course.id))
        return list((await self.session.exec(stmt)).all())

    async def _offer(
        self,
        company_id: UUID,
        kind: InvitationKind,
        courses: Sequence[Course],
        *,
        investigation_id: UUID | None = None,
        topics: Sequence[str] = (),
    ) -> Invitation | None:
        if not courses:
            log.info("training.invitation_nothing_to_offer", company_id=str(company_id), kind=kind.value)
            return None
        now = utcnow()
        stmt = (
            insert(Invitation)
            .values(
                id=uuid4(), company_id=company_id, kind=kind, investigation_id=investigation_id,
                course_ids=[c.id for c in courses], topics=list(topics), created_at=now, updated_at=now,
            )
            .on_conflict_do_nothing()  # once per company (new company) or per case (agreements)
            .returning(col(Invitation.id))
        )
        new_id = (await self.session.exec(stmt)).scalar()
        if new_id is None:
            log.info("training.invitation_exists", company_id=str(company_id), kind=kind.value)
            return None
        invitation = await self.session.get(Invitation, new_id)
        assert invitation is not None
        await audit.record(
            self.session, SYSTEM, "course_invitation.created", invitation,
            detail={"kind": kind.value, "company_id": str(company_id), "courses": len(courses)},
        )
        mail.queue(self.session, TEMPLATE, invitation_id=invitation.id)
        log.info("training.invitation_created", invitation_id=str(invitation.id), kind=kind.value)
        return invitation

    # ------------------------------------------------------------ the company's view

    async def list_open(self, caller: Caller, *, company_id: UUID | None = None) -> list[Offer]:
        """Invitations not dismissed that still offer a course in the catalogue, newest first (a company
        sees its own; staff name the company)."""
        stmt = scoped(select(Invitation), Invitation, caller).where(col(Invitation.dismissed_at).is_(None))
        if company_id is not None:
            stmt = stmt.where(Invitation.company_id == company_id)
        rows = list((await self.session.exec(stmt.order_by(col(Invitation.created_at).desc()))).all())
        offers = await self._with_courses(rows)
        return [o for o in offers if o.courses]

    async def dismiss(self, invitation_id: UUID, caller: Caller) -> Offer:
        """The company has seen it: the portal stops showing it (again: no change)."""
        invitation = await get_scoped(
            self.session, Invitation, invitation_id, caller, for_update=True, what="invitation"
        )
        if invitation.dismissed_at is None:
            invitation.dismissed_at = invitation.updated_at = utcnow()
            self.session.add(invitation)
            await self.session.flush()
            await audit.record(self.session, caller, "course_invitation.dismissed", invitation)
        [offer] = await self._with_courses([invitation])
        return offer

    async def _with_courses(self, invitations: list[Invitation]) -> list[Offer]:
        ids = {course_id for i in invitations for course_id in i.course_ids}
        found: dict[UUID, Course] = {}
        if ids:
            stmt = select(Course).where(col(Course.id).in_(ids), col(Course.active).is_(True))
            found = {c.id: c for c in (await self.session.exec(stmt)).all()}
        return [
            Offer(i, sorted((found[c] for c in i.course_ids if c in found), key=lambda c: (c.title, str(c.id))))
            for i in invitations
        ]
