"""The qualifications CSV: good lines kept, bad ones reported by number, unreadable files refused."""

import pytest

from erkenning.recognition.services.qualifications import CsvUnreadable, parse_qualifications_csv
from tests.factories import QUALIFICATIONS_GOOD_AND_BAD


def test_csv_parser_reports_bad_lines_by_number_and_keeps_the_good_ones() -> None:
    parsed = parse_qualifications_csv(QUALIFICATIONS_GOOD_AND_BAD)
    assert [(r.crebo, r.name, r.level, r.active) for r in parsed.rows] == [
        ("25180", "Kok", 2, True),
        ("25181", "Zelfstandig werkend kok", 3, True),
        ("25183", "Kok, leidinggevend", 4, False),
    ]
    assert [(e.line, e.reason.split(":")[0]) for e in parsed.errors] == [
        (3, "crebo"),
        (5, "level"),
        (7, "crebo 25180 already on line 2"),
        (9, "active"),
        (10, "more fields than the header has"),
    ]


def test_csv_parser_takes_semicolons_and_a_byte_order_mark() -> None:
    parsed = parse_qualifications_csv("\ufeffCrebo;Name;Level\n25180;Kok;2\n")
    assert [(r.crebo, r.active) for r in parsed.rows] == [("25180", True)]


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("crebo,naam\n25180,Kok\n", "name, level")])
def test_csv_without_the_needed_header_is_unreadable(text: str, message: str) -> None:
    with pytest.raises(CsvUnreadable, match=message):
        parse_qualifications_csv(text)
