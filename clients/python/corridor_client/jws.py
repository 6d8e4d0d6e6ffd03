"""Compact JWS (RFC 7515) with the protocol's allow-lists: header exactly {alg, kid, typ}, alg ES256 or EdDSA.

ES256 signatures travel as r‖s (64 bytes, RFC 7518 §3.4); `cryptography` speaks DER, so both directions convert here.
"""
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Tuple, Union

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .b64 import b64url_decode, b64url_encode
from .errors import MalformedInput

PublicKey = Union[ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey]
ALGORITHMS = ("ES256", "EdDSA")
HEADER_MEMBERS = {"alg", "kid", "typ"}


def der_to_raw(der: bytes, size: int = 32) -> bytes:
    """DER ECDSA-Sig-Value → r‖s, each left-padded to `size` bytes."""
    r, s = decode_dss_signature(der)
    if r >= 1 << (8 * size) or s >= 1 << (8 * size):
        raise MalformedInput("signature integer too large for the curve")
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def raw_to_der(raw: bytes, size: int = 32) -> bytes:
    """r‖s → DER ECDSA-Sig-Value; anything but exactly 2×size bytes is refused."""
    if len(raw) != 2 * size:
        raise MalformedInput(f"an ES256 signature is {2 * size} bytes")
    return encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))


def sign_raw(alg: str, key: Any, signing_input: bytes) -> bytes:
    if alg == "ES256":
        return der_to_raw(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    if alg == "EdDSA":
        return key.sign(signing_input)
    raise MalformedInput(f"alg {alg!r} is not allowed")


def verify_raw(alg: str, key: PublicKey, signing_input: bytes, signature: bytes) -> bool:
    """True iff `signature` (JWS form) verifies; the alg is the key's own, never the message's choice."""
    try:
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw_to_der(signature), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signing_input)
            return True
    except (InvalidSignature, MalformedInput):
        return False
    return False


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    obj: Dict[str, Any] = {}
    for k, v in pairs:
        if k in obj:
            raise MalformedInput(f"duplicate member name {k!r}")
        obj[k] = v
    return obj


def _no_constant(name: str) -> Any:
    raise MalformedInput(f"{name} is not JSON")


def strict_json(data: Union[bytes, str]) -> Any:
    """Parse UTF-8 JSON refusing duplicate member names and NaN/Infinity (as I-JSON, RFC 7493, requires)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError; the hooks' MalformedInput passes
        raise MalformedInput(f"not UTF-8 JSON: {e}") from None


def compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class CompactJws:
    header: Dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    def payload_object(self) -> Dict[str, Any]:
        obj = strict_json(self.payload)
        if not isinstance(obj, dict):
            raise MalformedInput("the JWS payload is not a JSON object")
        return obj


def parse_compact(token: str, typ: str, algorithms: Iterable[str] = ALGORITHMS) -> CompactJws:
    """Split and decode a compact JWS whose protected header is exactly {alg, kid, typ} with this typ and an allowed alg.

    Nothing is verified here; pair it with verify_raw under the key the kid names.
    """
    if not isinstance(token, str):
        raise MalformedInput("a compact JWS is a string")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedInput("a compact JWS has three segments")
    header = strict_json(b64url_decode(parts[0]))
    if not isinstance(header, dict) or set(header) != HEADER_MEMBERS:
        raise MalformedInput("the protected header must be exactly {alg, kid, typ}")
    if header["typ"] != typ:
        raise MalformedInput(f"typ is {header['typ']!r}, expected {typ!r}")
    if header["alg"] not in tuple(algorithms):
        raise MalformedInput(f"alg {header['alg']!r} is not allowed here")
    if not isinstance(header["kid"], str) or not header["kid"]:
        raise MalformedInput("kid must be a non-empty string")
    return CompactJws(header, b64url_decode(parts[1]), f"{parts[0]}.{parts[1]}".encode("ascii"), b64url_decode(parts[2]))


def sign_compact(header: Dict[str, str], payload: bytes, signer: Any) -> str:
    """`signer` has .sign(signing_input) → JWS-form signature (keys.SigningKey). The header is written as given."""
    if set(header) != HEADER_MEMBERS:
        raise MalformedInput("the protected header must be exactly {alg, kid, typ}")
    signing_input = f"{b64url_encode(compact_json(header))}.{b64url_encode(payload)}"
    return f"{signing_input}.{b64url_encode(signer.sign(signing_input.encode('ascii')))}"
