"""A small reverse proxy in front of the reference server: each knob is one thing a conforming
deployment may do to the wire (CONTRACT.md C1.1, C1.4, C1.11, §7). Tests switch on one at a time.

- prefix: the API lives under a path (https://gw.example.com/booking).
- latency / slow_every / slow_latency: added delay on every response, a long one on some.
- throttle_every / retry_after: a gateway answering 429 + Retry-After to every n-th request
  (without forwarding it: a 429 was not processed); limit_all=True answers 429 to everything
  matching `limit_path`.
- decorate: extra fields in every JSON object, keys reversed, extra headers, gzip bodies.
- opaque_ids: every 24-hex id the server makes is shown as a UUID, and mapped back on the way in.
- opaque_tokens: access tokens are shown as random strings, mapped back on the way in.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

HEX_ID = re.compile(r"^[0-9a-f]{24}$")
HOP = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "host"}


@dataclass
class Knobs:
    prefix: str = ""
    latency: float = 0.0
    slow_every: int = 0
    slow_latency: float = 2.0
    throttle_every: int = 0
    retry_after: str = "0"
    limit_all: bool = False
    limit_path: str = ""
    decorate: bool = False
    opaque_ids: bool = False
    opaque_tokens: bool = False


@dataclass
class Counters:
    requests: int = 0
    throttled: int = 0
    slow: int = 0
    paths: list[str] = field(default_factory=list)


class Proxy:
    """An ASGI app forwarding to `upstream` with the knobs applied."""

    def __init__(self, upstream: str, knobs: Knobs) -> None:
        self.upstream = upstream
        self.knobs = knobs
        self.counters = Counters()
        self._seq = itertools.count(1)
        self._out: dict[str, str] = {}  # server value -> what the client sees
        self._in: dict[str, str] = {}  # what the client sends -> server value
        self._client: httpx.AsyncClient | None = None

    # ---- value mapping (ids, tokens) ----
    def _alias(self, real: str, make: str) -> str:
        if real not in self._out:
            self._out[real] = make
            self._in[make] = real
        return self._out[real]

    def _outgoing(self, value: Any, key: str | None = None, *, closed: bool = False) -> Any:
        """`closed`: an object whose keys the contract fixes exactly (C6.2's grid root): no extra key."""
        knobs = self.knobs
        if isinstance(value, dict):
            items = [(k, self._outgoing(v, k)) for k, v in value.items()]
            # a map keyed by data (the grid's dates) is not an object with fields: no extra key
            is_map = any(k[:1].isdigit() for k in value)
            if knobs.decorate and (closed or is_map):
                items.reverse()
            elif knobs.decorate:
                items = [*reversed(items), ("x_gateway_note", {"hop": "conformance-proxy"})]
            return dict(items)
        if isinstance(value, list):
            return [self._outgoing(v) for v in value]
        if isinstance(value, str):
            if knobs.opaque_tokens and key == "access_token":
                return self._alias(value, "opq_" + secrets.token_urlsafe(24))
            if knobs.opaque_ids and HEX_ID.match(value):
                return self._alias(value, str(uuid.uuid4()))
        return value

    def _incoming(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._incoming(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._incoming(v) for v in value]
        if isinstance(value, str):
            return self._in.get(value, value)
        return value

    def _path_in(self, path: str) -> str:
        return "/".join(self._in.get(part, part) for part in path.split("/"))

    # ---- ASGI ----
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, headers, content = await self._handle(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _handle(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        knobs, n = self.knobs, next(self._seq)
        self.counters.requests += 1
        path: str = scope["path"]
        self.counters.paths.append(f"{scope['method']} {path}")
        if knobs.prefix:
            if not path.startswith(knobs.prefix + "/"):
                return 404, [(b"content-type", b"text/plain")], b"no such route at the gateway"
            path = path[len(knobs.prefix) :]
        if (knobs.throttle_every and n % knobs.throttle_every == 0) or (
            knobs.limit_all and knobs.limit_path in f"{scope['method']} {path}"
        ):
            self.counters.throttled += 1
            headers = [(b"retry-after", knobs.retry_after.encode()), (b"content-type", b"application/json")]
            return 429, headers, b'{"message": "rate limit exceeded"}'
        headers = {
            k.decode().lower(): v.decode() for k, v in scope["headers"] if k.decode().lower() not in HOP
        }
        if knobs.opaque_tokens and headers.get("authorization", "").startswith("Bearer "):
            token = headers["authorization"].removeprefix("Bearer ")
            headers["authorization"] = "Bearer " + self._in.get(token, token)
        query = scope["query_string"].decode()
        if knobs.opaque_ids and query:
            query = str(
                httpx.QueryParams(
                    [(k, self._in.get(v, v)) for k, v in httpx.QueryParams(query).multi_items()]
                )
            )
            path = self._path_in(path)
        elif knobs.opaque_ids:
            path = self._path_in(path)
        if knobs.opaque_ids and body and "json" in headers.get("content-type", ""):
            with contextlib.suppress(ValueError):
                body = json.dumps(self._incoming(json.loads(body))).encode()
        assert self._client is not None
        url = path + (f"?{query}" if query else "")
        upstream = await self._client.request(scope["method"], url, headers=headers, content=body)
        await self._delay(n)
        return self._respond(upstream, accepts_gzip="gzip" in headers.get("accept-encoding", ""), path=path)

    async def _delay(self, n: int) -> None:
        knobs = self.knobs
        if knobs.slow_every and n % knobs.slow_every == 0:
            self.counters.slow += 1
            await asyncio.sleep(knobs.slow_latency)
        elif knobs.latency:
            await asyncio.sleep(knobs.latency)

    def _respond(
        self, upstream: httpx.Response, *, accepts_gzip: bool, path: str = ""
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        knobs = self.knobs
        content = upstream.content
        out = {k.lower(): v for k, v in upstream.headers.items() if k.lower() not in HOP}
        if (
            "json" in out.get("content-type", "")
            and content
            and (knobs.decorate or knobs.opaque_ids or knobs.opaque_tokens)
        ):
            with contextlib.suppress(ValueError):
                # C6.2 fixes the grid's top-level keys exactly (a narrower rule than C1.11)
                closed = path.endswith("/availability-grid")
                content = json.dumps(self._outgoing(json.loads(content), closed=closed)).encode()
        if knobs.decorate:
            out["x-gateway-request-id"] = uuid.uuid4().hex
            out["via"] = "1.1 conformance-proxy"
            out["cache-control"] = "no-store"
            if accepts_gzip and content and upstream.status_code not in (204, 304):
                content = gzip.compress(content)
                out["content-encoding"] = "gzip"
        out["content-length"] = str(len(content))
        headers = [(k.encode(), v.encode()) for k, v in out.items()]
        return upstream.status_code, headers, content


class RunningProxy:
    """The proxy served by uvicorn in a thread on a free loopback port."""

    def __init__(self, upstream: str, knobs: Knobs) -> None:
        self.app = Proxy(upstream, knobs)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
            async with httpx.AsyncClient(base_url=self.app.upstream, limits=limits, timeout=60.0) as client:
                self.app._client = client
                await self.server.serve()

        asyncio.run(main())

    def __enter__(self) -> RunningProxy:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("proxy did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}{self.app.knobs.prefix}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
