"""E-mails about courses: reminder, promotion from the waiting list, cancelled session, certificate, invitation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.mail import Composed, Composer
from erkenning.training.models import Course, CourseSession, Invitation, Participation, ParticipationStatus
from erkenning.training.services.invitations import TEMPLATE as INVITATION_TEMPLATE

_SKIP = Composed(to=None, context={})
_FORMATS = {"workshop": "workshop", "webinar": "webinar", "e_learning": "e-learning"}


async def _compose(
    session: AsyncSession, payload: dict[str, Any], *, only_if: ParticipationStatus | None = None
) -> Composed:
    """Address the company of a participation and describe the course (and session) it is about."""
    participation = await session.get(Participation, UUID(payload["participation_id"]))
    if participation is None or (only_if is not None and participation.status is not only_if):
        return _SKIP  # cancelled or changed since the e-mail was queued: nothing to tell any more
    company = await session.get(Company, participation.company_id)
    course = await session.get(Course, participation.course_id)
    row = await session.get(CourseSession, participation.session_id) if participation.session_id else None
    if company is None or course is None:
        return _SKIP
    context: dict[str, Any] = {
        "company": company.name,
        "course": course.title,
        "format": _FORMATS[course.format.value],
        "trainer": participation.trainer_name,
        "starts": None,
        "ends": None,
        "location": row.location if row else None,
        "online_url": row.online_url if row else None,
        "certificate_code": participation.certificate_code,
        "completed_on": participation.completed_on.strftime("%d-%m-%Y")
        if participation.completed_on
        else None,
    }
    if row is not None:
        context["starts"] = clock.local(row.starts_at).strftime("%d-%m-%Y om %H:%M")
        context["ends"] = clock.local(row.ends_at).strftime("%H:%M")
    return Composed(to=company.email, context=context)


async def compose_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _compose(session, payload, only_if=ParticipationStatus.ENROLLED)


async def compose_promoted(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _compose(session, payload, only_if=ParticipationStatus.ENROLLED)


async def compose_session_cancelled(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _compose(session, payload)


async def compose_certificate(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _compose(session, payload, only_if=ParticipationStatus.COMPLETED)


async def compose_invitation(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    """The courses an invitation offers that are still in the catalogue (none left, or dismissed: no e-mail)."""
    invitation = await session.get(Invitation, UUID(payload["invitation_id"]))
    if invitation is None or invitation.dismissed_at is not None:
        return _SKIP
    company = await session.get(Company, invitation.company_id)
    found = [await session.get(Course, course_id) for course_id in invitation.course_ids]
    courses = sorted((c for c in found if c is not None and c.active), key=lambda c: c.title)
    if company is None or not courses:
        return _SKIP
    return Composed(
        to=company.email,
        context={
            "company": company.name,
            "kind": invitation.kind.value,
            "courses": [{"title": c.title, "format": _FORMATS[c.format.value]} for c in courses],
        },
    )


COMPOSERS: dict[str, Composer] = {
    "training_reminder": compose_reminder,
    "training_promoted": compose_promoted,
    "training_session_cancelled": compose_session_cancelled,
    "training_certificate": compose_certificate,
    INVITATION_TEMPLATE: compose_invitation,
}
