"""The report's transition table, pure: the order in which its checks answer (every pair through the API is
in tests/reports/test_triage.py)."""

from uuid import uuid4

import pytest

from erkenning.core import states
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import InvalidTransition
from erkenning.reports.models import Report, ReportStatus
from erkenning.reports.states import TRANSITIONS

S = ReportStatus


def test_substantiating_waits_for_the_company_after_who_may_do_it() -> None:
    """"Not yet" (409, no company) is said only to whom may make the move; anyone else hears 403 first."""
    mine = Caller(principal_id=uuid4(), role=Role.ADVISER, name="a")
    outsider = Caller(principal_id=uuid4(), role=Role.ADVISER, name="o")
    unmatched = Report(status=S.IN_TRIAGE, assigned_to=mine.principal_id, company_id=None)
    with pytest.raises(states.GuardRefused):
        states.check(TRANSITIONS, S.IN_TRIAGE, S.SUBSTANTIATED, unmatched, outsider, {"reason": "x"})
    with pytest.raises(InvalidTransition, match="Match the report to a company first"):
        states.check(TRANSITIONS, S.IN_TRIAGE, S.SUBSTANTIATED, unmatched, mine, {"reason": "x"})
    assert [m.to for m in states.allowed(TRANSITIONS, unmatched, mine)] == ["not_substantiated", "referred"]
    unmatched.company_id = uuid4()
    states.check(TRANSITIONS, S.IN_TRIAGE, S.SUBSTANTIATED, unmatched, mine, {"reason": "x"})
    assert "substantiated" in [m.to for m in states.allowed(TRANSITIONS, unmatched, mine)]
