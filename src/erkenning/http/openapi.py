"""The OpenAPI document as the API behaves: error answers, closed shapes, who needs a token.

The error answers every API operation can give are written into the document here.

Errors are RFC 9457 problem+json (`erkenning.core.errors`); which ones an operation can give follows from
where it is, not from its handler: a token can be malformed on every route (401), validation runs on
every parameter (400 malformed, 422 invalid), a database or Redis outage is a 503, and so on. Adding
them here keeps each handler's own `responses` for what is particular to it (they win over these).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin  # the document's builder, finished by `finish_document`
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin  # no public name for it
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.plugins.pydantic import PydanticSchemaPlugin
from pydantic import BaseModel, ConfigDict, Field

from erkenning.core.fields import TRIMMED
from erkenning.http.problems import PROBLEM_MEDIA_TYPE


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
    # Any call carrying a token counts towards the failed-authentication limit of its address.
    429: "Too many requests (the rate limit, or repeated failed authentication from this address); see Retry-After",
    503: "A backing service is unavailable; try again shortly",
}
_CHANGES = {
    409: "Conflicts with the current state, or changed by someone else meanwhile",
    413: "Request body too large",
    415: "Unsupported media type",
}


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM_MEDIA_TYPE,
                        generate_examples=False)


def _http_handlers(app: Litestar) -> Iterator[tuple[str, HTTPRouteHandler]]:
    """(path, handler) of every HTTP operation of the app."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler):
                yield route.path, handler


def document_problems(app: Litestar) -> None:
    """Give each API operation the problem answers it can give (before the document is first built)."""
    for path, handler in _http_handlers(app):
        if not path.startswith("/api/"):
            continue
        statuses: dict[int, str] = dict(_ALWAYS)
        if handler.http_methods & {"POST", "PUT", "PATCH", "DELETE"}:
            statuses |= _CHANGES
        own: dict[int, Any] = dict(handler.responses or {})
        handler.responses = {**{code: _spec(text) for code, text in statuses.items()}, **own}


BEYOND_SCHEMA = "Beyond the schema (422 naming the rule): "
# For an operation whose body has a pydantic `EmailStr`.
EMAIL_CHECKED = (
    BEYOND_SCHEMA + "an `email` is checked as an address (RFC 5321/5322, through the email-validator library), "
    "which refuses some that the `email` format admits, such as one at a special-use or reserved domain (`.test`, "
    "`.invalid`, `localhost`)."
)


# A public operation takes a token but needs none (schools get higher limits with theirs).
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def document_access(app: Litestar) -> None:
    """Mark operations without a role guard as open to anonymous callers (the document requires a token
    everywhere else)."""
    for _, handler in _http_handlers(app):
        names = [getattr(getattr(g, "func", g), "__name__", "") for g in handler.resolve_guards()]
        if not any(name.startswith("requires_") for name in names):
            handler.security = OPTIONAL_TOKEN


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """msgspec structs as they decode: `additionalProperties: false` for one that forbids unknown fields
    (Litestar's own struct plugin, which this extends, leaves it out;
    tests/security/test_input_shapes.py holds the published document to this)."""

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        config = getattr(field_definition.type_, "__struct_config__", None)
        if isinstance(schema, Schema) and getattr(config, "forbid_unknown_fields", False):
            schema.additional_properties = False
        return schema


class ClosedModelSchemaPlugin(PydanticSchemaPlugin):
    """Pydantic models as they validate: `additionalProperties: false` for a shape that forbids unknown
    fields, and `anyOf` for a union (Litestar writes `oneOf`, which a value of two members, such as 3
    for `float | int`, would break)."""

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        model = field_definition.annotation
        if isinstance(schema, Schema):
            if getattr(model, "model_config", {}).get("extra") == "forbid":
                schema.additional_properties = False
            _merge_constraints(schema, model)
            if getattr(model, "model_config", {}).get("str_strip_whitespace"):
                _not_blank(schema)
            _any_of(schema)
        return schema


# A model that strips its strings refuses one of only white space where it needs a character (`minLength`):
# the document says so with a pattern (and no NUL, as everywhere).
NOT_BLANK = rf"^[^\x00]*[^{TRIMMED}\x00][^\x00]*$"


def _not_blank(schema: Schema) -> None:
    for prop in (schema.properties or {}).values():
        members = (prop.any_of or prop.one_of or [prop]) if isinstance(prop, Schema) else []
        for member in members:
            if (isinstance(member, Schema) and member.type == OpenAPIType.STRING and member.pattern is None
                    and (member.min_length or 0) >= 1 and member.enum is None and member.format is None):
                member.pattern = NOT_BLANK


_CONSTRAINTS = (
    ("pattern", "pattern"), ("minLength", "min_length"), ("maxLength", "max_length"), ("minimum", "minimum"),
    ("maximum", "maximum"), ("exclusiveMinimum", "exclusive_minimum"), ("exclusiveMaximum", "exclusive_maximum"),
    ("minItems", "min_items"), ("maxItems", "max_items"),
)


def _merge_constraints(schema: Schema, model: Any) -> None:
    """Litestar loses constraints given in `Annotated[...]` inside an optional field; pydantic's own
    JSON schema of the model has them: copy them over, property by property."""
    try:
        own = model.model_json_schema(mode="validation")
    except Exception:
        return
    for name, given in (own.get("properties") or {}).items():
        target = (schema.properties or {}).get(name)
        if not isinstance(target, Schema):
            continue
        sources = [v for v in given.get("anyOf", [given]) if v.get("type") != "null"]
        targets = [v for v in (target.any_of or target.one_of or [target])
                   if isinstance(v, Schema) and v.type not in ("null", OpenAPIType.NULL)]
        if len(sources) == 1 and len(targets) == 1:
            _copy_constraints(sources[0], targets[0])
            # The items of a list (`list[Annotated[str, Field(...)]]`) lose theirs too.
            if isinstance(sources[0].get("items"), dict) and isinstance(targets[0].items, Schema):
                _copy_constraints(sources[0]["items"], targets[0].items)


def _copy_constraints(source: dict[str, Any], target: Schema) -> None:
    for key, attribute in _CONSTRAINTS:
        if key in source and getattr(target, attribute, None) is None:
            setattr(target, attribute, source[key])


def _any_of(schema: Schema) -> None:
    stack: list[Schema | Reference] = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, Schema):
            continue
        if node.one_of:
            node.any_of, node.one_of = [*(node.any_of or []), *node.one_of], None
        stack.extend((node.properties or {}).values())
        stack.extend(node.any_of or [])
        if isinstance(node.items, Schema):
            stack.append(node.items)


# The server refuses a NUL character in every string (`erkenning.http.input_guard`): the document says so
# of every string it does not already bound by a pattern, an enum or a format.
NUL_FREE = r"^[^\x00]*$"


def _nul_free(node: Any, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Schema) and node.type == OpenAPIType.STRING:
        if node.pattern is None and node.enum is None and node.format is None and node.const is None:
            node.pattern = NUL_FREE
    if isinstance(node, dict):
        children: Iterator[Any] = iter(node.values())
    elif isinstance(node, list | tuple):
        children = iter(node)
    elif hasattr(node, "__dataclass_fields__"):
        children = (getattr(node, name) for name in node.__dataclass_fields__)
    else:
        return
    for child in children:
        _nul_free(child, seen)


class _FinishedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, with the document finished once it is built (and before it is served)."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        document = super()._build_openapi()
        _nul_free(document, set())
        return document


def finish_document(app: Litestar) -> None:
    """State in the document what every route enforces (no NUL in a string); it is still built lazily."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _FinishedOpenAPIPlugin


@dataclass
class CsvUploadOperation(Operation):
    """An operation whose handler reads a CSV itself (a `text/csv` body or a file in a multipart form): the
    document names that body, which Litestar cannot see in the handler's signature."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING, description="UTF-8 CSV, header row first")
        form = Schema(
            type=OpenAPIType.OBJECT, required=["file"],
            properties={"file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)},
        )
        self.request_body = RequestBody(required=True, content={
            "text/csv": OpenAPIMediaType(schema=text), "multipart/form-data": OpenAPIMediaType(schema=form),
        })
