"""The Stagepact's targets: a value per indicator and year that the figures are held against."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.db import TimestampedModel, enum_field
from erkenning.stagepact.period import FIRST_YEAR, LAST_YEAR


class Direction(StrEnum):
    AT_LEAST = "at_least"  # met when the figure is the target or more
    AT_MOST = "at_most"  # met when the figure is the target or less


class Target(TimestampedModel, table=True):
    """Doelstelling: what one indicator (a key of `stagepact.catalogue`, written `section.name[.category]`)
    should reach in one calendar year, and where that target comes from. Kept by admins."""

    __tablename__ = "stagepact_target"
    __table_args__ = (
        sa.UniqueConstraint("indicator", "year"),
        sa.CheckConstraint(f"year BETWEEN {FIRST_YEAR} AND {LAST_YEAR}", name="year_in_range"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    indicator: str = Field(max_length=120)
    year: int
    value: float = Field(sa_type=sa.Float())
    direction: Direction = enum_field(Direction)
    source: str = Field(max_length=500, description="where the target comes from (a letter, an agreement)")
    updated_by: UUID | None = Field(default=None, description="the admin who set it last")
