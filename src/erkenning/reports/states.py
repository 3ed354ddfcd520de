"""The report's transition table: triage by the assigned adviser or a senior adviser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.states import Rule
from erkenning.reports.models import Report, ReportStatus

S = ReportStatus


# Who reads a report's confidential part (and what its reporting side says in an investigation): of each
# role, every member (True) or only the one the report is assigned to (False); no other role. `handles`
# decides it; every privacy statement names these readers (GDPR art. 13(1)(e)), and a test holds the two
# to each other.
CONFIDENTIAL_READERS: Mapping[Role, bool] = {Role.ADVISER: False, Role.SENIOR_ADVISER: True}


def handles(report: Report, caller: Caller) -> bool:
    """The adviser assigned to the report, or any senior adviser."""
    if caller.is_senior:
        return True
    assigned = report.assigned_to
    return caller.role in ADVISER_ROLES and assigned is not None and assigned == caller.principal_id


def assigned_or_senior(report: Report, caller: Caller, _: Mapping[str, Any]) -> str | None:
    return None if handles(report, caller) else "Only the adviser assigned to this report or a senior adviser may"


def company_known(report: Report, caller: Caller, _: Mapping[str, Any]) -> str | None:
    """An outcome that hands the report to an investigation needs the company it is about ("not yet", 409)."""
    return None if report.company_id is not None else "Match the report to a company first"


TRIAGE_ROLES = ADVISER_ROLES

TRANSITIONS: Mapping[tuple[ReportStatus, ReportStatus], Rule] = {
    (S.RECEIVED, S.IN_TRIAGE): Rule(
        roles=TRIAGE_ROLES, guard=assigned_or_senior, description="start triage"
    ),
    (S.IN_TRIAGE, S.SUBSTANTIATED): Rule(
        roles=TRIAGE_ROLES, guard=assigned_or_senior, needs=("reason",), ready=company_known,
        description="substantiated: hand over to an investigation (the company must be known)",
    ),
    (S.IN_TRIAGE, S.NOT_SUBSTANTIATED): Rule(
        roles=TRIAGE_ROLES, guard=assigned_or_senior, needs=("reason",), description="not substantiated: close"
    ),
    (S.IN_TRIAGE, S.REFERRED): Rule(
        roles=TRIAGE_ROLES, guard=assigned_or_senior, needs=("reason", "referred_to"),
        description="refer to the anti-discrimination agency, the police or the human rights institute",
    ),
}

# Outcomes that end the report's own handling at once (a substantiated one closes with its investigation).
CLOSING = frozenset({S.NOT_SUBSTANTIATED, S.REFERRED})
OUTCOMES = frozenset({S.SUBSTANTIATED, S.NOT_SUBSTANTIATED, S.REFERRED})
# Before an outcome, the company named in a report may still be (re)matched.
MATCHABLE = frozenset({S.RECEIVED, S.IN_TRIAGE})
