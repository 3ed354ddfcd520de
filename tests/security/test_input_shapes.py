"""Every body a route takes is bounded and closed: each string has a maximum length (or is an enum,
a date, a UUID, an e-mail address or a fixed pattern), each list a maximum number of items, and no
shape takes a field it does not name (mass assignment is refused with 422, never applied).

Read from the app's own route table, so a new route's body is held to the same rules. The page
forms (bodies of `dict[str, str]`) are validated by these same shapes in `web.forms.Form.validate`.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any

import msgspec
from litestar import Litestar
from pydantic import BaseModel

_BOUNDED_FORMATS = {"uuid", "date", "date-time", "email", "time", "duration"}


def body_types(app: Litestar) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = {}
    for route in app.routes:
        for method, entry in getattr(route, "route_handler_map", {}).items():
            handler = entry[0]
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            annotation = data.annotation
            args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
            for arg in args:
                if arg is not type(None):
                    found.setdefault(arg, []).append(f"{method} {route.path}")
    return found


def _bounded_pattern(pattern: str) -> bool:
    return pattern.startswith("^") and pattern.endswith("$") and not re.search(r"[*+]|\{\d+,\}", pattern)


def problems_in(schema: dict[str, Any]) -> list[str]:
    defs = schema.get("$defs", {})
    found: list[str] = []

    def walk(node: dict[str, Any], at: str) -> None:
        if "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, at)
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            if node.get("additionalProperties") is not False:
                found.append(f"{at}: takes fields it does not name")
            for name, sub in node.get("properties", {}).items():
                walk(sub, f"{at}.{name}")
        elif kind == "array":
            if "maxItems" not in node:
                found.append(f"{at}: no maximum number of items")
            walk(node.get("items", {}), f"{at}[]")
        elif kind == "string":
            if not ("maxLength" in node or "enum" in node or "const" in node
                    or node.get("format") in _BOUNDED_FORMATS or _bounded_pattern(node.get("pattern", ""))):
                found.append(f"{at}: no maximum length")

    walk(schema, "body")
    return found


def test_every_body_is_bounded_and_closed(app: Litestar) -> None:
    wrong: list[str] = []
    for shape, routes in body_types(app).items():
        if shape in (dict[str, str], dict[str, str | list[str]]):
            continue  # a page's form: checked field by field by the shapes below, in Form.validate
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            schema = shape.model_json_schema(mode="validation")
        elif isinstance(shape, type) and issubclass(shape, msgspec.Struct):
            schema = msgspec.json.schema(shape)
            schema = {**schema["$defs"][schema["$ref"].split("/")[-1]], "$defs": schema["$defs"]}
        elif getattr(shape, "__name__", "") == "UploadFile" or (
            dataclasses.is_dataclass(shape)
            and all(getattr(f.type, "__name__", f.type) == "UploadFile" for f in dataclasses.fields(shape))
        ):
            continue  # a file (or a form of files): bounded by the request size limit, read by its own parser
        else:
            wrong.append(f"{routes[0]}: body of an unknown kind {shape!r}")
            continue
        wrong += [f"{routes[0]} ({shape.__name__}) {p}" for p in problems_in(schema)]
    assert not wrong, "\n".join(sorted(wrong))


def test_the_published_document_closes_every_json_body(app: Litestar) -> None:
    """Clients read the OpenAPI document, not our models: it must say the same (additionalProperties: false)."""
    document = app.openapi_schema.to_schema()
    components = document["components"]["schemas"]
    open_shapes: list[str] = []

    def walk(node: dict[str, Any], at: str, seen: frozenset[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            if name not in seen:
                walk(components[name], f"{at}<{name}>", seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, at, seen)
        if node.get("type") == "object" or "properties" in node:
            if node.get("additionalProperties") is not False:
                open_shapes.append(at)
            for name, sub in node.get("properties", {}).items():
                walk(sub, f"{at}.{name}", seen)
        elif node.get("type") == "array":
            walk(node.get("items", {}), f"{at}[]", seen)

    bodies = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if path.startswith("/api/") and "application/json" in content:
                bodies += 1
                walk(content["application/json"]["schema"], f"{method.upper()} {path}", frozenset())
    assert bodies > 20  # the document does describe the API's bodies
    assert not open_shapes, "\n".join(sorted(set(open_shapes)))
