"""Demo courses for `erkenning dev`: a workshop with one seat left, an e-learning the demo company did."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID, uuid5

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company, Sector
from erkenning.core import clock
from erkenning.training.models import (
    Course,
    CourseFormat,
    CourseSession,
    Participation,
    ParticipationStatus,
    Topic,
)
from erkenning.training.services.participations import new_certificate_code

_NS = UUID("0c3f2f4e-8f0c-4a5e-b0b5-3d1c7c0e7a11")
WORKSHOP_ID = uuid5(_NS, "course:ws-werving")
E_LEARNING_ID = uuid5(_NS, "course:el-gelijke-kansen")
SESSION_ID = uuid5(_NS, "session:ws-werving:1")

_COMPANIES = (
    (
        "Autobedrijf Van Dijk",
        "23456789",
        "000023456789",
        "2511 BE",
        "Den Haag",
        Sector.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM,
    ),
    ("Zorgcentrum De Linde", "34567890", "000034567890", "8011 AA", "Zwolle", Sector.ZORG_WELZIJN_SPORT),
)


async def ensure(session: AsyncSession, demo_company_id: UUID) -> None:
    """Idempotent: the set is loaded once (keyed on the workshop's id) and never changed afterwards."""
    if await session.get(Course, WORKSHOP_ID) is not None:
        return
    session.add_all(
        [
            Course(
                id=WORKSHOP_ID,
                code="WS-WERVING",
                title="Werven en selecteren zonder discriminatie",
                description=(
                    "Hoe selecteert u stagiairs op wat ze kunnen? Objectieve criteria, gestructureerde "
                    "gesprekken en de valkuilen van onbewuste vooroordelen."
                ),
                format=CourseFormat.WORKSHOP,
                topics=[Topic.DISCRIMINATION_FREE_RECRUITMENT.value, Topic.EQUAL_OPPORTUNITIES.value],
                duration_minutes=180,
            ),
            Course(
                id=E_LEARNING_ID,
                code="EL-GELIJKE-KANSEN",
                title="Gelijke kansen voor elke stagiair",
                description=(
                    "E-learning voor praktijkopleiders: wat is stagediscriminatie en wat doet u ertegen?"
                ),
                format=CourseFormat.E_LEARNING,
                topics=[Topic.EQUAL_OPPORTUNITIES.value, Topic.WORKPLACE_TRAINER.value],
                duration_minutes=45,
                online_url="https://leren.example.nl/gelijke-kansen",  # a made-up address of the learning platform
            ),
        ]
    )
    day = clock.today() + timedelta(days=21)
    starts = datetime.combine(day, time(9, 30), tzinfo=clock.AMSTERDAM)
    session.add(
        CourseSession(
            id=SESSION_ID,
            course_id=WORKSHOP_ID,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            location="SBB, Louis Braillelaan 80, Zoetermeer",
            capacity=3,
            enrolment_closes_at=starts - timedelta(days=2),
        )
    )
    await session.flush()
    for name, kvk, establishment, postcode, city, sector in _COMPANIES:
        company_id = uuid5(_NS, f"company:{kvk}")
        if await session.get(Company, company_id) is None:
            session.add(
                Company(
                    id=company_id,
                    kvk_number=kvk,
                    establishment_number=establishment,
                    name=name,
                    postcode=postcode,
                    city=city,
                    sector=sector,
                )
            )
            await session.flush()
        # Two of three seats taken: the demo company can take the last one, the next goes on the waiting list.
        session.add(
            Participation(
                course_id=WORKSHOP_ID,
                session_id=SESSION_ID,
                company_id=company_id,
                status=ParticipationStatus.ENROLLED,
            )
        )
    session.add(
        Participation(
            course_id=E_LEARNING_ID,
            company_id=demo_company_id,
            trainer_name="Kees Jansen",
            status=ParticipationStatus.COMPLETED,
            completed_on=clock.today() - timedelta(days=30),
            certificate_code=new_certificate_code(),
        )
    )
    await session.flush()
