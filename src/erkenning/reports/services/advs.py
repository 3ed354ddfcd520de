"""The regional anti-discrimination agencies (ADVs) and the municipalities each covers, kept by admins.

Every municipality must give access to one ADV (Wet gemeentelijke antidiscriminatievoorzieningen, art. 2),
so a municipality belongs to at most one ADV here: naming one that another ADV covers is refused (409).
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, NotFound
from erkenning.reports import places
from erkenning.reports.models import Adv, AdvMunicipality
from erkenning.reports.structure_schemas import AdvWrite


class AdvService:
    """Antidiscriminatievoorzieningen."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _covered(self, adv_ids: list[UUID] | None = None) -> dict[UUID, list[str]]:
        stmt = select(AdvMunicipality)
        if adv_ids is not None:
            stmt = stmt.where(col(AdvMunicipality.adv_id).in_(adv_ids))
        covered: dict[UUID, list[str]] = defaultdict(list)
        for row in (await self.session.exec(stmt)).all():
            covered[row.adv_id].append(row.municipality)
        return covered

    async def all(self) -> list[tuple[Adv, list[str]]]:
        advs = (await self.session.exec(select(Adv).order_by(col(Adv.name)))).all()
        covered = await self._covered()
        return [(adv, covered.get(adv.id, [])) for adv in advs]

    async def get(self, adv_id: UUID, *, for_update: bool = False) -> tuple[Adv, list[str]]:
        stmt = select(Adv).where(Adv.id == adv_id)
        if for_update:
            stmt = stmt.with_for_update()
        adv = (await self.session.exec(stmt)).first()
        if adv is None:
            raise NotFound("No such ADV")
        return adv, (await self._covered([adv.id])).get(adv.id, [])

    async def for_municipality(self, municipality: str) -> Adv | None:
        """The ADV that covers `municipality` (any case), or None when the table does not know it."""
        stmt = (select(Adv).join(AdvMunicipality, col(AdvMunicipality.adv_id) == col(Adv.id))
                .where(func.lower(AdvMunicipality.municipality) == municipality.lower()))
        return (await self.session.exec(stmt)).first()

    async def canonical_municipality(self, municipality: str) -> str:
        """The spelling the ADV table keeps for `municipality` (matched without regard to case), else as given."""
        stmt = select(AdvMunicipality.municipality).where(
            func.lower(AdvMunicipality.municipality) == municipality.lower()
        )
        return (await self.session.exec(stmt)).first() or municipality

    async def _check_free(self, data: AdvWrite, adv_id: UUID | None) -> None:
        same_name = select(Adv.id).where(func.lower(Adv.name) == data.name.lower())
        if adv_id is not None:
            same_name = same_name.where(Adv.id != adv_id)
        if (await self.session.exec(same_name)).first() is not None:
            raise Conflict("Another ADV has this name")
        lowered = [m.lower() for m in data.municipalities]
        taken = select(AdvMunicipality.municipality, Adv.name).join(
            Adv, col(Adv.id) == col(AdvMunicipality.adv_id)
        ).where(func.lower(AdvMunicipality.municipality).in_(lowered))
        if adv_id is not None:
            taken = taken.where(AdvMunicipality.adv_id != adv_id)
        clashes = (await self.session.exec(taken)).all()
        if clashes:
            named = ", ".join(f"{m} ({n})" for m, n in clashes)
            raise Conflict(f"Covered by another ADV already: {named}; change that ADV first")

    async def _cover(self, adv: Adv, municipalities: list[str]) -> None:
        await self.session.exec(delete(AdvMunicipality).where(col(AdvMunicipality.adv_id) == adv.id))
        for name in municipalities:
            self.session.add(AdvMunicipality(municipality=name, adv_id=adv.id))
        await self.session.flush()

    async def create(self, data: AdvWrite, caller: Caller) -> tuple[Adv, list[str]]:
        # One admin's change of the table at a time: two could otherwise give one municipality to two ADVs.
        await self._lock()
        await self._check_free(data, None)
        adv = Adv(**data.model_dump(exclude={"municipalities"}), updated_by=caller.principal_id)
        self.session.add(adv)
        await self.session.flush()
        await self._cover(adv, data.municipalities)
        await audit.record(self.session, caller, "adv.created", adv,
                           detail={"municipalities": len(data.municipalities)})
        return adv, list(data.municipalities)

    async def replace(self, adv_id: UUID, data: AdvWrite, caller: Caller) -> tuple[Adv, list[str]]:
        await self._lock()
        adv, _ = await self.get(adv_id, for_update=True)
        await self._check_free(data, adv.id)
        for name, value in data.model_dump(exclude={"municipalities"}).items():
            setattr(adv, name, value)
        adv.updated_by, adv.updated_at = caller.principal_id, utcnow()
        self.session.add(adv)
        await self._cover(adv, data.municipalities)
        await audit.record(self.session, caller, "adv.changed", adv,
                           detail={"municipalities": len(data.municipalities)})
        return adv, list(data.municipalities)

    async def delete(self, adv_id: UUID, caller: Caller) -> None:
        await self._lock()
        adv, _ = await self.get(adv_id, for_update=True)
        await self.session.delete(adv)
        await self.session.flush()
        await audit.record(self.session, caller, "adv.deleted", adv)

    async def load_shipped(self) -> int:
        """Insert the ADVs of `reports/data/advs.json` that are missing (by name), leaving out municipalities
        another ADV covers already; how many were added. The migration loads the same file into an empty table;
        this is for a database that was emptied since (tests, a demo)."""
        await self._lock()
        data = places.load("advs.json")
        source = f"{data['source']} (as of {data['as_of']})"[:500]
        names = {n.lower() for n in (await self.session.exec(select(Adv.name))).all()}
        taken = {m.lower() for m in (await self.session.exec(select(AdvMunicipality.municipality))).all()}
        added = 0
        for entry in data["advs"]:
            if entry["name"].lower() in names:
                continue
            adv = Adv(name=entry["name"], email=entry.get("email"), phone=entry.get("phone"),
                      website=entry.get("website"), source=source)
            self.session.add(adv)
            await self.session.flush()
            await self._cover(adv, [m for m in entry["municipalities"] if m.lower() not in taken])
            added += 1
        return added

    async def _lock(self) -> None:
        await self.session.exec(select(func.pg_advisory_xact_lock(func.hashtextextended("adv_municipality", 0))))
