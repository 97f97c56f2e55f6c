"""The join code: on a LAN bind, nobody but this machine gets in without it.

Pages, API and WebSocket alike. A request from loopback needs no code; any other carries it
as ``?join=CODE`` once (the answer then sets a cookie) or in that cookie.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "spacefold_join"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def is_loopback_host(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class JoinGate:
    def __init__(self, app: ASGIApp, code: str) -> None:
        self.app, self.code = app, code

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.upper(), self.code)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if client and is_loopback_host(client[0]):
            await self.app(scope, receive, send)
            return
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        if COOKIE in cookies and self._matches(cookies[COOKIE].value):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if self._matches(query.get("join", [None])[0]):
            await self.app(scope, receive, self._setting_cookie(send))
            return
        await self._refuse(scope, send, wrong="join" in query)

    def _setting_cookie(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.code}; Path=/; HttpOnly; SameSite=Strict"
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())],
                }
            await send(message)

        return wrapped

    async def _refuse(self, scope: Scope, send: Send, wrong: bool) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "join code needed"})
            return
        if scope["path"].startswith("/api/"):
            body = b'{"detail": "this server needs its join code: add ?join=CODE"}'
            kind = b"application/json"
        else:
            body = refusal_page(wrong).encode()
            kind = b"text/html; charset=utf-8"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def refusal_page(wrong: bool) -> str:
    note = "That code is not right. " if wrong else ""
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>spacefold: join code</title>"
        "<body style='font-family:sans-serif;max-width:30em;margin:4em auto'>"
        f"<h1>spacefold</h1><p>{html.escape(note)}Ask your teacher for the join code."
        " 请向老师索取加入码。</p><form method=get action='/'>"
        "<input name=join autofocus autocomplete=off placeholder='ABC123' maxlength=12>"
        " <button>Join · 加入</button></form></body></html>"
    )
