"""The qualifications catalogue (crebo codes): kept by admins, loadable from CSV with an upsert on crebo."""

from __future__ import annotations

import builtins
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, NotFound, Unprocessable
from erkenning.core.paging import fetch_page
from erkenning.recognition.models import Qualification
from erkenning.recognition.schemas import QualificationCreate, QualificationUpdate

CSV_COLUMNS = ("crebo", "name", "level")  # required; `active` is optional (default true)
_TRUE = {"1", "true", "ja", "yes", "j", "y", ""}
_FALSE = {"0", "false", "nee", "no", "n"}
_CHUNK = 1000  # rows per INSERT (asyncpg takes at most 32767 parameters a statement)


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


@dataclass
class ParsedCsv:
    rows: list[QualificationCreate] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int
    errors: list[LineError]


class CsvUnreadable(Unprocessable):
    type = "csv-unreadable"
    title = "The CSV file cannot be read"


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors())


def parse_qualifications_csv(text: str) -> ParsedCsv:
    """Validate every line of a qualifications CSV (header `crebo,name,level[,active]`; `,` or `;`).

    Good rows come back in order; bad ones as (line number in the file, reason). A crebo seen
    earlier in the same file is an error on the later line.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvUnreadable("The file is empty")
    try:
        dialect = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise CsvUnreadable(f"The header line lacks the column(s): {', '.join(missing)}")
    reader.fieldnames = header
    parsed = ParsedCsv()
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            parsed.errors.append(LineError(line, "more fields than the header has"))
            continue
        values = {k: (v or "").strip() for k, v in raw.items() if k in (*CSV_COLUMNS, "active")}
        if not any(values.values()):
            continue  # a blank line
        active = values.pop("active", "").lower()
        if active not in _TRUE | _FALSE:
            parsed.errors.append(LineError(line, "active: use true or false"))
            continue
        try:
            row = QualificationCreate(**values, active=active in _TRUE)
        except ValidationError as exc:
            parsed.errors.append(LineError(line, _reason(exc)))
            continue
        if row.crebo in seen:
            parsed.errors.append(LineError(line, f"crebo {row.crebo} already on line {seen[row.crebo]}"))
            continue
        seen[row.crebo] = line
        parsed.rows.append(row)
    return parsed


class QualificationService:
    """The catalogue of qualifications (kwalificaties)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, qualification_id: UUID, caller: Caller, *, for_update: bool = False) -> Qualification:
        return await get_scoped(
            self.session, Qualification, qualification_id, caller, for_update=for_update, what="qualification"
        )

    async def by_crebo(self, crebo: str) -> Qualification:
        found = (await self.session.exec(select(Qualification).where(Qualification.crebo == crebo))).first()
        if found is None:
            raise NotFound(f"No qualification with crebo {crebo}")
        return found

    async def create(self, data: QualificationCreate, caller: Caller) -> Qualification:
        if (
            await self.session.exec(select(Qualification.id).where(Qualification.crebo == data.crebo))
        ).first():
            raise Conflict(f"Crebo {data.crebo} is already in the catalogue")
        qualification = Qualification(**data.model_dump())
        self.session.add(qualification)
        await self.session.flush()
        await audit.record(
            self.session, caller, "qualification.created", qualification, detail={"crebo": data.crebo}
        )
        return qualification

    async def update(
        self, qualification_id: UUID, data: QualificationUpdate, caller: Caller
    ) -> Qualification:
        qualification = await self.get(qualification_id, caller, for_update=True)
        changes = data.model_dump(exclude_unset=True)
        for name, value in changes.items():
            setattr(qualification, name, value)
        qualification.updated_at = utcnow()
        self.session.add(qualification)
        await self.session.flush()
        await audit.record(
            self.session, caller, "qualification.updated", qualification, detail={"fields": sorted(changes)}
        )
        return qualification

    async def list(
        self,
        *,
        crebo: str | None,
        name: str | None,
        level: int | None,
        active: bool | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Qualification], int]:
        stmt = select(Qualification)
        if crebo:
            stmt = stmt.where(Qualification.crebo == crebo)
        if name:
            stmt = stmt.where(sa.func.lower(Qualification.name).contains(name.lower(), autoescape=True))
        if level is not None:
            stmt = stmt.where(Qualification.level == level)
        if active is not None:
            stmt = stmt.where(Qualification.active == active)
        return await fetch_page(self.session, stmt, col(Qualification.crebo), limit=limit, offset=offset)

    async def upsert(self, rows: Iterable[QualificationCreate]) -> tuple[int, int, int]:
        """Insert new crebos and update changed ones; (inserted, updated, unchanged)."""
        rows = list(rows)
        inserted = updated = 0
        for start in range(0, len(rows), _CHUNK):
            done = await self._upsert(rows[start : start + _CHUNK])
            inserted, updated = inserted + done[0], updated + done[1]
        return inserted, updated, len(rows) - inserted - updated

    async def _upsert(self, rows: builtins.list[QualificationCreate]) -> tuple[int, int]:
        table = Qualification.__table__  # type: ignore[attr-defined]  # __table__ is untyped
        stmt = insert(table).values([{"id": sa.func.gen_random_uuid(), **row.model_dump()} for row in rows])
        changed = sa.or_(
            table.c.name.is_distinct_from(stmt.excluded.name),
            table.c.level.is_distinct_from(stmt.excluded.level),
            table.c.active.is_distinct_from(stmt.excluded.active),
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["crebo"],
            set_={
                "name": stmt.excluded.name,
                "level": stmt.excluded.level,
                "active": stmt.excluded.active,
                "updated_at": sa.func.now(),
            },
            where=changed,
        ).returning(sa.literal_column("xmax = 0", sa.Boolean).label("inserted"))
        result = (await self.session.exec(upsert)).all()
        inserted = sum(1 for r in result if r.inserted)
        return inserted, len(result) - inserted

    async def import_csv(self, text: str, caller: Caller) -> ImportResult:
        parsed = parse_qualifications_csv(text)
        inserted, updated, unchanged = await self.upsert(parsed.rows)
        await audit.record(
            self.session,
            caller,
            "qualification.imported",
            object_type="qualification",
            detail={
                "inserted": inserted,
                "updated": updated,
                "unchanged": unchanged,
                "bad_lines": len(parsed.errors),
            },
        )
        return ImportResult(inserted, updated, unchanged, parsed.errors)
