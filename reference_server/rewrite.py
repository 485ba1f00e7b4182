"""An ASGI middleware that passes every JSON response through `Policy.rewrite_response`.

Installed only when the running fault overrides that seam (never for the correct server),
so faults that only the wire shows (a field dropped, an order changed, a status swapped)
stay in faults/wire.py and cost the correct server nothing.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_server.policy import Policy


class RewriteResponses:
    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                assert start is not None
                await self._send(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffer)

    async def _send(self, scope: Scope, start: Message, raw: bytes, send: Send) -> None:
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        status = start["status"]
        if any(k.lower() == b"content-type" and b"json" in v for k, v in headers) and raw:
            body: Any = json.loads(raw)
            status, body = self.policy.rewrite_response(scope["method"], scope["path"], status, body)
            if isinstance(body, str):  # a fault serving text: the body as is, labelled text/plain
                headers = [(k, v) for k, v in headers if k.lower() != b"content-type"]
                headers.append((b"content-type", b"text/plain; charset=utf-8"))
                raw = body.encode()
            else:
                raw = json.dumps(body).encode()
        headers.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})
