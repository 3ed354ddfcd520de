"""The dates of an objection: on time or late (art. 6:9, 6:11 Awb), its decision term (art. 7:10), and the day an
upheld one restores from (art. 7:11)."""

from __future__ import annotations

from datetime import date

from erkenning.core import calendar, clock
from erkenning.core.errors import ValidationFailed
from erkenning.core.settings import Settings
from erkenning.recognition.models import Decision
from erkenning.recognition.states import postal_grace_end

# An extension of the decision term (art. 7:10(3) Awb): at most six weeks, once.
EXTENSION_WEEKS = 6


def decision_term(settings: Settings, decision: Decision) -> date | None:
    """Art. 7:10(1) Awb: six weeks (twelve with an advisory committee) from the day after the objection
    term ended, under the Algemene termijnenwet."""
    if decision.objection_deadline is None:
        return None
    weeks = 12 if settings.objection_advisory_committee else 6
    return calendar.term_end(decision.objection_deadline, weeks=weeks)


def extended(decide_by: date) -> date:
    """The decision term postponed once (art. 7:10(3) Awb)."""
    return calendar.term_end(decide_by, weeks=EXTENSION_WEEKS)


def restore_date(decision: Decision, restore_from: date | None, restore_reason: str | None) -> date:
    """From when an upheld objection restores: the decision's own start, or a later date with its reason."""
    start = decision.effective_from
    assert start is not None, "a sent decision has its effective date"
    if restore_from is None:
        if restore_reason is not None:
            raise ValidationFailed(
                [{"field": "restore_reason", "message": "give the date it explains (restore_from)"}]
            )
        return start
    if restore_from < start:
        raise ValidationFailed(
            [
                {
                    "field": "restore_from",
                    "message": f"the recognitions are restored from the decision's start ({start.isoformat()}) "
                    "or a later date, never before it took effect",
                }
            ]
        )
    if restore_from != start and not restore_reason:
        raise ValidationFailed(
            [{"field": "restore_reason", "message": "a restoration from a later date than the decision's start "
              "states its reason"}]
        )
    return restore_from


def check_paper_dates(sent_on: date, received: date, postmarked_on: date | None) -> None:
    """Dates of receipt and postmark: not in the future, not before the decision was sent, postmark first."""
    errors = []
    if received > clock.today():
        errors.append({"field": "received_on", "message": "the day of receipt cannot be in the future"})
    if received < sent_on:
        errors.append({"field": "received_on", "message": f"the decision was sent on {sent_on.isoformat()}"})
    if postmarked_on is not None and postmarked_on > received:
        errors.append({"field": "postmarked_on", "message": "a letter is posted before it is received"})
    if postmarked_on is not None and postmarked_on < sent_on:
        errors.append({"field": "postmarked_on", "message": f"the decision was sent on {sent_on.isoformat()}"})
    if errors:
        raise ValidationFailed(errors)


def timely(decision: Decision, received: date, postmarked_on: date | None) -> bool:
    """Received within the term; or posted within it and received within a week after it (art. 6:9(2) Awb)."""
    deadline = decision.objection_deadline
    if deadline is None or received <= deadline:
        return True
    return postmarked_on is not None and postmarked_on <= deadline and received <= postal_grace_end(deadline)
