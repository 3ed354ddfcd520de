"""The OpenAPI document describes the routes of course invitations and of the Stagepact's targets, and the
target beside each indicator (the app is built, nothing is served)."""

from __future__ import annotations

from typing import Any

from erkenning.app import create_app
from tests.helpers import offline_settings

NEW = {
    ("get", "/api/v1/portal/training/invitations"),
    ("post", "/api/v1/portal/training/invitations/{invitation_id}/dismiss"),
    ("get", "/api/v1/backoffice/admin/stagepact-targets"),
    ("put", "/api/v1/backoffice/admin/stagepact-targets/{indicator}/{year}"),
    ("delete", "/api/v1/backoffice/admin/stagepact-targets/{indicator}/{year}"),
}


def _document() -> dict[str, Any]:
    return create_app(offline_settings()).openapi_schema.to_schema()


def test_every_new_route_is_documented_with_its_summary_parameters_and_answers() -> None:
    doc = _document()
    for method, path in NEW:
        operation = doc["paths"][path][method]
        assert operation.get("summary"), (method, path)
        assert any(code.startswith("2") for code in operation["responses"]), (method, path)
        named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert named == {part.strip("{}") for part in path.split("/") if part.startswith("{")}, (method, path)
    put = doc["paths"]["/api/v1/backoffice/admin/stagepact-targets/{indicator}/{year}"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(doc["components"]["schemas"][body]["required"]) == {"value", "direction", "source"}
    schemas = doc["components"]["schemas"]
    assert "target" in schemas["IndicatorRead"]["properties"]
    assert "target_year" in schemas["IndicatorsRead"]["properties"]
    assert "for_new_companies" in schemas["CourseRead"]["properties"]
    assert {"courses", "kind", "topics"} <= set(schemas["InvitationRead"]["properties"])
