"""JWKs (protocol.md §1): EC P-256 for ES256 and OKP Ed25519 for EdDSA — importing, generating, publishing.

Every key has exactly one algorithm: a JWK's `alg`, when present, must be the one its curve implies.
"""
import secrets
from typing import Any, Dict, Optional, Tuple, Union

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .b64 import b64url_decode, b64url_encode
from .errors import MalformedInput
from .jws import PublicKey, sign_raw

PrivateKey = Union[ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey]
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k", "oth")


def _alg_of(jwk: Dict[str, Any]) -> str:
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        alg = "ES256"
    elif jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        alg = "EdDSA"
    else:
        raise MalformedInput("a key must be EC P-256 (ES256) or OKP Ed25519 (EdDSA)")
    if jwk.get("alg", alg) != alg:
        raise MalformedInput(f"key alg {jwk.get('alg')!r} does not fit its curve (expected {alg})")
    return alg


def _coordinate(jwk: Dict[str, Any], name: str) -> bytes:
    value = b64url_decode(jwk.get(name, "") if isinstance(jwk.get(name), str) else "")
    if len(value) != 32:
        raise MalformedInput(f"key member {name} must be 32 bytes")
    return value


def public_key_from_jwk(jwk: Dict[str, Any]) -> Tuple[str, PublicKey]:
    """(alg, key) of a public JWK; a JWK with private members is refused, as the exchange refuses it."""
    if not isinstance(jwk, dict):
        raise MalformedInput("a JWK is a JSON object")
    if any(m in jwk for m in _PRIVATE_MEMBERS):
        raise MalformedInput("a public JWK must not carry private members")
    alg = _alg_of(jwk)
    if alg == "EdDSA":
        return alg, ed25519.Ed25519PublicKey.from_public_bytes(_coordinate(jwk, "x"))
    x, y = (int.from_bytes(_coordinate(jwk, c), "big") for c in ("x", "y"))
    try:  # cryptography refuses a point that is not on the curve
        return alg, ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError as e:
        raise MalformedInput(f"not a P-256 public key: {e}") from None


def _public_members(alg: str, key: PrivateKey) -> Dict[str, str]:
    if alg == "EdDSA":
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url_encode(numbers.x.to_bytes(32, "big")), "y": b64url_encode(numbers.y.to_bytes(32, "big"))}


class SigningKey:
    """A private key with its kid and alg: signs JWS signing inputs in the JWS form (r‖s for ES256)."""

    def __init__(self, kid: str, alg: str, key: PrivateKey):
        self.kid, self.alg, self._key = kid, alg, key

    @classmethod
    def from_jwk(cls, jwk: Dict[str, Any], kid: Optional[str] = None) -> "SigningKey":
        """Import a private JWK as `corridor keygen` writes it (kid and alg inside); `kid` overrides the JWK's."""
        if not isinstance(jwk, dict) or not isinstance(jwk.get("d"), str):
            raise MalformedInput("a private JWK needs its private member d")
        alg = _alg_of(jwk)
        kid = kid or jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            raise MalformedInput("the private JWK has no kid: pass one")
        d = _coordinate(jwk, "d")
        key: PrivateKey
        if alg == "EdDSA":
            key = ed25519.Ed25519PrivateKey.from_private_bytes(d)
        else:
            key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
        public = _public_members(alg, key)
        # A JWK whose public members belong to another key would sign as a key nobody registered.
        if any(jwk.get(m) != v for m, v in public.items()):
            raise MalformedInput("the JWK's public members do not belong to its private key")
        return cls(kid, alg, key)

    @classmethod
    def generate(cls, kid: str, alg: str = "ES256") -> "SigningKey":
        if alg == "ES256":
            return cls(kid, alg, ec.generate_private_key(ec.SECP256R1()))
        if alg == "EdDSA":
            return cls(kid, alg, ed25519.Ed25519PrivateKey.generate())
        raise MalformedInput("alg must be ES256 or EdDSA")

    def sign(self, signing_input: bytes) -> bytes:
        return sign_raw(self.alg, self._key, signing_input)

    def public_jwk(self) -> Dict[str, str]:
        """The public JWK to register: `{kty, crv, x, y?, alg, use}` (the kid goes beside it in a key entry)."""
        return {**_public_members(self.alg, self._key), "alg": self.alg, "use": "sig"}

    def private_jwk(self) -> Dict[str, str]:
        """The private JWK with kid and alg inside, the same file format `corridor keygen` writes."""
        if self.alg == "EdDSA":
            d = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        else:
            d = self._key.private_numbers().private_value.to_bytes(32, "big")
        return {**self.public_jwk(), "d": b64url_encode(d), "kid": self.kid}


def random_id(nbytes: int = 18) -> str:
    """A fresh base64url id (18 bytes → 24 characters): a request's jti."""
    return b64url_encode(secrets.token_bytes(nbytes))
