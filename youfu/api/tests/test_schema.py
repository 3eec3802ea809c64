"""The OpenAPI document: served, complete, valid, and the Swagger UI served from local files."""

from __future__ import annotations

import re

import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from youfu.api.tests.test_permissions import ENDPOINTS


def _document() -> dict:
    generator = SchemaGenerator()
    return generator.get_schema(request=None, public=True)


def test_schema_is_valid_openapi(db):
    validate(_document())


def test_schema_generates_without_warnings(db, tmp_path):
    """What `manage.py spectacular --validate --fail-on-warn` checks: two serializers of one name in
    different apps (an Appeal of inspections and of appraisal) would share one component, and choice
    sets of one field name would get hashed enum names; both are warnings, and fail here."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_schema_is_served_and_valid(api, db):
    response = api.get(reverse("api:schema"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    assert document["info"]["title"] == "youfu API"


def test_every_endpoint_is_documented(db):
    paths = _document()["paths"]
    for endpoint in ENDPOINTS:
        path = endpoint.url(123 if endpoint.detail else None).replace("123", "{id}")
        assert path in paths, path
        assert set(endpoint.methods) <= set(paths[path]), path


def test_errors_are_documented_with_the_one_shape(db):
    document = _document()
    assert document["components"]["schemas"]["Error"]["required"] == ["errors"]
    person = document["paths"]["/api/v1/people/{id}/"]["patch"]["responses"]
    assert set(person) == {"200", "400", "401", "403", "404"}
    assert person["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    export = document["paths"]["/api/v1/people/export.xlsx"]["get"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in export["responses"]["200"]["content"]
    )
    assert {p["name"] for p in export["parameters"]} >= {"q", "unit", "position", "teller_grade", "is_active"}


def test_swagger_ui_uses_local_assets(api, db):
    response = api.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # no asset from another host (a bank intranet has no CDN); a bare "cdn" check would trip over
    # random CSRF tokens
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"jsdelivr|unpkg|cdnjs", html)
