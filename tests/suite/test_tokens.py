"""fixtures/tokens.py: every forgery variant yields a request for JWT and opaque tokens alike."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from fixtures import tokens

REAL_JWT = jwt.encode({"sub": "u1", "tid": "t1", "role": "tenant_admin", "exp": 4_102_444_800}, "k" * 32)
OPAQUE = [
    "3q2+7w==",  # base64 with padding
    "Zm9vYmFyYmF6cXV4",  # base64url
    "sk_live_0123456789abcdef",
    "a.b.c",  # three segments that are not JSON
    base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode().rstrip("=")
    + ".bm90LWpzb24.sig",  # payload not JSON
    "x",
    "e30.e30",  # two segments
]


def _token(authorization: str | None) -> str | None:
    return None if authorization is None else authorization.split(" ", 1)[1]


@pytest.mark.parametrize(
    "token", [REAL_JWT, *OPAQUE], ids=["jwt", *[f"opaque-{i}" for i in range(len(OPAQUE))]]
)
@pytest.mark.parametrize("variant", tokens.VARIANTS)
def test_every_variant_forges_a_header_that_differs_from_the_real_one(token: str, variant: str) -> None:
    forgery = tokens.forge(variant, token)
    assert forgery.variant == variant and forgery.what
    if variant == "missing-header":
        assert forgery.headers() == {}
    else:
        assert forgery.authorization != f"Bearer {token}"


def test_jwt_is_recognised_and_opaque_tokens_are_not() -> None:
    assert tokens.is_jwt(REAL_JWT)
    assert not any(tokens.is_jwt(token) for token in OPAQUE)


def test_jwt_forgeries_keep_the_claims_but_break_the_proof() -> None:
    unsigned = _token(tokens.forge("alg-none-token", REAL_JWT).authorization)
    header, payload, signature = unsigned.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==="))["alg"] == "none"
    assert signature == "" and payload == REAL_JWT.split(".")[1]
    expired = _token(tokens.forge("expired-token", REAL_JWT).authorization)
    assert jwt.decode(expired, options={"verify_signature": False})["exp"] == 1
    assert expired.split(".")[2] == REAL_JWT.split(".")[2]
    for variant in ("tampered-signature", "expired-token", "alg-none-token", "tampered-token"):
        forged = _token(tokens.forge(variant, REAL_JWT).authorization)
        with pytest.raises(jwt.PyJWTError):
            jwt.decode(forged, "k" * 32, algorithms=["HS256"])


def test_opaque_forgeries_are_real_copies_that_differ() -> None:
    token = "sk_live_0123456789abcdef"
    assert _token(tokens.forge("alg-none-token", token).authorization) == token[:-1]
    for variant in ("tampered-signature", "expired-token", "tampered-token"):
        forged = _token(tokens.forge(variant, token).authorization)
        assert len(forged) == len(token) and sum(a != b for a, b in zip(forged, token, strict=True)) == 1


@pytest.mark.parametrize("index", range(8))
def test_flipped_character_changes_the_decoded_bytes(index: int) -> None:
    # The last base64 character may hold padding bits: the change must still reach the bytes.
    token = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
    at = len(token) - 1 - index
    flipped = tokens.flip_char(token, at)
    decode = lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))  # noqa: E731
    assert decode(flipped) != decode(token)


def test_unknown_variant_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        tokens.forge("no-such-variant", "t")
