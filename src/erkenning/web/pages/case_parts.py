"""Parts of the case page: the timeline's rows in Dutch, and the reporting side's questions and reactions
(wederhoor) with the form to record one received outside the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from erkenning import vocabulary
from erkenning.core.caller import Caller
from erkenning.training.models import Topic
from erkenning.vocabulary import long_date
from erkenning.web.forms import Field, Form
from erkenning.web.staff import Names
from erkenning.workflows.models import DeadlineKind, Outcome, ReactionRoute, ReactionStatus
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.schemas import InvestigationRead, ReporterReactionRead


@dataclass(frozen=True)
class ReactionRow:
    """One report's reporting side on the case page, with the form to record its reaction where one is due."""

    reaction: ReporterReactionRead
    report: Any
    form: Form | None


def record_fields(report_id: UUID | str) -> tuple[Field, ...]:
    return (
        Field("reaction", "Reactie van de melder", kind="textarea", form_id=f"reactie-{report_id}",
              hint="De reactie die u buiten de dienst om kreeg (telefoon, brief, antidiscriminatievoorziening).",
              missing="Vul de reactie in.",
              invalid="De reactie mag hoogstens 2.000 tekens lang zijn."),
    )


def reaction_rows(
    read: InvestigationRead, reports: list[Any], caller: Caller, forms: dict[str, Form]
) -> list[ReactionRow]:
    by_id = {r.id: r for r in reports}
    # The case's adviser or a senior adviser records a reaction received outside the service (REACTION_TRANSITIONS).
    may_record = caller.is_senior or (read.assigned_to is not None and read.assigned_to == caller.principal_id)
    return [
        ReactionRow(r, by_id.get(r.report_id),
                    (forms.get(f"reactie-{r.report_id}") or Form(record_fields(r.report_id)))
                    if may_record and r.status is ReactionStatus.ASKED else None)
        for r in read.reporter_reactions
    ]


@dataclass(frozen=True)
class TimelineRow:
    at: Any
    what: str
    who: str
    change: str | None
    note: str | None
    detail: str | None


def timeline_rows(read: InvestigationRead, known: Names) -> list[TimelineRow]:
    # The reporting side's reactions are shown on the timeline from their own rows (the text is there only,
    # so that retention erases it once, and only those who may read it see it).
    reactions = {str(r.id): r for r in read.reporter_reactions}
    rows = []
    for event in reversed(read.timeline):
        change = None
        if event.from_status and event.to_status:
            change = f"{vocabulary.term(S(event.from_status))} → {vocabulary.term(S(event.to_status))}"
        who = known.person(event.actor_id) if event.actor_id else "automatisch"
        if event.kind == "reporter_reacted" and event.data.get("route") == ReactionRoute.RECEIPT.value:
            who = vocabulary.term(ReactionRoute.RECEIPT)
        note = event.note
        reaction = reactions.get(str(event.data.get("reaction_id")))
        if event.kind == "reporter_reacted" and reaction is not None and reaction.reaction:
            note = f"“{reaction.reaction}”"
        rows.append(TimelineRow(event.at, vocabulary.timeline(event.kind), who, change, note,
                                event_detail(event.kind, event.data)))
    return rows


def event_detail(kind: str, data: dict[str, Any]) -> str | None:
    if kind == "hearing_requested" and data.get("due"):
        return f"Reactie uiterlijk {long_date(date.fromisoformat(data['due']))}"
    if kind == "reporter_reaction_requested" and data.get("due"):
        asked = int(data.get("reports", 0))
        return (f"Gevraagd bij {asked} melding{'en' if asked != 1 else ''}; "
                f"reactie uiterlijk {long_date(date.fromisoformat(data['due']))}")
    if kind in ("reporter_reacted", "reporter_no_reaction") and data.get("route"):
        return vocabulary.capital(ReactionRoute(data["route"]))
    if kind == "reminder_sent" and data.get("deadline"):
        return f"Termijn: {vocabulary.term(DeadlineKind(data['deadline']))}"
    if kind in ("proposed", "approved", "closed") and data.get("outcome"):
        return f"Uitkomst: {vocabulary.term(Outcome(data['outcome']))}"
    if kind == "follow_up_checked" and data.get("missing"):
        return "Niet afgerond: " + ", ".join(vocabulary.term(Topic(t)) for t in data["missing"])
    if kind == "follow_up_scheduled" and data.get("follow_up_on"):
        return f"Controle op {long_date(date.fromisoformat(data['follow_up_on']))}"
    return None
