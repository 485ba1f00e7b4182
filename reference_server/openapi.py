"""schemas/openapi.json: the contract, machine-readable, generated from the server's code.

`make openapi` (python -m reference_server.openapi) writes it; `--check` exits 1 when the file
differs from what the server serves (tests/fuzz/test_openapi.py holds the same line in CI).
The document comes from FastAPI's `responses=` on each route, never from a hand-kept file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from reference_server.app import create_app
from reference_server.settings import Settings

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "schemas" / "openapi.json"


def served_openapi() -> dict[str, Any]:
    """What GET /api/v1/openapi.json answers (building the app connects to no database)."""
    with tempfile.TemporaryDirectory(prefix="openapi-") as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/unused.sqlite"))
        try:
            return app.openapi()
        finally:
            app.state.db.dispose()


def render(document: dict[str, Any]) -> str:
    # Sorted keys and a trailing newline: a regenerated file differs only where the API did.
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--output", type=Path, default=OPENAPI_PATH)
    args = parser.parse_args(argv)
    text = render(served_openapi())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run `make openapi` and commit it", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
