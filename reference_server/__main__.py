"""python -m reference_server [--host] [--port] [--database-url] [--workers] [--fault]"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

import uvicorn
from sqlalchemy.engine import make_url

from reference_server.db import Database
from reference_server.faults import load_policy
from reference_server.seed import bootstrap
from reference_server.serving import PROTOCOL
from reference_server.settings import Settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reference_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--database-url", help="default: sqlite:///reports/reference-server.sqlite")
    parser.add_argument("--workers", type=int, default=1, help="server processes sharing the port")
    parser.add_argument("--fault", help="start with one deliberate defect (see docs/faults.md)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    overrides = {"database_url": args.database_url, "fault": args.fault}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    try:
        load_policy(settings.fault)  # an unknown fault stops the start here, loudly
    except ValueError as exc:
        sys.exit(f"reference_server: {exc}")
    # Workers rebuild Settings from the environment: give them this start's exact values,
    # including one JWT key for all of them (a token signed by one must verify on another).
    os.environ["REFERENCE_SERVER_DATABASE_URL"] = settings.database_url
    os.environ["REFERENCE_SERVER_JWT_SECRET"] = settings.jwt_secret or secrets.token_urlsafe(32)
    os.environ["REFERENCE_SERVER_FAULT"] = settings.fault or ""
    db = Database(settings.database_url)
    seeded = bootstrap(db, settings)
    db.dispose()
    _announce(args, settings, seeded)
    uvicorn.run(
        "reference_server.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
        http=PROTOCOL,  # TCP_NODELAY: see serving.py
        access_log=False,
        log_level="warning",
    )


def _announce(args: argparse.Namespace, settings: Settings, seeded: list) -> None:
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    fault = f", fault {settings.fault}" if settings.fault else ""
    print(
        f"Reference server on http://{args.host}:{args.port} (database {url}, workers {args.workers}{fault})"
    )
    for account in seeded:
        print(f"  seeded {account.role} {account.email} / {account.password} ({account.tenant})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
