"""Dutch words for every code the staff pages show, the recognition timeline's geometry, and form choices."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from erkenning import vocabulary
from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.recognition.schemas import PeriodRead, RecognitionDetail
from erkenning.web.forms import Field, Form
from erkenning.web.timeline import chart

WORKFLOWS = Path(__file__).resolve().parents[2] / "src" / "erkenning" / "workflows"


def test_every_code_has_a_dutch_word() -> None:
    for enum in (*vocabulary.BADGES, *vocabulary.WORDS):
        table = vocabulary.BADGES.get(enum) or vocabulary.WORDS[enum]
        assert set(table) == set(enum), enum
        for member in enum:
            assert vocabulary.term(member) and vocabulary.capital(member)[0].isupper(), member


def test_the_outside_pages_and_the_monitoring_use_the_same_words_as_the_back_office() -> None:
    from erkenning.reports.models import Ground
    from erkenning.stagepact import catalogue
    from erkenning.training.models import CourseFormat, Topic
    from erkenning.web.pages.report_fields import FACT_FIELDS

    grounds = dict(next(f for f in FACT_FIELDS if f.name == "ground").options)
    assert grounds == {g.value: vocabulary.capital(g) for g in Ground} and grounds["ethnicity"] == "Afkomst of huidskleur"
    assert catalogue.GROUNDS[Ground.ETHNICITY] == "Afkomst of huidskleur"
    assert catalogue.FORMATS[CourseFormat.E_LEARNING] == "E-learning" == vocabulary.capital(CourseFormat.E_LEARNING)
    assert catalogue.TOPICS[Topic.ADOLESCENT_BRAIN] == "Het puberbrein"
    assert vocabulary.PATHWAY_OPTIONS[0] == ("bol", "BOL (beroepsopleidende leerweg)")


def test_every_step_the_workflow_writes_on_a_timeline_has_a_dutch_line() -> None:
    written = set()
    for path in WORKFLOWS.rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'_event\(\s*case,\s*\w+,\s*"([a-z_]+)"', text))
        written |= set(re.findall(r'timeline_note\(\s*[\w.]+,\s*[\w.]+,\s*"([a-z_]+)"', text))
    assert {"opened", "hearing_requested", "closed", "reminder_sent"} <= written
    assert written - set(vocabulary.TIMELINE) == set()


def _recognition(*periods: tuple[date, date | None, RecognitionStatus]) -> RecognitionDetail:
    return RecognitionDetail(
        id=uuid4(), company_id=uuid4(), qualification_id=uuid4(), crebo="25180", qualification_name="Kok", level=2,
        pathway=Pathway.BOL, status=periods[-1][2], granted_on=None, reassessment_due=None, decision_ids=[],
        periods=[PeriodRead(status=s, valid_from=a, valid_until=b, decision_id=None) for a, b, s in periods],
    )


def test_the_timeline_runs_from_january_before_the_first_period_to_january_after_today() -> None:
    drawn = chart([_recognition((date(2022, 7, 1), date(2024, 1, 1), RecognitionStatus.ACTIVE),
                                (date(2024, 1, 1), None, RecognitionStatus.SUSPENDED))], today=date(2025, 7, 2))
    assert drawn is not None
    assert (drawn.start, drawn.end) == (date(2022, 1, 1), date(2026, 1, 1))
    first, second = drawn.rows[0].bars
    assert first.x == pytest.approx(100 * 181 / 1461, abs=0.01)  # 1 July 2022 on a four-year axis
    assert second.x == pytest.approx(100 * 730 / 1461, abs=0.01) and second.x + second.width == pytest.approx(100, abs=0.01)
    assert second.open_ended and not first.open_ended
    assert drawn.today_x == pytest.approx(100 * 1278 / 1461, abs=0.01)
    assert [t.label for t in drawn.ticks] == ["2022", "2023", "2024", "2025", "2026"]
    assert [t.anchor for t in drawn.ticks] == ["start", "middle", "middle", "middle", "end"]
    assert drawn.statuses == [RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED]


def test_a_short_period_stays_visible_and_nothing_is_drawn_without_periods() -> None:
    drawn = chart([_recognition((date(2000, 1, 1), date(2000, 1, 2), RecognitionStatus.PENDING),
                                (date(2000, 1, 2), None, RecognitionStatus.ACTIVE))], today=date(2025, 1, 1))
    assert drawn is not None and drawn.rows[0].bars[0].width >= 0.6
    assert len(drawn.ticks) <= 10  # 27 years: not every year gets a label
    assert chart([], today=date(2025, 1, 1)) is None


def test_form_choices_keep_what_was_ticked() -> None:
    fields = (
        Field("topics", "Onderwerpen", kind="checkboxes", options=(("a", "A"), ("b", "B"))),
        Field("active", "Actief", kind="checkbox", required=False),
        Field("name", "Naam"),
    )
    form = Form(fields, {"topics": ["a", "b"], "active": "ja", "name": ["eerst", "laatst"]})
    assert form.chosen("topics") == ["a", "b"]
    assert form.payload() == {"topics": ["a", "b"], "active": True, "name": "laatst"}
    single = Form(fields, {"topics": "b"})
    assert single.payload()["topics"] == ["b"] and single.payload()["active"] is False
    assert Field("reason", "Reden", form_id="pauzeren").id == "veld-pauzeren-reason"


def test_the_stylesheet_closes_every_block() -> None:
    """An unclosed `@media print {` once hid every later rule from the screen."""
    css = (Path(__file__).resolve().parents[2] / "src/erkenning/web/static/erkenning.css").read_text()
    depth = 0
    for line_no, line in enumerate(re.sub(r"/\*.*?\*/", "", css, flags=re.S).splitlines(), 1):
        if line[:1] not in ("", " ", "}"):  # a rule or at-rule written at the left margin is top level
            assert depth == 0, f"line {line_no} is inside a block left open: {line}"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, line_no
    assert depth == 0
