"""Learning companies (leerbedrijven): one row per establishment."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.caller import Caller, Role
from erkenning.core.db import TimestampedModel, enum_field


class Sector(StrEnum):
    """SBB's eight sector chambers (sectorkamers)."""

    TECHNIEK_GEBOUWDE_OMGEVING = "techniek_gebouwde_omgeving"
    MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM = "mobiliteit_transport_logistiek_maritiem"
    ZORG_WELZIJN_SPORT = "zorg_welzijn_sport"
    HANDEL = "handel"
    ICT_CREATIEVE_INDUSTRIE = "ict_creatieve_industrie"
    VOEDSEL_GROEN_GASTVRIJHEID = "voedsel_groen_gastvrijheid"
    SPECIALISTISCH_VAKMANSCHAP = "specialistisch_vakmanschap"
    ZAKELIJKE_DIENSTVERLENING_VEILIGHEID = "zakelijke_dienstverlening_veiligheid"


sbb_id_sequence = sa.Sequence("company_sbb_id_seq", start=100_000_001, metadata=TimestampedModel.metadata)


def _own_company(model: type[Any], caller: Caller) -> sa.ColumnElement[bool]:
    if caller.role is Role.COMPANY and caller.company_id is not None:
        return model.id == caller.company_id
    return sa.false()


class Company(TimestampedModel, table=True):
    """Leerbedrijf: one establishment (vestiging) of an organisation, recognised by SBB."""

    __tablename__ = "company"
    __scope__: ClassVar = staticmethod(_own_company)
    __table_args__ = (
        sa.CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name="kvk_number_8_digits"),
        sa.CheckConstraint("establishment_number ~ '^[0-9]{12}$'", name="establishment_number_12_digits"),
        sa.CheckConstraint("postcode ~ '^[1-9][0-9]{3} [A-Z]{2}$'", name="postcode_normalised"),
        sa.Index("ix_company_name_lower", sa.text("lower(name)")),
        sa.Index("ix_company_postcode_name", "postcode", sa.text("lower(name)")),
        # The register's search by part of the name (ILIKE '%part%') plus town: pg_trgm's GIN index.
        sa.Index("ix_company_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        sa.Index("ix_company_city_lower", sa.text("lower(city)")),
    )

    __mapper_args__ = {"eager_defaults": True}  # RETURNING the database-made sbb_id on insert

    sbb_id: str | None = Field(
        default=None,
        max_length=12,
        unique=True,
        nullable=False,
        sa_column_kwargs={"server_default": sa.text("nextval('company_sbb_id_seq')::text")},
        description="SBB's own company id (leerbedrijf-ID)",
    )
    kvk_number: str = Field(max_length=8, index=True)
    establishment_number: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=200)
    street: str | None = Field(default=None, max_length=200)
    house_number: str | None = Field(default=None, max_length=20)
    postcode: str = Field(max_length=7)
    city: str = Field(max_length=100, index=True)
    sector: Sector = enum_field(Sector, index=True)
    email: str | None = Field(default=None, max_length=254)
    version: int = Field(default=1, description="optimistic lock: changes must name the version they saw")
