"""The OpenAPI document describes the routes of the recognition criteria and assessments, and the criterion
on decisions, proposals and the reassessment worklist (the app is built, nothing is served)."""

from __future__ import annotations

from erkenning.app import create_app
from tests.helpers import offline_settings

B = "/api/v1/backoffice"
NEW = {
    ("get", f"{B}/criteria"),
    ("post", f"{B}/criteria"),
    ("get", f"{B}/criteria/current"),
    ("get", f"{B}/criteria/{{version}}"),
    ("get", f"{B}/recognitions/{{recognition_id}}/assessments"),
    ("post", f"{B}/recognitions/{{recognition_id}}/assessments"),
    ("get", f"{B}/assessments/{{assessment_id}}"),
}


def test_every_criteria_route_is_documented_with_its_summary_parameters_and_answers() -> None:
    doc = create_app(offline_settings()).openapi_schema.to_schema()
    for method, path in NEW:
        operation = doc["paths"][path][method]
        assert operation.get("summary"), (method, path)
        assert any(code.startswith("2") for code in operation["responses"]), (method, path)
        named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert named == {part.strip("{}") for part in path.split("/") if part.startswith("{")}, (method, path)
    schemas = doc["components"]["schemas"]
    publish = doc["paths"][f"{B}/criteria"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(schemas[publish["$ref"].rsplit("/", 1)[1]]["required"]) == {"valid_from", "criteria"}
    assert {"criteria_version", "items", "occasion", "all_met"} <= set(schemas["AssessmentRead"]["properties"])
    assert "criterion_code" in schemas["DecisionCreate"]["properties"]
    assert "criterion_code" in schemas["ProposalIn"]["properties"]
    assert {"criterion", "criteria_unmet"} <= set(schemas["DecisionDetail"]["properties"])
    assert "last_assessment" in schemas["ReassessmentDueRead"]["properties"]
