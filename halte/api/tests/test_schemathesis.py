"""The API fuzzed from its own OpenAPI document (schemathesis, in-process through the
WSGI application, on the test database): for every operation, generated requests,
valid and invalid, never meet a server error, every answer fits the schema, and every
status it answers is declared.

Each operation gets HALTE_SCHEMATHESIS_EXAMPLES examples (default 15, which keeps the
run near a minute on SQLite); raise it for a deeper run:
    HALTE_SCHEMATHESIS_EXAMPLES=200 python -m pytest halte/api/tests/test_schemathesis.py
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from halte.api.api import api
from halte.api.tests.helpers import token_for
from halte.clients.tests.factories import ClientFactory
from halte.journey.tests.factories import product

EXAMPLES = int(os.environ.get("HALTE_SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# Who calls each part of the API: a role that may use it, so generated requests get
# past the role check and reach the validation and the services.
PLANNER_PATHS = (
    "/care-products",
    "/referrals",
    "/waiting-list",
    "/care-episodes",
    "/announcements",
)
PLANNER_SUFFIXES = ("/journey", "/messages")


def _role(path: str) -> str:
    path = path.removeprefix("/api/v1")
    if path.startswith(PLANNER_PATHS) or path.endswith(PLANNER_SUFFIXES):
        return "planner"
    if path.startswith("/messages"):
        return "planner"
    return "front_office"


def _schema():
    """The document the API serves at /api/v1/openapi.json, called through the WSGI
    application in this process. Read from the API object (no request, no database
    while the tests are collected)."""
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture
def tokens(db, settings, personas, client_noord):
    # Generated requests come by the hundred from one token: not a guessing attack.
    settings.HALTE_API_TOKEN_RATE_PER_MINUTE = 10**9
    settings.HALTE_API_BAD_TOKEN_LIMIT = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    product()
    ClientFactory.create_batch(3, team=client_noord.team)
    # The WSGI application runs in this test's transaction: as Django's test client
    # does, keep the request signals from closing the connection mid-transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {role: token_for(personas[role]) for role in ("front_office", "planner")}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_document(case, tokens):
    token = tokens[_role(case.operation.path)]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)
