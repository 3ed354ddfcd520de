"""The error answers every API operation can give, written into the OpenAPI document.

Errors are RFC 9457 problem+json (`erkenning.errors`); which ones an operation can give follows from
where it is, not from its handler: a token can be malformed on every route (401), validation runs on
every parameter (400 malformed, 422 invalid), a database or Redis outage is a 503, and so on. Adding
them here keeps each handler's own `responses` for what is particular to it (they win over these).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel, ConfigDict, Field

from erkenning.errors import PROBLEM_MEDIA_TYPE


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: `type` is stable (`urn:erkenning:problem:<slug>`), `detail` for people."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="urn:erkenning:problem:<slug>")
    title: str
    status: int
    detail: str | None = None
    request_id: str | None = Field(default=None, description="quote it when reporting a problem")
    errors: list[FieldProblem] | None = Field(default=None, description="one entry per refused field (422)")


_ALWAYS = {
    400: "Malformed request (a body that is not JSON, a bad header)",
    401: "No valid token (or a malformed Authorization header)",
    403: "This role may not do this",
    404: "No such resource, or not one the caller may see",
    422: "Invalid input; `errors` names each field",
    503: "A backing service is unavailable; try again shortly",
}
_CHANGES = {
    409: "Conflicts with the current state, or changed by someone else meanwhile",
    413: "Request body too large",
    415: "Unsupported media type",
}
_LIMITED = {429: "Too many requests; see Retry-After"}
_LIMITED_PREFIXES = ("/api/v1/register", "/api/v1/integrations")


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM_MEDIA_TYPE,
                        generate_examples=False)


def document_problems(app: Litestar) -> None:
    """Give each API operation the problem answers it can give (before the document is first built)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or not route.path.startswith("/api/"):
                continue
            statuses: dict[int, str] = dict(_ALWAYS)
            if handler.http_methods & {"POST", "PUT", "PATCH", "DELETE"}:
                statuses |= _CHANGES
            if route.path.startswith(_LIMITED_PREFIXES):
                statuses |= _LIMITED
            own: dict[int, Any] = dict(handler.responses or {})
            handler.responses = {**{code: _spec(text) for code, text in statuses.items()}, **own}
