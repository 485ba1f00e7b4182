"""A tiny fake target for the suite's own tests: just enough of the contract for the preflight."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

PASSWORD = "good-password"


class FakeTarget(BaseHTTPRequestHandler):
    """Just enough of the contract for the preflight: /health, login, /tenants/me."""

    outlets: ClassVar[list[dict[str, Any]]] = [{"id": "o1", "name": "Downtown Branch"}]

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(200, {"status": "ok", "version": "fake-1"})
        elif self.path == "/api/v1/tenants/me" and self.headers.get("Authorization") == "Bearer tok":
            self._reply(200, {"id": "t1", "name": "Fake Studio", "outlets": self.outlets})
        else:
            self._reply(401, {"detail": "Not authenticated"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/api/v1/auth/login" and body.get("password") == PASSWORD:
            self._reply(200, {"access_token": "tok", "token_type": "bearer", "expires_in": 3600})
        else:
            self._reply(401, {"detail": "Incorrect email or password"})

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass
