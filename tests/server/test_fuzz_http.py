"""Every HTTP endpoint, fuzzed from the app's own OpenAPI schema: never a server error."""

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server.app import create_app
from server.settings import Settings

APP = create_app(Settings(device="cpu", data_dir=Path(tempfile.mkdtemp(prefix="spacefold-fuzz-"))))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_endpoint_answers_with_a_server_error(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=[not_a_server_error])
