"""Audit trail: `audit.record(session, caller, action, obj)` in the transaction of the change."""

from erkenning.audit.service import record

__all__ = ["record"]
