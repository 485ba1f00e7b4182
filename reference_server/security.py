"""Password hashing (argon2 via pwdlib) and JWT access tokens (PyJWT, HS256, with expiry)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache, lru_cache

import jwt
from pwdlib import PasswordHash

ALGORITHM = "HS256"
ROLES = ("tenant_admin", "outlet_manager", "staff")
_hasher = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps "unknown email" as slow as "wrong password" (no user probing)."""
    return _hasher.hash("not-a-real-password")


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    tenant_id: str
    role: str

    @property
    def configures(self) -> bool:
        """May change configuration (services, staff, availability)."""
        return self.role in ("tenant_admin", "outlet_manager")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-work check; a missing hash still costs one verification."""
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a corrupt stored hash is a failed login, not a 500
        return False


def issue_token(principal: Principal, *, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "sub": principal.user_id,
        "tid": principal.tenant_id,
        "role": principal.role,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str) -> Principal | None:
    """The principal of a valid token; None for expired, forged, unsigned or malformed ones."""
    verified = _verified(token, secret)
    # PyJWT's own rule (expired when exp <= now), applied on every use, cached or not.
    if verified is None or verified[1] <= time.time():
        return None
    return verified[0]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def principal_of(claims: dict[str, object]) -> Principal | None:
    """The principal named by verified claims, or None when a claim is missing or wrong."""
    sub, tid, role = claims.get("sub"), claims.get("tid"), claims.get("role")
    if not (isinstance(sub, str) and isinstance(tid, str) and role in ROLES):
        return None
    return Principal(user_id=sub, tenant_id=tid, role=str(role))


@lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[Principal, float] | None:
    """Signature and claims checked once per token string (a decode costs ~40 us per request);
    the result only depends on (token, secret), so it is cached; expiry is checked by the caller."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "tid", "role"]}
        )
    except jwt.PyJWTError:
        return None
    principal = principal_of(claims)
    return None if principal is None else (principal, float(claims["exp"]))
