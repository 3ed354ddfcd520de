"""The indicators' SQL: one aggregate statement per source, counting with FILTER, medians with percentile_cont.

What places a thing in a period (`period.start` ≤ moment < `period.end`, Amsterdam days; dates
inclusive):

* a report — the day SBB received it (`report.received_on`: staff enter it for a report that came by phone,
  e-mail, letter, an agency or a municipality, which may be entered days later);
* a triage outcome and its lead time — when the outcome was decided (`report.triaged_at`);
* an investigation opened — `opened_at`; closed (its outcome carried out: a suspension or withdrawal
  decision sent, an improvement agreement scheduled) — `closed_at`; open at the end — opened before
  the end and not closed before it;
* an objection filed — its filing date; upheld or rejected — when it was decided (`decided_at`);
  only objections against decisions that came from an investigation;
* a follow-up of an improvement agreement — when the worker checked it (the `follow_up_checked`
  event on the case's timeline);
* a course participation — its activity date (`training.models.activity_date`: completion date,
  else the session's day, else the enrolment date);
* a recognised company — one with a recognition that was `active` on at least one day of the period;
* a company reached on a topic — as a course participation, counting companies (attended or completed);
* an invitation — when it was made (`course_invitation.created_at`); "then enrolled": the company has a
  participation (not cancelled) in one of the offered courses made at or after the invitation and
  before the period's end.

Lead times are whole calendar days between the Amsterdam dates of the two moments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core.clock import AMSTERDAM
from erkenning.recognition.models import (
    Decision,
    Objection,
    ObjectionStatus,
    Recognition,
    RecognitionPeriod,
    RecognitionStatus,
)
from erkenning.reports.models import Channel, Ground, Report, ReportStatus
from erkenning.stagepact import catalogue as c
from erkenning.stagepact.catalogue import Key
from erkenning.stagepact.period import Period
from erkenning.training.models import (
    DONE_STATUSES,
    SEAT_STATUSES,
    Course,
    CourseFormat,
    CourseSession,
    Invitation,
    InvitationKind,
    Participation,
    ParticipationStatus,
    Topic,
    activity_date,
)
from erkenning.workflows.models import Deadline, DeadlineKind, Investigation, Outcome, TimelineEvent

Values = dict[Key, Any]

# How the report channels are grouped for the Stagepact (the four routes in).
CHANNEL_GROUPS: Mapping[str, tuple[Channel, ...]] = {
    "school_reporting_point": (Channel.SCHOOL_REPORTING_POINT,),
    # A municipality gives access to an anti-discrimination agency (Wga art. 2): one route in.
    "agency": (Channel.ANTI_DISCRIMINATION_AGENCY, Channel.MUNICIPALITY),
    "adviser_intake": (Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.CONTACT_FORM, Channel.OTHER),
    "anonymous": (Channel.PUBLIC_FORM,),
}
assert {ch for group in CHANNEL_GROUPS.values() for ch in group} == set(Channel), "every channel in one group"

MEASURES: Mapping[str, tuple[ParticipationStatus, ...]] = {
    "enrolled": SEAT_STATUSES,  # held a seat (or an e-learning enrolment): not waitlisted, not cancelled
    "completed": DONE_STATUSES,  # attended a session or completed (the certificate's status)
    "no_show": (ParticipationStatus.NO_SHOW,),
}


def within(column: Any, period: Period) -> sa.ColumnElement[bool]:
    """A timestamp on one of the period's Amsterdam days."""
    return sa.and_(column >= period.start, column < period.end)


def on_a_day_of(column: Any, period: Period) -> sa.ColumnElement[bool]:
    """A date that is one of the period's days."""
    return sa.and_(column >= period.first, column <= period.last)


def local_date(column: Any) -> Any:
    return sa.cast(sa.func.timezone(AMSTERDAM.key, column), sa.Date)


def _days(start: Any, end: Any) -> Any:
    return local_date(end) - local_date(start)


def _median(days: Any, where: Any = None) -> Any:
    agg = sa.func.percentile_cont(0.5).within_group(days)
    return agg.filter(where) if where is not None else agg


def _p90(days: Any, where: Any = None) -> Any:
    agg = sa.func.percentile_cont(0.9).within_group(days)
    return agg.filter(where) if where is not None else agg


def _count(where: Any = None) -> Any:
    return sa.func.count().filter(where) if where is not None else sa.func.count()


async def _row(session: AsyncSession, aggregates: dict[Key, Any], stmt: sa.Select[Any]) -> Values:
    """Run `stmt` with the aggregates as its columns; one row back, keyed like `aggregates`."""
    stmt = stmt.with_only_columns(*(expr.label(f"f{i}") for i, expr in enumerate(aggregates.values())))
    row = (await session.exec(stmt)).one()  # type: ignore[call-overload]  # a Core SELECT
    return {key: _plain(row[i]) for i, key in enumerate(aggregates)}


def _plain(value: Any) -> Any:
    return float(value) if value is not None and not isinstance(value, int) else value


async def reports(session: AsyncSession, period: Period) -> Values:
    """Reports received in the period: by channel group, ground and sector (of the matched company,
    `unmatched` while none is), and the distinct schools (BRIN without location digits) that passed one on."""
    aggregates: dict[Key, Any] = {c.RECEIVED: _count()}
    for group, channels in CHANNEL_GROUPS.items():
        aggregates[("reports", "by_channel", group)] = _count(col(Report.channel).in_(channels))
    for ground in Ground:
        aggregates[("reports", "by_ground", ground.value)] = _count(Report.ground == ground)
    for sector in c.REPORT_SECTORS:
        matched = col(Report.company_id).is_(None) if sector == c.UNMATCHED else Company.sector == sector
        aggregates[("reports", "by_sector", sector)] = _count(matched)
    aggregates[("reports", "schools", None)] = sa.func.count(sa.distinct(sa.func.left(Report.school_brin, 4)))
    stmt = (
        sa.select(sa.literal(1))
        .select_from(Report)
        .outerjoin(Company, col(Company.id) == Report.company_id)
        .where(on_a_day_of(Report.received_on, period))
    )
    return await _row(session, aggregates, stmt)


async def triage(session: AsyncSession, period: Period) -> Values:
    """Reports whose triage outcome was decided in the period, by outcome; received → triage in days."""
    days = local_date(Report.triaged_at) - col(Report.received_on)
    aggregates: dict[Key, Any] = {c.TRIAGED: _count()}
    for outcome in c.TRIAGE_OUTCOMES:
        aggregates[("triage", "outcome", outcome)] = _count(Report.status == ReportStatus(outcome))
    aggregates[("lead_times", "triage_days_median", None)] = _median(days)
    aggregates[("lead_times", "triage_days_p90", None)] = _p90(days)
    stmt = sa.select(sa.literal(1)).select_from(Report).where(within(Report.triaged_at, period))
    return await _row(session, aggregates, stmt)


async def investigations(session: AsyncSession, period: Period, *, lead_time_weeks: int) -> Values:
    """Investigations opened, closed and open at the end; outcomes of those closed; opened → closed in days.

    Decided within the norm: closed no later than the case's lead-time deadline, which moves by the
    time the case was on hold (`INVESTIGATION_LEAD_TIME_WEEKS` after opening where a case has none).
    """
    opened = within(Investigation.opened_at, period)
    closed = within(Investigation.closed_at, period)
    open_at_end = sa.or_(col(Investigation.closed_at).is_(None), col(Investigation.closed_at) >= period.end)
    days = _days(Investigation.opened_at, Investigation.closed_at)
    norm = sa.func.coalesce(
        Deadline.due_at, Investigation.opened_at + sa.literal(timedelta(weeks=lead_time_weeks), sa.Interval())
    )
    aggregates: dict[Key, Any] = {
        ("investigations", "opened", None): _count(opened),
        c.CLOSED: _count(closed),
        ("investigations", "open_at_end", None): _count(open_at_end),
    }
    for outcome in Outcome:
        outcome_key = ("investigations", "outcome", outcome.value)
        aggregates[outcome_key] = _count(sa.and_(closed, col(Investigation.outcome) == outcome))
    aggregates[("lead_times", "decision_days_median", None)] = _median(days, closed)
    aggregates[("lead_times", "decision_days_p90", None)] = _p90(days, closed)
    aggregates[c.WITHIN_NORM] = _count(sa.and_(closed, col(Investigation.closed_at) <= norm))
    stmt = (
        sa.select(sa.literal(1))
        .select_from(Investigation)
        .outerjoin(
            Deadline,
            sa.and_(col(Deadline.investigation_id) == Investigation.id, col(Deadline.kind) == DeadlineKind.LEAD_TIME),
        )
        .where(
            col(Investigation.opened_at) < period.end,
            sa.or_(col(Investigation.closed_at).is_(None), col(Investigation.closed_at) >= period.start),
        )
    )
    return await _row(session, aggregates, stmt)


async def objections(session: AsyncSession, period: Period) -> Values:
    """Objections against decisions that came from an investigation: filed, and decided upheld/rejected."""
    filed = col(Objection.filed_on).between(period.first, period.last)
    decided = within(Objection.decided_at, period)
    aggregates: dict[Key, Any] = {
        ("objections", "filed", None): _count(filed),
        ("objections", "upheld", None): _count(sa.and_(decided, col(Objection.status) == ObjectionStatus.UPHELD)),
        ("objections", "rejected", None): _count(sa.and_(decided, col(Objection.status) == ObjectionStatus.REJECTED)),
    }
    stmt = (
        sa.select(sa.literal(1))
        .select_from(Objection)
        .join(Decision, col(Decision.id) == Objection.decision_id)
        .where(col(Decision.investigation_id).is_not(None), sa.or_(filed, decided))
    )
    return await _row(session, aggregates, stmt)


async def follow_up(session: AsyncSession, period: Period) -> Values:
    """Improvement agreements whose follow-up was checked in the period; of those with recommended course
    topics, how many had completed them all (nothing `missing` at the check)."""
    def listed(field: str) -> Any:
        return sa.func.coalesce(sa.func.jsonb_array_length(TimelineEvent.data[field]), 0)

    with_courses = listed("completed") + listed("missing") > 0
    case = sa.distinct(col(TimelineEvent.investigation_id))
    aggregates: dict[Key, Any] = {
        c.CHECKED: sa.func.count(case),
        c.WITH_COURSES: sa.func.count(case).filter(with_courses),
        c.COURSES_DONE: sa.func.count(case).filter(sa.and_(with_courses, listed("missing") == 0)),
    }
    stmt = (
        sa.select(sa.literal(1))
        .select_from(TimelineEvent)
        .where(col(TimelineEvent.kind) == "follow_up_checked", within(TimelineEvent.at, period))
    )
    return await _row(session, aggregates, stmt)


def _participations(period: Period) -> sa.Select[Any]:
    day = activity_date()
    return (
        sa.select(sa.literal(1))
        .select_from(Participation)
        .join(Course, col(Course.id) == Participation.course_id)
        .outerjoin(CourseSession, col(CourseSession.id) == Participation.session_id)
        .where(day >= period.first, day <= period.last)
    )


async def training(session: AsyncSession, period: Period) -> Values:
    """Participations dated in the period by format and by topic (a course with two topics counts under
    both): enrolled, completed (attended or completed) and no-shows; distinct companies that completed one."""
    aggregates: dict[Key, Any] = {}
    for measure, statuses in MEASURES.items():
        status = col(Participation.status).in_(statuses)
        for fmt in CourseFormat:
            aggregates[("training_by_format", measure, fmt.value)] = _count(sa.and_(status, col(Course.format) == fmt))
        aggregates[("training_by_format", measure, c.TOTAL)] = _count(status)
        for topic in Topic:
            aggregates[("training_by_topic", measure, topic.value)] = _count(
                sa.and_(status, col(Course.topics).contains([topic.value]))
            )
    done = col(Participation.status).in_(DONE_STATUSES)
    companies = sa.func.count(sa.distinct(col(Participation.company_id)))
    aggregates[("course_reach", "companies_took_part", None)] = companies.filter(done)
    for topic in Topic:
        aggregates[("reach_by_topic", "companies", topic.value)] = companies.filter(
            sa.and_(done, col(Course.topics).contains([topic.value]))
        )
    return await _row(session, aggregates, _participations(period))


async def course_reach(session: AsyncSession, period: Period) -> Values:
    """Recognised companies, and companies with a report received in the period, and how many of each
    completed (attended or completed) a discrimination-related course dated in the period."""
    recognised = (
        sa.select(col(Recognition.company_id))
        .join(RecognitionPeriod, col(RecognitionPeriod.recognition_id) == Recognition.id)
        .where(
            col(RecognitionPeriod.status) == RecognitionStatus.ACTIVE,
            col(RecognitionPeriod.during).op("&&")(sa.func.daterange(period.first, period.last, "[]")),
        )
        .distinct()
        .cte("recognised")
    )
    reported = (
        sa.select(col(Report.company_id))
        .where(col(Report.company_id).is_not(None), on_a_day_of(Report.received_on, period))
        .distinct()
        .cte("reported")
    )
    topics = [t.value for t in c.DISCRIMINATION_TOPICS]
    trained = (
        _participations(period)
        .with_only_columns(col(Participation.company_id))
        .where(
            col(Participation.status).in_(DONE_STATUSES),
            col(Course.topics).overlap(topics),  # type: ignore[attr-defined]  # ARRAY comparator
        )
        .distinct()
        .cte("trained")
    )

    def how_many(cte: Any, *, trained_only: bool = False) -> Any:
        stmt = sa.select(sa.func.count()).select_from(cte)
        if trained_only:
            stmt = stmt.where(cte.c.company_id.in_(sa.select(trained.c.company_id)))
        return stmt.scalar_subquery()

    aggregates: dict[Key, Any] = {
        c.RECOGNISED: how_many(recognised),
        c.RECOGNISED_DONE: how_many(recognised, trained_only=True),
        c.REPORTED: how_many(reported),
        c.REPORTED_DONE: how_many(reported, trained_only=True),
    }
    return await _row(session, aggregates, sa.select(sa.literal(1)))


async def invitations(session: AsyncSession, period: Period) -> Values:
    """Companies invited in the period, by kind, and how many of them then enrolled in a course offered."""
    then_enrolled = sa.exists(
        sa.select(sa.literal(1))
        .select_from(Participation)
        .where(
            col(Participation.company_id) == col(Invitation.company_id),
            col(Participation.course_id) == sa.any_(col(Invitation.course_ids)),
            col(Participation.status) != ParticipationStatus.CANCELLED,
            col(Participation.created_at) >= col(Invitation.created_at),
            col(Participation.created_at) < period.end,
        )
    )
    companies = sa.func.count(sa.distinct(col(Invitation.company_id)))
    aggregates: dict[Key, Any] = {}
    for kind in InvitationKind:
        of_kind = col(Invitation.kind) == kind
        aggregates[("invitations", "invited", kind.value)] = companies.filter(of_kind)
        aggregates[("invitations", "enrolled", kind.value)] = companies.filter(sa.and_(of_kind, then_enrolled))
    stmt = sa.select(sa.literal(1)).select_from(Invitation).where(within(Invitation.created_at, period))
    return await _row(session, aggregates, stmt)


async def snapshot(session: AsyncSession, period: Period, *, lead_time_weeks: int) -> Values:
    """Every count, lead time and percentage of the catalogue for one period (exact numbers)."""
    values: Values = {}
    values.update(await reports(session, period))
    values.update(await triage(session, period))
    values.update(await investigations(session, period, lead_time_weeks=lead_time_weeks))
    values.update(await objections(session, period))
    values.update(await follow_up(session, period))
    values.update(await training(session, period))
    values.update(await course_reach(session, period))
    values.update(await invitations(session, period))
    for spec in c.SPECS:
        if spec.of is not None:
            numerator, denominator = values[spec.of[0]], values[spec.of[1]]
            values[spec.key] = round(100.0 * numerator / denominator, 1) if denominator else None
    missing = set(c.BY_KEY) - set(values)
    assert not missing, f"no query computes {sorted(missing, key=str)}"
    return values
