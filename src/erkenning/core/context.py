"""Per-request / per-job context: who asked, from where, under which id (read by logs and audit)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
origin: ContextVar[str | None] = ContextVar("origin", default=None)
job_id: ContextVar[str | None] = ContextVar("job_id", default=None)
# The ASGI scope's state dict of the current request: hooks that get no request object read it here.
request_state: ContextVar[dict[str, Any] | None] = ContextVar("request_state", default=None)
