"""The ledger of erasures under the retention rules: what was erased, when, and by which rule."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.db import UUIDModel, timestamp_field


class RetentionErasure(UUIDModel, table=True):
    """One erasure: the kind of record, its id, the rule that made it due, and when it was erased.

    Holds no content. One row per record and kind: an erasure happens once.
    """

    __tablename__ = "retention_erasure"
    __table_args__ = (sa.UniqueConstraint("kind", "record_id"),)

    kind: str = Field(max_length=40, description="report_confidential | report_receipt")
    record_id: UUID = Field(description="the report whose part was erased")
    rule: str = Field(max_length=60)
    erased_at: datetime = timestamp_field(default_now=True, index=True)
