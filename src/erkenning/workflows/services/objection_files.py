"""Inspection of the file before the hearing of an objection (art. 7:4 Awb).

The company may see the documents the contested decision rests on: the decision letter, the intended
decision and its response, the questions it was asked in the investigation and its answers, the grounds
as sent, its objection and the hearing's invitation and report. Art. 7:4(6)-(8) lets SBB withhold what
others' privacy requires: never the reports, the reporter's identity, the confidential part of a report,
the reporting side's reaction (wederhoor) or anything else of the case file. It lives here, above the
recognition domain, because the investigation's hearing is this domain's.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.settings import Settings
from erkenning.recognition import dispatch
from erkenning.recognition.models import LetterKind, Objection
from erkenning.recognition.objection_schemas import FileDocument, ObjectionFileRead
from erkenning.recognition.services.objections import ObjectionService
from erkenning.workflows.models import Investigation


class ObjectionFileService:
    """Het dossier ter inzage (art. 7:4 Awb)."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.objections = ObjectionService(session, settings)

    async def file(self, objection_id: UUID, caller: Caller, *, letters_under: str) -> ObjectionFileRead:
        """The documents of one objection the caller may see (its own, for a company); the read is audited.
        `letters_under`: the route prefix the kept letters are downloaded from."""
        objection = await self.objections.get(objection_id, caller)
        decision = await self.objections.decisions.get(objection.decision_id, caller)
        docs: list[FileDocument] = []
        for kind, title in (
            (LetterKind.INTENDED_DECISION, "Voornemen (artikel 4:8 Awb)"),
            (LetterKind.DECISION, "Besluit"),
        ):
            letter = await dispatch.kept(self.session, decision.id, kind)
            if letter is not None:
                query = "?kind=intended_decision" if kind is LetterKind.INTENDED_DECISION else ""
                docs.append(FileDocument(
                    kind=f"{kind.value}_letter", title=f"{title}, kenmerk {letter.kenmerk}",
                    on=letter.created_at.date(), download=f"{letters_under}/decisions/{decision.id}/letter{query}",
                ))
        if decision.response_text:
            docs.append(FileDocument(
                kind="response", title="Uw zienswijze op het voornemen",
                on=decision.response_received_at.date() if decision.response_received_at else None,
                text=decision.response_text,
            ))
        case = await self._investigation(decision.investigation_id, objection)
        if case is not None and case.hearing_question:
            docs.append(FileDocument(
                kind="investigation_hearing", title="Vraag van SBB in het onderzoek (hoor en wederhoor)",
                on=case.hearing_requested_at.date() if case.hearing_requested_at else None,
                text=case.hearing_question,
            ))
            if case.hearing_answer:
                docs.append(FileDocument(
                    kind="investigation_answer", title="Uw antwoord in het onderzoek",
                    on=case.hearing_answered_at.date() if case.hearing_answered_at else None,
                    text=case.hearing_answer,
                ))
        docs.append(FileDocument(kind="grounds", title="Motivering van het besluit, zoals verzonden",
                                 on=decision.sent_on, text=decision.grounds))
        docs.append(FileDocument(kind="objection", title=f"Uw bezwaarschrift, kenmerk {objection.reference}",
                                 on=objection.filed_on, text=objection.grounds))
        docs.extend(_hearing_documents(objection))
        await audit.record(self.session, caller, "objection.file_inspected", objection,
                           detail={"documents": [d.kind for d in docs]})
        assert objection.reference is not None
        return ObjectionFileRead(
            objection_id=objection.id, reference=objection.reference, decision_id=decision.id, documents=docs
        )

    async def _investigation(self, case_id: UUID | None, objection: Objection) -> Investigation | None:
        """The investigation that made the decision, if one did (and it is about this company)."""
        if case_id is None:
            return None
        case = await self.session.get(Investigation, case_id)
        return case if case is not None and case.company_id == objection.company_id else None


def _hearing_documents(objection: Objection) -> list[FileDocument]:
    docs = []
    if objection.hearing_invited_at is not None:
        where = "; ".join(x for x in (objection.hearing_place, objection.hearing_video_link) if x)
        docs.append(FileDocument(
            kind="hearing_invitation", title="Uitnodiging voor de hoorzitting (artikel 7:2 Awb)",
            on=objection.hearing_invited_at.date(), text=where,
        ))
    if objection.hearing_report:
        docs.append(FileDocument(
            kind="hearing_report", title="Verslag van de hoorzitting",
            on=objection.hearing_held_at.date() if objection.hearing_held_at else None, text=objection.hearing_report,
        ))
    return docs
