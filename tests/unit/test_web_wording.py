"""Recognitions and register answers in plain Dutch, from dated periods."""

from __future__ import annotations

from datetime import date

import pytest

from erkenning.recognition.models import RecognitionStatus as S
from erkenning.recognition.schemas import PeriodRead
from erkenning.web.wording import qualification_label, recognition_sentence, verify_sentence

LABEL = qualification_label("Kok", 2, "bol")
TODAY = date(2026, 4, 1)


def periods(*spans: tuple[S, date, date | None]) -> list[PeriodRead]:
    return [PeriodRead(status=s, valid_from=a, valid_until=b, decision_id=None) for s, a, b in spans]


@pytest.mark.parametrize(
    ("spans", "sentence", "next_change"),
    [
        ([(S.PENDING, date(2024, 1, 1), date(2024, 3, 3)), (S.ACTIVE, date(2024, 3, 3), None)],
         "Erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024.", None),
        # Adjacent periods of one status are one run: "since" is where the status really began.
        ([(S.ACTIVE, date(2024, 3, 3), date(2025, 1, 1)), (S.ACTIVE, date(2025, 1, 1), None)],
         "Erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024.", None),
        ([(S.ACTIVE, date(2024, 3, 3), date(2026, 3, 1)), (S.SUSPENDED, date(2026, 3, 1), date(2026, 6, 1)),
          (S.ACTIVE, date(2026, 6, 1), None)],
         "Erkenning voor Kok niveau 2 (BOL) geschorst sinds 1 maart 2026, tot 1 juni 2026.", "Vanaf 1 juni 2026 weer erkend."),
        ([(S.ACTIVE, date(2024, 3, 3), date(2026, 3, 1)), (S.SUSPENDED, date(2026, 3, 1), None)],
         "Erkenning voor Kok niveau 2 (BOL) geschorst sinds 1 maart 2026, totdat de schorsing wordt opgeheven.", None),
        ([(S.ACTIVE, date(2024, 3, 3), date(2027, 1, 1)), (S.WITHDRAWN, date(2027, 1, 1), None)],
         "Erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024.", "Wordt ingetrokken per 1 januari 2027."),
        ([(S.ACTIVE, date(2024, 3, 3), date(2026, 2, 1)), (S.WITHDRAWN, date(2026, 2, 1), None)],
         "Erkenning voor Kok niveau 2 (BOL) ingetrokken per 1 februari 2026.", None),
        ([(S.LAPSED, date(2025, 2, 1), None)], "Erkenning voor Kok niveau 2 (BOL) vervallen per 1 februari 2025.", None),
        ([(S.REFUSED, date(2025, 2, 1), None)], "Aanvraag voor Kok niveau 2 (BOL) geweigerd per 1 februari 2025.", None),
        ([(S.PENDING, date(2026, 3, 30), None)], "Aanvraag voor Kok niveau 2 (BOL) in behandeling sinds 30 maart 2026.", None),
        ([(S.PENDING, date(2026, 5, 1), None)], "Nog geen erkenning voor Kok niveau 2 (BOL).", None),
    ],
)
def test_a_recognition_is_told_as_a_company_would_say_it(spans, sentence, next_change) -> None:
    standing = recognition_sentence(LABEL, periods(*spans), TODAY)
    assert (standing.sentence, standing.next_change) == (sentence, next_change)


def test_the_register_answer_as_a_sentence() -> None:
    subject = "Kok niveau 2 (BOL)"
    yes = verify_sentence("Bakkerij", subject, TODAY, TODAY, True, S.ACTIVE, date(2024, 3, 3), None)
    assert yes == "Ja. Bakkerij is vandaag erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024."
    past = verify_sentence("Bakkerij", subject, date(2026, 3, 31), TODAY, False, S.SUSPENDED, date(2026, 3, 1),
                           date(2026, 6, 1))
    assert past == ("Nee. De erkenning van Bakkerij voor Kok niveau 2 (BOL) was op 31 maart 2026 geschorst "
                    "sinds 1 maart 2026, tot 1 juni 2026.")
    none = verify_sentence("Bakkerij", subject, TODAY, TODAY, False, None, None, None)
    assert none == "Nee. Bakkerij had vandaag geen erkenning voor Kok niveau 2 (BOL)."
