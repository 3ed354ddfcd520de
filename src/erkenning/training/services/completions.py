"""E-learning completions from the learning platform (signed webhook, CSV upload) and the certificate check.

Signature of a webhook call: the platform sends `X-Signature-Timestamp: <unix seconds>` and
`X-Signature: sha256=<hex>`, the HMAC-SHA256 under the shared secret of `<timestamp>.<raw body>`.
A call whose timestamp is further than the tolerance from our clock is refused, so a captured
call cannot be replayed later; the platform's completion id makes a repeat within that window
harmless too.
"""

from __future__ import annotations

import csv
import hmac
import io
import re
from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Caller
from erkenning.core.errors import NotFound, Unauthorized, Unprocessable, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.signing import sign  # the `X-Signature` value (the platform signs the same way)
from erkenning.training.models import Course, CourseFormat, Participation, ParticipationStatus
from erkenning.training.schemas import CertificateRead, CompletionIn
from erkenning.training.services.participations import ParticipationService

log = get_logger(__name__)

SIGNATURE_HEADER = "x-signature"
TIMESTAMP_HEADER = "x-signature-timestamp"
CSV_COLUMNS = ("completion_id", "course_code", "company_sbb_id", "completed_at")
MAX_IMPORT_ROWS = 5000
_LOCK_NAMESPACE = "training.completion:"
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")

Outcome = Literal["recorded", "already_recorded"]


# ------------------------------------------------------------------ the webhook's signature


def verify_signature(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, *, tolerance_s: int
) -> None:
    """Raise Unauthorized unless the signature is right and the timestamp recent."""
    if not secret:
        raise Unauthorized("Completions from the learning platform are not configured")
    if not timestamp or not signature:
        raise Unauthorized("The call must be signed (X-Signature and X-Signature-Timestamp)")
    try:
        sent = int(timestamp)
    except ValueError:
        raise Unauthorized("X-Signature-Timestamp must be Unix seconds") from None
    if abs(clock.now().timestamp() - sent) > tolerance_s:
        raise Unauthorized("The signature's timestamp is too old or in the future")
    if not hmac.compare_digest(sign(secret, sent, body), signature.strip()):
        raise Unauthorized("Bad signature")


# ------------------------------------------------------------------ recording completions


class CompletionRecorder:
    """Records completions idempotently: one completion id, one effect, also when sent twice at once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.participations = ParticipationService(session)

    async def record(self, data: CompletionIn, caller: Caller) -> tuple[Outcome, Participation]:
        # Serialise calls about the same completion; the unique column is the backstop.
        await self.session.exec(
            select(
                sa.func.pg_advisory_xact_lock(
                    sa.func.hashtextextended(_LOCK_NAMESPACE + data.completion_id, 0)
                )
            )
        )
        done = (
            await self.session.exec(
                select(Participation).where(Participation.platform_completion_id == data.completion_id)
            )
        ).first()
        if done is not None:
            log.info("completion.already_recorded", participation_id=str(done.id))
            return "already_recorded", done
        course, company = await self._resolve(data)
        open_enrolment = (
            await self.session.exec(
                select(Participation)
                .where(
                    Participation.course_id == course.id,
                    Participation.company_id == company.id,
                    col(Participation.session_id).is_(None),
                    Participation.status == ParticipationStatus.ENROLLED,
                )
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).first()
        if open_enrolment is None:
            # Completed without enrolling first: the platform is the record of what was done.
            open_enrolment = await self.participations.enrol_unchecked(caller, course, company.id)
        await self.participations.finish(
            open_enrolment, caller, completed_on=data.completed_at, completion_id=data.completion_id
        )
        return "recorded", open_enrolment

    async def _resolve(self, data: CompletionIn) -> tuple[Course, Company]:
        course = (await self.session.exec(select(Course).where(Course.code == data.course_code))).first()
        company = (
            await self.session.exec(select(Company).where(Company.sbb_id == data.company_sbb_id))
        ).first()
        errors = []
        if course is None:
            errors.append({"field": "course_code", "message": "no such course"})
        elif course.format is not CourseFormat.E_LEARNING:
            errors.append({"field": "course_code", "message": "not an e-learning"})
        if company is None:
            errors.append({"field": "company_sbb_id", "message": "no such company"})
        if errors:
            raise ValidationFailed(errors)
        assert course is not None and company is not None
        return course, company

    async def import_csv(self, text: str, caller: Caller) -> dict[str, int]:
        """All rows or none: any bad row refuses the whole file (422 naming each bad line)."""
        rows = parse_csv(text)
        errors: list[dict[str, str]] = []
        await self._check_references(rows, errors)
        if errors:
            raise ValidationFailed(
                errors[:100], detail=f"{len(errors)} problem(s) in the file; nothing was imported"
            )
        counts = {"rows": len(rows), "recorded": 0, "already_recorded": 0}
        for _, row in rows:
            outcome, _participation = await self.record(row, caller)
            counts[outcome] += 1
        log.info("completion.imported", **counts)
        return counts

    async def _check_references(
        self, rows: Sequence[tuple[int, CompletionIn]], errors: list[dict[str, str]]
    ) -> None:
        codes = {r.course_code for _, r in rows}
        sbb_ids = {r.company_sbb_id for _, r in rows}
        formats = dict(
            (
                await self.session.exec(select(Course.code, Course.format).where(col(Course.code).in_(codes)))
            ).all()
        )
        known = set(
            (await self.session.exec(select(Company.sbb_id).where(col(Company.sbb_id).in_(sbb_ids)))).all()
        )
        for line, row in rows:
            if row.course_code not in formats:
                errors.append({"field": f"line {line}: course_code", "message": "no such course"})
            elif formats[row.course_code] is not CourseFormat.E_LEARNING:
                errors.append({"field": f"line {line}: course_code", "message": "not an e-learning"})
            if row.company_sbb_id not in known:
                errors.append({"field": f"line {line}: company_sbb_id", "message": "no such company"})


def parse_csv(text: str) -> list[tuple[int, CompletionIn]]:
    """The rows of a completions file with their line numbers; ValidationFailed names every bad one."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed([{"field": "header", "message": f"missing column(s): {', '.join(missing)}"}])
    reader.fieldnames = header
    rows: list[tuple[int, CompletionIn]] = []
    errors: list[dict[str, str]] = []
    for record in reader:
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            raise Unprocessable(f"At most {MAX_IMPORT_ROWS} rows per file; split the file")
        try:
            rows.append(
                (line, CompletionIn.model_validate({c: (record.get(c) or "").strip() for c in CSV_COLUMNS}))
            )
        except ValidationError as exc:
            errors.extend(errors_of(exc, prefix=f"line {line}: "))
    if errors:
        raise ValidationFailed(
            errors[:100], detail=f"{len(errors)} problem(s) in the file; nothing was imported"
        )
    if not rows:
        raise ValidationFailed([{"field": "file", "message": "no rows"}])
    return rows


def errors_of(exc: ValidationError, *, prefix: str = "") -> list[dict[str, str]]:
    """Pydantic's errors in the shape of `ValidationFailed`."""
    return [
        {"field": prefix + (".".join(str(p) for p in e["loc"]) or "body"), "message": e["msg"][:200]}
        for e in exc.errors()
    ]


def _delimiter(text: str) -> str:
    first = text.lstrip("\ufeff").partition("\n")[0]
    return ";" if first.count(";") > first.count(",") else ","


# ------------------------------------------------------------------ the public certificate check


def normalise_code(code: str) -> str | None:
    """`abcd-efgh ijkl-mnop` → `ABCDEFGHIJKLMNOP`; None if it cannot be a certificate code."""
    cleaned = re.sub(r"[\s-]", "", code).upper()
    return cleaned if _CODE_RE.fullmatch(cleaned) else None


async def certificate(session: AsyncSession, code: str) -> CertificateRead:
    """Course title, company name and completion date of a certificate: nothing else."""
    cleaned = normalise_code(code)
    if cleaned is None:
        raise NotFound("No such certificate")
    stmt = (
        select(Course.title, Company.name, col(Participation.completed_on))
        .join(Course, col(Course.id) == Participation.course_id)
        .join(Company, col(Company.id) == Participation.company_id)
        .where(
            Participation.certificate_code == cleaned, Participation.status == ParticipationStatus.COMPLETED
        )
    )
    row = (await session.exec(stmt)).first()
    if row is None or row[2] is None:
        raise NotFound("No such certificate")
    return CertificateRead(course_title=row[0], company_name=row[1], completed_on=row[2])
