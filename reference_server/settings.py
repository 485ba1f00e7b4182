"""Typed configuration: CLI > environment (REFERENCE_SERVER_*) > defaults. Never read at import."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = "reports/reference-server.sqlite"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERENCE_SERVER_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # None: a random key is generated per start (and handed to every worker, see __main__).
    jwt_secret: str | None = None
    token_ttl_seconds: int = 3600
    fault: str | None = None

    seed_admin_email: str = "admin@example.com"
    seed_admin_password: str = "admin12345"
    seed_staff_email: str = "staff@example.com"
    seed_staff_password: str = "staff12345"
    seed_other_admin_email: str = "admin@other.example.com"
    seed_other_admin_password: str = "admin12345"
    seed_tenant_name: str = "Beauty Studio"
    seed_outlet_name: str = "Downtown Branch"
    seed_outlet_timezone: str = "Asia/Jakarta"
    seed_other_tenant_name: str = "Other Studio"

    @field_validator("database_url")
    @classmethod
    def _normalise_driver(cls, url: str) -> str:
        """postgres:// and postgresql:// mean the installed psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("fault")
    @classmethod
    def _empty_is_none(cls, fault: str | None) -> str | None:
        return fault or None

    @property
    def dialect(self) -> str:
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"
