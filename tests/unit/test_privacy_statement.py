"""The privacy statements say who reads a report's confidential part as the code decides it (GDPR art. 13):
`reports.states.CONFIDENTIAL_READERS` is what `handles` lets through, and every statement is built from it or
checked against it."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from erkenning.core import mail
from erkenning.core.caller import Caller, Role
from erkenning.reports.models import Channel, Ground, Report
from erkenning.reports.states import CONFIDENTIAL_READERS, handles
from erkenning.web.privacy import readers


def test_the_readers_named_are_the_readers_the_code_lets_through() -> None:
    assigned, someone_else = uuid4(), uuid4()
    report = Report(channel=Channel.PHONE, company_name_given="x", ground=Ground.AGE, incident_date=date(2025, 1, 1),
                    summary="s", assigned_to=assigned)
    for role in Role:
        mine = handles(report, Caller(principal_id=assigned, role=role, name="t"))
        theirs = handles(report, Caller(principal_id=someone_else, role=role, name="t"))
        assert mine == (role in CONFIDENTIAL_READERS), role
        assert theirs == CONFIDENTIAL_READERS.get(role, False), role


def test_the_statements_name_each_reader() -> None:
    assert readers() == "de adviseur praktijkleren aan wie de melding is toegewezen en alle senior adviseurs"
    # The e-mails to the reporting side carry a fixed text: it must name the same readers.
    _, body = mail.render("reporter_reaction_request", {
        "school": "ROC", "reference": None, "received": date(2026, 1, 5), "question": "q", "due": None,
    })
    assert set(CONFIDENTIAL_READERS) == {Role.ADVISER, Role.SENIOR_ADVISER}
    assert "de adviseur van SBB die het onderzoek behandelt en de senior adviseurs van SBB" in " ".join(body.split())
