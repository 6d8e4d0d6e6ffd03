"""Accepting an answer (protocol.md §3): only a JWS the exchange signed, for this caller, about exactly this request."""
import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .b64 import b64url_encode
from .errors import MalformedInput, UnknownResponseKey, UntrustedAnswer
from .jws import parse_compact, verify_raw
from .keys import public_key_from_jwk

RESPONSE_TYP = "corridor-response+jws"


@dataclass(frozen=True)
class Answer:
    """A verified answer: `result` on success (200/201), `problem` (RFC 9457) on a signed refusal."""

    status: int
    result: Optional[Any]
    problem: Optional[Dict[str, Any]]
    audit_id: Optional[str]
    kid: str
    claims: Dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.problem is None


def sha256_b64url(data: bytes) -> str:
    return b64url_encode(hashlib.sha256(data).digest())


def key_from_jwks(jwks: Dict[str, Any], kid: str) -> Dict[str, Any]:
    """The one JWK with this kid; none or several (ambiguous) is an error."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    found: List[Dict[str, Any]] = [k for k in keys if isinstance(k, dict) and k.get("kid") == kid] if isinstance(keys, list) else []
    if len(found) != 1:
        raise MalformedInput(f"kid {kid!r} is {'not' if not found else 'more than once'} in the key set")
    return found[0]


def media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def verify_answer(
    *,
    body: bytes,
    http_status: int,
    content_type: Optional[str],
    exchange_id: str,
    response_key_ids: List[str],
    jwks: Dict[str, Any],
    sent: bytes,
    agency_id: Optional[str],
    jti: Optional[str],
) -> Answer:
    """Check an answer to the request whose raw bytes were `sent`, raising UntrustedAnswer at the first failed step.

    `agency_id` / `jti` are the request's `iss` / `jti` (None when what was sent carried none, e.g. not a JWS).
    """

    def untrusted(reason: str) -> UntrustedAnswer:
        return UntrustedAnswer(reason, http_status)

    # 1. Only a JWS can be the exchange's answer; a gateway's or a proxy's JSON is no answer at all.
    if media_type(content_type) != "application/jose":
        raise untrusted(f"not signed (content type {content_type or 'missing'})")
    try:
        text = body.decode("ascii")
        jws = parse_compact(text, RESPONSE_TYP, ("ES256",))
    except (UnicodeDecodeError, MalformedInput) as e:
        raise untrusted(f"not a response JWS: {e}") from None
    # 2. Only under a response key: the same JWKS holds the seal keys, which must not sign answers.
    kid = jws.header["kid"]
    if kid not in response_key_ids:
        raise UnknownResponseKey(f"kid {kid!r} is not one of the exchange's response keys", http_status)
    # 3. The signature, with that key under its own alg.
    try:
        jwk = key_from_jwks(jwks, kid)
    except MalformedInput as e:
        raise UnknownResponseKey(f"response key {kid!r}: {e}", http_status) from None
    try:
        alg, key = public_key_from_jwk(jwk)
    except MalformedInput as e:
        raise untrusted(f"response key {kid!r}: {e}") from None
    if alg != "ES256" or not verify_raw(alg, key, jws.signing_input, jws.signature):
        raise untrusted("the signature does not verify under the exchange's response key")
    try:
        claims = jws.payload_object()
    except MalformedInput as e:
        raise untrusted(str(e)) from None
    # 4. From this exchange, with the status the HTTP layer reported.
    if claims.get("iss") != exchange_id:
        raise untrusted(f"iss {claims.get('iss')!r} is not the exchange id {exchange_id!r}")
    status = claims.get("status")
    if type(status) is not int or status != http_status:
        raise untrusted(f"signed status {status!r} differs from the HTTP status")
    # 5. About exactly the bytes we sent.
    if claims.get("rqd") != sha256_b64url(sent):
        raise untrusted("rqd is not the digest of the request we sent")
    # 6. For us and for this request: aud and irt, when present, must be ours; a success must carry both.
    if "aud" in claims and (agency_id is None or claims["aud"] != agency_id):
        raise untrusted(f"aud {claims['aud']!r} is not our agency")
    if "irt" in claims and (jti is None or claims["irt"] != jti):
        raise untrusted("irt is not our request's jti")
    success = 200 <= status < 300
    if success and ("aud" not in claims or "irt" not in claims):
        raise untrusted("a success must name its caller (aud) and its request (irt)")
    # 7. A success carries a result and a refusal a problem of the same status, never both.
    result, problem = claims.get("result"), claims.get("problem")
    if success != ("result" in claims) or success == ("problem" in claims):
        raise untrusted("a success carries result, a refusal carries problem")
    if problem is not None and (not isinstance(problem, dict) or problem.get("status") != status):
        raise untrusted("the problem's status differs from the answer's")
    audit_id = claims.get("auditId")
    return Answer(status, result, problem, audit_id if isinstance(audit_id, str) else None, kid, claims)
