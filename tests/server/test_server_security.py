import base64
import json
import time

import httpx
import jwt
import pytest

from conftest import JWT_SECRET


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _status(server, token: str) -> int:
    return httpx.get(
        f"{server.url}/api/v1/tenants/me", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def token(admin) -> str:
    return admin.http.headers["Authorization"].split()[1]


def test_valid_token_is_accepted(server, token):
    assert _status(server, token) == 200


def test_tampered_payload_is_401(server, token):
    header, _, signature = token.split(".")
    claims = {**_claims(token), "role": "tenant_admin", "tid": "f" * 24}
    assert _status(server, f"{header}.{_b64(claims)}.{signature}") == 401


def test_tampered_signature_is_401(server, token):
    assert _status(server, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) == 401


def test_alg_none_is_401(server, token):
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(token))}."
    assert _status(server, unsigned) == 401


def test_token_signed_with_another_key_is_401(server, token):
    assert (
        _status(server, jwt.encode(_claims(token), "another-key-of-sufficient-length-000000", "HS256")) == 401
    )


def test_expired_token_is_401(server, token):
    claims = {**_claims(token), "iat": int(time.time()) - 7200, "exp": int(time.time()) - 60}
    assert _status(server, jwt.encode(claims, JWT_SECRET, algorithm="HS256")) == 401


def test_token_without_expiry_is_401(server, token):
    claims = {k: v for k, v in _claims(token).items() if k != "exp"}
    assert _status(server, jwt.encode(claims, JWT_SECRET, algorithm="HS256")) == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Basic abc", "Bearer a.b.c", "Token x", "Bearer ∞"])
def test_malformed_authorization_is_401(server, header):
    response = httpx.get(f"{server.url}/api/v1/tenants/me", headers={"Authorization": header.encode()})
    assert response.status_code == 401 and isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT"])
def test_real_token_under_another_scheme_is_401(server, token, scheme):
    # deps.current_principal reads the header itself (Policy.authenticate): only Bearer counts.
    response = httpx.get(f"{server.url}/api/v1/tenants/me", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 401


def test_bearer_scheme_is_case_insensitive(server, token):
    response = httpx.get(f"{server.url}/api/v1/tenants/me", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_tenant_header_changes_nothing(server, token):
    # C1.3: the tenant comes from the token alone.
    own = httpx.get(f"{server.url}/api/v1/tenants/me", headers={"Authorization": f"Bearer {token}"}).json()
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": "f" * 24}
    assert httpx.get(f"{server.url}/api/v1/tenants/me", headers=headers).json()["id"] == own["id"]
