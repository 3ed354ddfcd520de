"""Imports every table so that mappers resolve and Alembic sees the whole schema."""

from erkenning.audit.models import AuditEvent
from erkenning.auth.models import ApiToken, Principal
from erkenning.idempotency import IdempotencyKey
from erkenning.outbox import OutboxEvent

__all__ = ["ApiToken", "AuditEvent", "IdempotencyKey", "OutboxEvent", "Principal"]
