from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from workflows.actions import ACTION_PARAMS


def test_schema_generates_without_warnings_and_validates(tmp_path, monkeypatch):
    # The command looks up the source line of every view and serializer, to place its warnings (any
    # warning still fails the test, named without its line): inspect's search of every module loaded,
    # ~6 s of CPU in a process that has imported the whole suite.
    monkeypatch.setattr(GENERATOR_STATS, "enable_trace_lineno", lambda: None)
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.stat().st_size > 10_000


def test_every_action_documents_its_own_body_and_error_shapes(api_schema):
    schema = api_schema
    for action, params in ACTION_PARAMS.items():
        operation = schema["paths"][f"/api/v1/cases/{{id}}/actions/{action}/"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(body["properties"]) == {"version", "note", "effective_date", *(p.name for p in params)}
        assert "version" in body["required"]
        responses = operation["responses"]
        assert set(responses) >= {"200", "400", "401", "403", "404", "409"}
        conflict = responses["409"]["content"]["application/json"]["schema"]["$ref"]
        assert conflict.endswith("/ConflictError")


def test_every_operation_types_its_bodies(api_schema):
    schema = api_schema
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if code == "204":
                    continue
                media = response.get("content", {})
                assert media, (method, path, code)
                for content in media.values():
                    assert content["schema"], (method, path, code)
            if "requestBody" in operation:
                for content in operation["requestBody"]["content"].values():
                    assert content["schema"], (method, path)


def test_swagger_ui_is_served(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
