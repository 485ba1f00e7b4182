"""Uvicorn's HTTP protocol with TCP_NODELAY on every accepted connection; a frozen start-up heap.

With `--workers` > 1 uvicorn binds the listening socket itself as `socket.socket(family)`,
whose `proto` is 0, and asyncio only turns Nagle off for sockets whose proto is IPPROTO_TCP.
Uvicorn writes a response as two segments (head, then body); with Nagle on, the body waits
for the client's delayed ACK of the head: about 40 ms per keep-alive response on Linux. That
capped /health at ~32 clients / 44 ms and put a 40 ms floor under every grid request.
"""

from __future__ import annotations

import asyncio
import gc
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

PROTOCOL = "reference_server.serving:NoDelayHTTPProtocol"


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


def settle_heap() -> None:
    """Move every object alive after start-up (modules, routes, pydantic validators, SQLAlchemy
    metadata) into the collector's permanent generation.

    A booking allocates enough to start the cyclic collector every few requests, and its
    older-generation passes walked that whole start-up heap: under a booking load on
    PostgreSQL `perf` put ~9 % of a worker's CPU in gc_collect_main and its visitors, ~3 %
    after the freeze. Frozen objects are still freed by reference counting; only cycles among
    them are never collected, and a process builds those once, at start.
    """
    gc.collect()
    gc.freeze()
