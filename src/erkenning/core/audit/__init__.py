"""Audit trail: `audit.record(session, caller, action, obj)` in the transaction of the change (`service`)."""
