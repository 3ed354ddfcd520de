"""A seeded world for the indicators, written straight into the tables, and the truth kept beside it.

Every row the seeder writes is also entered in a `Ledger` as plain facts (this happened on that
Dutch day, in this category). `Ledger.expected(period)` counts those facts in Python, independently
of the SQL under test, and gives the figures the indicators must show.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.dialects.postgresql import Range

from erkenning.companies.models import Company, Sector
from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionStatus,
    FiledVia,
    Objection,
    ObjectionStatus,
    Pathway,
    Qualification,
    Recognition,
    RecognitionPeriod,
    RecognitionStatus,
)
from erkenning.reports.models import Channel, Ground, ReferralBody, Report, ReportStatus
from erkenning.stagepact import catalogue as c
from erkenning.stagepact.catalogue import Key
from erkenning.stagepact.period import Period
from erkenning.stagepact.queries import CHANNEL_GROUPS, MEASURES
from erkenning.training.models import (
    Course,
    CourseFormat,
    CourseSession,
    Invitation,
    InvitationKind,
    Participation,
    ParticipationStatus,
    Topic,
)
from erkenning.workflows.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Investigation,
    InvestigationStatus,
    Outcome,
    TimelineEvent,
)

LEAD_TIME_WEEKS = 8
_numbers = itertools.count(1)


def day_of(moment: datetime) -> date:
    return clock.local(moment).date()


def amsterdam(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=clock.AMSTERDAM)


def percentile(values: list[int], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _group_of(channel: Channel) -> str:
    return next(group for group, channels in CHANNEL_GROUPS.items() if channel in channels)


@dataclass
class Ledger:
    """What happened on which Dutch day, as the test sees it."""

    counts: list[tuple[Key, date]] = field(default_factory=list)
    durations: list[tuple[str, date, int]] = field(default_factory=list)
    schools: list[tuple[str, date]] = field(default_factory=list)
    cases: list[tuple[date, date | None]] = field(default_factory=list)  # opened day, closed day
    follow_ups: list[tuple[UUID, date, bool, bool]] = field(default_factory=list)
    took_part: list[tuple[UUID, date]] = field(default_factory=list)
    trained: list[tuple[UUID, date]] = field(default_factory=list)
    reported: list[tuple[UUID, date]] = field(default_factory=list)
    recognised: list[tuple[UUID, date, date | None]] = field(default_factory=list)  # [from, until)
    reached: list[tuple[UUID, str, date]] = field(default_factory=list)  # company took part in a course on a topic
    invited: list[tuple[UUID, str, datetime, list[UUID]]] = field(default_factory=list)  # company, kind, when, courses
    enrolments: list[tuple[UUID, UUID, datetime]] = field(default_factory=list)  # company, course, made (not cancelled)

    def count(self, key: Key, day: date) -> None:
        self.counts.append((key, day))

    def expected(self, period: Period) -> dict[Key, Any]:
        def inside(day: date) -> bool:
            return period.first <= day <= period.last

        values: dict[Key, Any] = {spec.key: 0 for spec in c.SPECS if spec.unit is c.Unit.COUNT}
        for key, day in self.counts:
            if inside(day):
                values[key] += 1
        values[("reports", "schools", None)] = len({brin[:4] for brin, day in self.schools if inside(day)})
        values[("investigations", "open_at_end", None)] = sum(
            1 for opened, closed in self.cases if opened <= period.last and (closed is None or closed > period.last)
        )
        for name, kind in (("triage", "triage"), ("decision", "decision")):
            days = [n for k, day, n in self.durations if k == kind and inside(day)]
            values[("lead_times", f"{name}_days_median", None)] = percentile(days, 0.5)
            values[("lead_times", f"{name}_days_p90", None)] = percentile(days, 0.9)
        checks = [(case, courses, done) for case, day, courses, done in self.follow_ups if inside(day)]
        values[c.CHECKED] = len({case for case, _, _ in checks})
        values[c.WITH_COURSES] = len({case for case, courses, _ in checks if courses})
        values[c.COURSES_DONE] = len({case for case, courses, done in checks if courses and done})
        values[("course_reach", "companies_took_part", None)] = len({co for co, day in self.took_part if inside(day)})
        recognised = {
            co for co, start, until in self.recognised if start <= period.last and (until is None or until > period.first)
        }
        reported = {co for co, day in self.reported if inside(day)}
        trained = {co for co, day in self.trained if inside(day)}
        values[c.RECOGNISED], values[c.RECOGNISED_DONE] = len(recognised), len(recognised & trained)
        values[c.REPORTED], values[c.REPORTED_DONE] = len(reported), len(reported & trained)
        for topic in Topic:
            values[("reach_by_topic", "companies", topic.value)] = len(
                {co for co, t, day in self.reached if t == topic.value and inside(day)}
            )
        for kind in InvitationKind:
            asked = [(co, at, courses) for co, k, at, courses in self.invited if k == kind.value and inside(day_of(at))]
            values[("invitations", "invited", kind.value)] = len({co for co, _, _ in asked})
            values[("invitations", "enrolled", kind.value)] = len({
                co for co, at, courses in asked
                if any(e_co == co and course in courses and at <= made < period.end
                       for e_co, course, made in self.enrolments)
            })
        for spec in c.SPECS:
            if spec.of is not None:
                numerator, denominator = values[spec.of[0]], values[spec.of[1]]
                values[spec.key] = round(100.0 * numerator / denominator, 1) if denominator else None
        return values


@dataclass
class Seeder:
    """Writes rows with chosen moments, and notes each fact in the ledger."""

    runtime: Runtime
    principal_id: UUID
    rows: list[Any] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    companies: list[Company] = field(default_factory=list)
    _open_companies: set[UUID] = field(default_factory=set)

    def company(self, sector: Sector) -> Company:
        n = next(_numbers)
        company = Company(
            kvk_number=f"{70000000 + n:08d}", establishment_number=f"{800000000000 + n:012d}", name=f"Bedrijf {n}",
            postcode="3511 AB", city="Utrecht", sector=sector,
        )
        self.rows.append(company)
        self.companies.append(company)
        return company

    def report(
        self, received: datetime, *, channel: Channel = Channel.PHONE, ground: Ground = Ground.ETHNICITY,
        company: Company | None = None, brin: str | None = None, outcome: ReportStatus | None = None,
        triaged: datetime | None = None,
    ) -> Report:
        status = outcome or ReportStatus.RECEIVED
        if channel is Channel.SCHOOL_REPORTING_POINT and brin is None:
            brin = "25LX"
        report = Report(
            channel=channel, school_brin=brin if channel is Channel.SCHOOL_REPORTING_POINT else None,
            company_id=company.id if company else None, company_name_given=None if company else "Onbekend BV",
            ground=ground, incident_date=day_of(received) - timedelta(days=3), summary="Samenvatting",
            status=status, triaged_at=triaged if outcome else None, created_at=received, updated_at=received,
            received_on=day_of(received),
            referred_to=ReferralBody.POLICE if status is ReportStatus.REFERRED else None,
        )
        self.rows.append(report)
        day = day_of(received)
        self.ledger.count(c.RECEIVED, day)
        self.ledger.count(("reports", "by_channel", _group_of(channel)), day)
        self.ledger.count(("reports", "by_ground", ground.value), day)
        self.ledger.count(("reports", "by_sector", company.sector.value if company else c.UNMATCHED), day)
        if report.school_brin:
            self.ledger.schools.append((report.school_brin, day))
        if company:
            self.ledger.reported.append((company.id, day))
        if outcome is not None:
            assert triaged is not None
            self.ledger.count(c.TRIAGED, day_of(triaged))
            self.ledger.count(("triage", "outcome", outcome.value), day_of(triaged))
            self.ledger.durations.append(("triage", day_of(triaged), (day_of(triaged) - day).days))
        return report

    def investigation(
        self, company: Company, opened: datetime, *, closed: datetime | None = None, outcome: Outcome | None = None,
        due: datetime | None = None, deadline: bool = True,
    ) -> Investigation:
        if closed is None:
            assert company.id not in self._open_companies, "one open case per company"
            self._open_companies.add(company.id)
        case = Investigation(
            company_id=company.id, opened_at=opened, closed_at=closed,
            status=InvestigationStatus.CLOSED if closed else InvestigationStatus.ASSESSMENT,
            outcome=outcome if closed else None,
        )
        self.rows.append(case)
        due = due or opened + timedelta(weeks=LEAD_TIME_WEEKS)
        if deadline:
            self.rows.append(Deadline(
                investigation_id=case.id, kind=DeadlineKind.LEAD_TIME, due_at=due,
                status=DeadlineStatus.MET if closed else DeadlineStatus.OPEN, closed_at=closed,
            ))
        self.ledger.count(("investigations", "opened", None), day_of(opened))
        self.ledger.cases.append((day_of(opened), day_of(closed) if closed else None))
        if closed is not None:
            assert outcome is not None
            day = day_of(closed)
            self.ledger.count(c.CLOSED, day)
            self.ledger.count(("investigations", "outcome", outcome.value), day)
            self.ledger.durations.append(("decision", day, (day - day_of(opened)).days))
            if closed <= (due if deadline else opened + timedelta(weeks=LEAD_TIME_WEEKS)):
                self.ledger.count(c.WITHIN_NORM, day)
        return case

    def objection(
        self, company: Company, filed_on: date, *, status: ObjectionStatus = ObjectionStatus.PENDING,
        decided: datetime | None = None, from_investigation: bool = True,
    ) -> Objection:
        decision = Decision(
            company_id=company.id, kind=DecisionKind.SUSPEND, status=DecisionStatus.SENT, grounds="Gronden",
            legal_basis="art. 7.2.10 WEB", effective_from=filed_on - timedelta(days=20), drafted_by=self.principal_id,
            investigation_id=uuid4() if from_investigation else None,
        )
        objection = Objection(
            decision_id=decision.id, company_id=company.id, status=status, grounds="Bezwaar", filed_on=filed_on,
            filed_via=FiledVia.PORTAL, filed_by=self.principal_id, decided_at=decided,
        )
        self.rows += [decision, objection]
        if from_investigation:
            self.ledger.count(("objections", "filed", None), filed_on)
            if status in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
                assert decided is not None
                self.ledger.count(("objections", status.value, None), day_of(decided))
        return objection

    def follow_up(self, case: Investigation, at: datetime, *, completed: list[str], missing: list[str]) -> None:
        self.rows.append(TimelineEvent(
            investigation_id=case.id, at=at, kind="follow_up_checked", actor_role="system",
            data={"completed": completed, "missing": missing},
        ))
        courses = bool(completed or missing)
        self.ledger.follow_ups.append((case.id, day_of(at), courses, courses and not missing))

    def course(self, fmt: CourseFormat, *topics: Topic) -> Course:
        n = next(_numbers)
        course = Course(code=f"C-{n}", title=f"Cursus {n}", format=fmt, topics=[t.value for t in topics], duration_minutes=60)
        self.rows.append(course)
        return course

    def session(self, course: Course, starts: datetime) -> CourseSession:
        row = CourseSession(
            course_id=course.id, starts_at=starts, ends_at=starts + timedelta(hours=2), location="Utrecht",
            capacity=50, enrolment_closes_at=starts - timedelta(days=1),
        )
        self.rows.append(row)
        return row

    def participation(
        self, course: Course, company: Company, status: ParticipationStatus, *, enrolled: datetime,
        session: CourseSession | None = None, completed_on: date | None = None,
    ) -> Participation:
        done = status is ParticipationStatus.COMPLETED
        completed_on = completed_on if done else None
        row = Participation(
            course_id=course.id, session_id=session.id if session else None, company_id=company.id, status=status,
            completed_on=completed_on, certificate_code=f"CERT-{next(_numbers)}" if done else None,
            created_at=enrolled, updated_at=enrolled,
        )
        self.rows.append(row)
        day = completed_on or (day_of(session.starts_at) if session else day_of(enrolled))
        for measure, statuses in MEASURES.items():
            if status in statuses:
                self.ledger.count(("training_by_format", measure, course.format.value), day)
                self.ledger.count(("training_by_format", measure, c.TOTAL), day)
                for topic in course.topics:
                    self.ledger.count(("training_by_topic", measure, topic), day)
        if status is not ParticipationStatus.CANCELLED:
            self.ledger.enrolments.append((company.id, course.id, enrolled))
        if status in MEASURES["completed"]:
            self.ledger.took_part.append((company.id, day))
            self.ledger.reached += [(company.id, topic, day) for topic in course.topics]
            if set(course.topics) & {t.value for t in c.DISCRIMINATION_TOPICS}:
                self.ledger.trained.append((company.id, day))
        return row

    def invitation(self, company: Company, kind: InvitationKind, at: datetime, courses: list[Course]) -> Invitation:
        row = Invitation(
            company_id=company.id, kind=kind, course_ids=[course.id for course in courses], created_at=at,
            updated_at=at, investigation_id=uuid4() if kind is InvitationKind.IMPROVEMENT_AGREEMENT else None,
        )
        self.rows.append(row)
        self.ledger.invited.append((company.id, kind.value, at, [course.id for course in courses]))
        return row

    def recognition(self, company: Company, qualification: Qualification, start: date, until: date | None,
                    status: RecognitionStatus = RecognitionStatus.ACTIVE) -> None:
        recognition = Recognition(company_id=company.id, qualification_id=qualification.id, pathway=Pathway.BOL, status=status)
        self.rows += [recognition, RecognitionPeriod(recognition_id=recognition.id, status=status, during=Range(start, until, bounds="[)"))]
        if status is RecognitionStatus.ACTIVE:
            self.ledger.recognised.append((company.id, start, until))

    def qualification(self) -> Qualification:
        row = Qualification(crebo=f"{next(_numbers) % 100000:05d}", name="Kok", level=2)
        self.rows.append(row)
        return row

    async def save(self) -> None:
        async with self.runtime.transaction() as session:
            session.add_all([r for r in self.rows if isinstance(r, Company | Qualification | Course)])
            await session.flush()
            later = [r for r in self.rows if not isinstance(r, Company | Qualification | Course)]
            for batch in _by_dependency(later):
                session.add_all(batch)
                await session.flush()
        self.rows.clear()


def _by_dependency(rows: list[Any]) -> list[list[Any]]:
    """Parents before children (the unit of work orders inserts, but not across unrelated mappers)."""
    order = (
        (Report, Investigation, Decision, CourseSession, Recognition, Invitation),
        (Deadline, Objection, TimelineEvent, Participation, RecognitionPeriod),
    )
    return [[r for r in rows if isinstance(r, kinds)] for kinds in order]


def moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


async def seed_world(runtime: Runtime, principal_id: UUID, *, seed: int = 2025) -> Seeder:
    """Two and a bit years of everything, at random moments (fixed seed), 2024 and 2025 mostly."""
    rng = random.Random(seed)
    s = Seeder(runtime, principal_id)
    start, end = datetime(2023, 12, 20, tzinfo=UTC), datetime(2026, 1, 10, tzinfo=UTC)
    companies = [s.company(sector) for sector in Sector] + [s.company(Sector.HANDEL) for _ in range(6)]
    brins = ["25LX", "25LX01", "30AB", "12CD", "99ZZ", "41KM"]
    outcomes = [None, ReportStatus.SUBSTANTIATED, ReportStatus.NOT_SUBSTANTIATED, ReportStatus.REFERRED]
    for _ in range(90):
        received = moment(rng, start, end)
        channel = rng.choice(list(Channel))
        company = rng.choice([*companies, None])
        outcome = rng.choice(outcomes)
        if outcome is ReportStatus.SUBSTANTIATED and company is None:
            company = companies[0]
        s.report(
            received, channel=channel, ground=rng.choice(list(Ground)), company=company,
            brin=rng.choice(brins), outcome=outcome, triaged=received + timedelta(hours=rng.randrange(1, 900)),
        )
    cases = []
    for i in range(24):
        opened = moment(rng, start, end)
        company = companies[i % len(companies)]
        still_open = i % 6 == 0 and company.id not in s._open_companies
        closed = None if still_open else opened + timedelta(days=rng.randrange(3, 120), hours=rng.randrange(0, 24))
        hold = timedelta(days=rng.choice([0, 0, 14]))
        cases.append(s.investigation(
            company, opened, closed=closed, outcome=None if still_open else rng.choice(list(Outcome)),
            due=opened + timedelta(weeks=LEAD_TIME_WEEKS) + hold, deadline=i % 5 != 0,
        ))
    for i in range(16):
        filed = moment(rng, start, end)
        status = rng.choice(list(ObjectionStatus))
        decided = filed + timedelta(days=rng.randrange(1, 60)) if status in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED) else None
        s.objection(rng.choice(companies), day_of(filed), status=status, decided=decided, from_investigation=i % 4 != 0)
    topics = [t.value for t in Topic]
    for case in cases[:12]:
        recommended = rng.sample(topics, rng.randrange(0, 3))
        done = [t for t in recommended if rng.random() < 0.6]
        s.follow_up(case, moment(rng, start, end), completed=done, missing=[t for t in recommended if t not in done])
    courses = [
        s.course(CourseFormat.WORKSHOP, Topic.DISCRIMINATION_FREE_RECRUITMENT),
        s.course(CourseFormat.WEBINAR, Topic.EQUAL_OPPORTUNITIES, Topic.WORKPLACE_TRAINER),
        s.course(CourseFormat.E_LEARNING, Topic.SOCIAL_SAFETY),
        s.course(CourseFormat.WORKSHOP, Topic.ADOLESCENT_BRAIN),
    ]
    sessions = {course.id: [s.session(course, moment(rng, start, end)) for _ in range(6)]
                for course in courses if course.format is not CourseFormat.E_LEARNING}
    used: set[tuple[UUID, UUID]] = set()
    for _ in range(70):
        course, company = rng.choice(courses), rng.choice(companies)
        status = rng.choice(list(ParticipationStatus))
        enrolled = moment(rng, start, end)
        session = rng.choice(sessions[course.id]) if course.id in sessions else None
        slot = (session.id if session else course.id, company.id)
        if slot in used:
            continue
        used.add(slot)
        completed_on = day_of(enrolled) + timedelta(days=rng.randrange(0, 30))
        s.participation(course, company, status, enrolled=enrolled, session=session, completed_on=completed_on)
    for company in companies[:10]:  # welcomed (once each), some of them before they took part in a course
        s.invitation(company, InvitationKind.NEW_COMPANY, moment(rng, start, end), rng.sample(courses, 2))
    for _ in range(8):
        s.invitation(rng.choice(companies), InvitationKind.IMPROVEMENT_AGREEMENT, moment(rng, start, end),
                     rng.sample(courses, rng.randrange(1, 3)))
    edges(s, courses)
    qualification = s.qualification()
    for i, company in enumerate(companies):
        begin = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1300))
        until = rng.choice([None, begin + timedelta(days=rng.randrange(30, 700))])
        s.recognition(company, qualification, begin, until, RecognitionStatus.ACTIVE if i % 7 else RecognitionStatus.SUSPENDED)
    await s.save()
    return s


# The first and last moments of Dutch days where periods meet: the year, a quarter, the school year.
EDGES = [
    amsterdam(2024, 12, 31, 23, 59, 59), amsterdam(2025, 1, 1, 0, 0, 0),
    amsterdam(2025, 3, 31, 23, 59, 59), amsterdam(2025, 4, 1, 0, 0, 0),
    amsterdam(2025, 7, 31, 23, 59, 59), amsterdam(2025, 8, 1, 0, 0, 0),
    amsterdam(2025, 12, 31, 23, 59, 59), amsterdam(2026, 1, 1, 0, 0, 0),
]


def edges(s: Seeder, courses: list[Course]) -> None:
    """One of everything on each edge moment (in UTC these fall on the day before, or the same day)."""
    workshop, _, e_learning, _ = courses
    for i, at in enumerate(EDGES):
        company = s.company(Sector.ZORG_WELZIJN_SPORT)
        s.report(at, channel=Channel.SCHOOL_REPORTING_POINT, brin=f"{50 + i}EE", company=company,
                 outcome=ReportStatus.NOT_SUBSTANTIATED, triaged=at)
        s.report(at - timedelta(days=2), outcome=ReportStatus.REFERRED, triaged=at)
        s.investigation(company, at - timedelta(days=30), closed=at, outcome=Outcome.UNFOUNDED,
                        due=at if i % 2 else at - timedelta(seconds=1))
        s.investigation(company, at, closed=at + timedelta(days=1), outcome=Outcome.WITHDRAWAL)
        s.objection(company, day_of(at), status=ObjectionStatus.UPHELD, decided=at)
        case = s.investigation(company, at - timedelta(days=90), closed=at - timedelta(days=60),
                               outcome=Outcome.IMPROVEMENT_AGREEMENT)
        s.follow_up(case, at, completed=[Topic.EQUAL_OPPORTUNITIES.value], missing=[])
        session = s.session(workshop, at)
        s.participation(workshop, company, ParticipationStatus.ATTENDED, enrolled=at - timedelta(days=40), session=session)
        s.participation(e_learning, company, ParticipationStatus.COMPLETED, enrolled=at - timedelta(days=3),
                        completed_on=day_of(at))
        s.participation(e_learning, s.company(Sector.HANDEL), ParticipationStatus.ENROLLED, enrolled=at)


async def small_year(seeder: Seeder) -> None:
    """2025: 20 reports by phone about ethnicity (not substantiated) and 3 from an agency about religion
    (referred); 2024: 6 by phone."""
    for i in range(20):
        at = amsterdam(2025, 2, 1 + i)
        seeder.report(at, ground=Ground.ETHNICITY, outcome=ReportStatus.NOT_SUBSTANTIATED, triaged=at + timedelta(days=2))
    for i in range(3):
        at = amsterdam(2025, 6, 1 + i)
        seeder.report(at, channel=Channel.ANTI_DISCRIMINATION_AGENCY, ground=Ground.RELIGION,
                      outcome=ReportStatus.REFERRED, triaged=at + timedelta(days=1))
    for i in range(6):
        seeder.report(amsterdam(2024, 5, 1 + i))
    await seeder.save()
