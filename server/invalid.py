"""The answer to a request that does not validate: FastAPI's 422, sent whatever it echoes.

FastAPI's own answer lists each problem with the input, written as UTF-8; a string holding half
of a surrogate pair (JSON's ``"\\ud800"``) cannot be, and the 422 became a 500. Written with
JSON's ASCII escapes, every string can be sent, and it still reads as the same JSON.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class EscapedJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return EscapedJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
