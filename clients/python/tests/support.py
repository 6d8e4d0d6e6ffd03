"""Shared by the tests: the repository's vectors, and a stand-in exchange that signs answers and seals with its own keys."""
import json
from pathlib import Path
from typing import Any, Dict, Optional

from corridor_client.answers import sha256_b64url
from corridor_client.b64 import b64url_encode
from corridor_client.jws import compact_json
from corridor_client.keys import SigningKey

ROOT = Path(__file__).resolve().parents[3]  # clients/python/tests/ → the repository
VECTORS = ROOT / "test" / "vectors" / "data"


def vector(name: str) -> Dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def sign_with_header(header: Dict[str, Any], payload: bytes, key: SigningKey) -> str:
    """A compact JWS with any header at all: forged and malformed messages are built with it."""
    signing_input = f"{b64url_encode(compact_json(header))}.{b64url_encode(payload)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"


class StandInExchange:
    """Keys and configuration like an exchange's: one response key, one seal key, published in one JWKS."""

    def __init__(self, exchange_id: str = "corridor:test") -> None:
        self.exchange_id = exchange_id
        self.response_key = SigningKey.generate("rsp-test-1")
        self.seal_key = SigningKey.generate("seal-test-1")
        self.jwks = {"keys": [{**k.public_jwk(), "kid": k.kid} for k in (self.response_key, self.seal_key)]}
        self.response_key_ids = [self.response_key.kid]
        self.seal_key_ids = [self.seal_key.kid]

    def answer(self, sent: bytes, status: int, *, key: Optional[SigningKey] = None, typ: str = "corridor-response+jws", **claims: Any) -> bytes:
        """A signed answer to `sent`; claims given as None are left out."""
        base: Dict[str, Any] = {"iss": self.exchange_id, "iat": 1_800_000_000, "jti": "rsp" + "x" * 20, "rqd": sha256_b64url(sent), "status": status}
        if 200 <= status < 300:
            base["result"] = {"ok": True}
        else:
            base["problem"] = {"type": "urn:corridor:problem:body-invalid", "title": "t", "status": status, "detail": "d"}
        base["auditId"] = "ev-" + "A" * 43
        base.update(claims)
        payload = {k: v for k, v in base.items() if v is not None}
        signer = key or self.response_key
        return sign_with_header({"alg": signer.alg, "kid": signer.kid, "typ": typ}, compact_json(payload), signer).encode("ascii")

    def seal(self, payload: Dict[str, Any], key: Optional[SigningKey] = None) -> str:
        signer = key or self.seal_key
        return sign_with_header({"alg": signer.alg, "kid": signer.kid, "typ": "corridor-seal+jws"}, compact_json(payload), signer)
