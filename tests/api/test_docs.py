"""The OpenAPI schema at /api/v1/schema/ and its documentation page at /api/v1/docs/, under the strict CSP."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_operation_with_bearer_auth():
    response = Client().get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/customers/",
        "/api/v1/customers/{customer_id}/",
        "/api/v1/quotes/",
        "/api/v1/grants/",
        "/api/v1/grants/{grant_id}/",
        "/api/v1/grants/{grant_id}/void/",
        "/api/v1/vouchers/redeem/",
        "/api/v1/vouchers/{code}/",
        "/api/v1/visits/",
    }
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    create = schema["paths"]["/api/v1/grants/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in create["parameters"])
    assert create["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_schema_is_also_json():
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "Recovery Desk integration API"


def test_the_docs_page_runs_under_the_strict_csp():
    """No inline script or style: only files of our own origin (Swagger UI from drf-spectacular-sidecar)."""
    response = Client().get("/api/v1/docs/")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attributes and not body.strip() for attributes, body in scripts)
    for path in re.findall(r'(?:src|href)="/static/([^"?]+)', html):
        assert finders.find(path), path
    init = re.search(r'src="(/api/v1/docs/\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = Client().get(init)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()
