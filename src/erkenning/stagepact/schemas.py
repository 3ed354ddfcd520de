"""API shapes of the Stagepact's targets (the indicators' own shapes are in `export`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from erkenning.core import clock
from erkenning.stagepact.catalogue import Unit
from erkenning.stagepact.models import Direction, Target
from erkenning.stagepact.targets import CODES

LocalTime = Annotated[datetime, AfterValidator(clock.local)]


class TargetWrite(BaseModel):
    """What an indicator should reach in the year: ten minste (`at_least`) or hoogstens (`at_most`) `value`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    value: float = Field(ge=0, le=1_000_000_000, description="in the indicator's unit (a percentage: 0–100)")
    direction: Direction
    source: str = Field(min_length=1, max_length=500, description="where the target comes from")


class TargetRead(BaseModel):
    indicator: str = Field(description="the catalogue key: section.name or section.name.category")
    year: int
    label: str
    unit: Unit
    value: float
    direction: Direction
    source: str
    updated_by: UUID | None
    updated_at: LocalTime

    @classmethod
    def of(cls, target: Target) -> TargetRead:
        spec = CODES.get(target.indicator)
        return cls(
            indicator=target.indicator, year=target.year, label=spec.label if spec else target.indicator,
            unit=spec.unit if spec else Unit.COUNT, value=target.value, direction=target.direction,
            source=target.source, updated_by=target.updated_by, updated_at=target.updated_at,
        )
