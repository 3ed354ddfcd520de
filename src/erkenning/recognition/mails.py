"""E-mails to the company about its decisions and objections (composers for `erkenning.core.mail`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.auth.models import Principal
from erkenning.core.mail import Composed, Composer
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
    Objection,
    Qualification,
    Recognition,
)

KIND_NL = {
    DecisionKind.GRANT: "verlening van de erkenning",
    DecisionKind.REFUSE: "weigering van de erkenning",
    DecisionKind.IMPOSE_CONDITIONS: "voorwaarden bij de erkenning",
    DecisionKind.SUSPEND: "schorsing van de erkenning",
    DecisionKind.REINSTATE: "herstel van de erkenning",
    DecisionKind.WITHDRAW: "intrekking van de erkenning",
    DecisionKind.LAPSE: "vervallen van de erkenning",
}

_SKIP = Composed(to=None, context={})


async def _decision_context(session: AsyncSession, decision: Decision, company: Company) -> dict[str, Any]:
    rows = (
        await session.exec(
            select(col(Qualification.crebo), col(Qualification.name), col(Recognition.pathway))
            .join(Recognition, col(Recognition.qualification_id) == col(Qualification.id))
            .join(DecisionRecognition, col(DecisionRecognition.recognition_id) == col(Recognition.id))
            .where(DecisionRecognition.decision_id == decision.id)
            .order_by(col(Qualification.crebo), col(Recognition.pathway))
        )
    ).all()
    return {
        "company": company.name,
        "decision": decision,
        "kind": KIND_NL[decision.kind],
        "qualifications": [f"{crebo} {name} ({pathway.value.upper()})" for crebo, name, pathway in rows],
    }


async def _load(session: AsyncSession, decision_id: str) -> tuple[Decision, Company] | None:
    decision = await session.get(Decision, UUID(decision_id))
    company = await session.get(Company, decision.company_id) if decision else None
    return (decision, company) if decision and company else None


async def _about_decision(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    loaded = await _load(session, payload["decision_id"])
    if loaded is None or loaded[1].email is None:
        return _SKIP
    decision, company = loaded
    return Composed(to=company.email, context=await _decision_context(session, decision, company))


async def _about_objection(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    objection = await session.get(Objection, UUID(payload["objection_id"]))
    loaded = await _load(session, str(objection.decision_id)) if objection else None
    if objection is None or loaded is None or loaded[1].email is None:
        return _SKIP
    decision, company = loaded
    when = clock.local(objection.hearing_at).strftime("%d-%m-%Y %H:%M") if objection.hearing_at else ""
    return Composed(
        to=company.email,
        context={**await _decision_context(session, decision, company), "objection": objection, "hearing_when": when},
    )


async def _objection_to_staff(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    """A reminder or escalation of an objection's decision term to one senior adviser (ids and dates only)."""
    objection = await session.get(Objection, UUID(payload["objection_id"]))
    principal = await session.get(Principal, UUID(payload["principal_id"]))
    if objection is None or principal is None or not principal.active or principal.email is None:
        return _SKIP
    return Composed(to=principal.email, context={"name": principal.name, "objection": objection})


COMPOSERS: dict[str, Composer] = {
    "decision_sent": _about_decision,
    "decision_intended": _about_decision,
    "decision_intention_dropped": _about_decision,
    "objection_received": _about_objection,
    "objection_decided": _about_objection,
    "objection_hearing_invited": _about_objection,
    "objection_hearing_report": _about_objection,
    "objection_term_extended": _about_objection,
    "objection_term_reminder": _objection_to_staff,
    "objection_term_escalation": _objection_to_staff,
}
