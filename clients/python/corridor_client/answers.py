"""Accepting an answer (protocol.md §3): only a JWS the exchange signed, for this caller, about exactly this request."""
import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .b64 import b64url_encode
from .errors import MalformedInput, UnknownResponseKey, UntrustedAnswer
from .jws import parse_compact, verify_raw
from .keys import public_key_from_jwk

RESPONSE_TYP = "corridor-response+jws"
STATUSES = (200, 201, 400, 401, 403, 404, 409, 413, 415, 429, 503)
# Refusals decided before the caller's signature verified (no aud) or its jti could be read (no irt).
MAY_LACK_AUD_OR_IRT = (400, 401, 413, 415, 503)


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
    """Check an answer to the request whose raw bytes were `sent` by the steps of protocol.md §3 "Accepting an answer",
    raising UntrustedAnswer at the first that fails.

    `agency_id` / `jti` are the request's `iss` / `jti` (None when what was sent carried none, e.g. not a JWS).
    """

    def untrusted(reason: str) -> UntrustedAnswer:
        return UntrustedAnswer(reason, http_status)

    # Step numbers are those of protocol.md §3 "Accepting an answer".
    # 1. Only a JWS can be the exchange's answer; a gateway's or a proxy's JSON is no answer at all.
    if media_type(content_type) != "application/jose":
        raise untrusted(f"not signed (content type {content_type or 'missing'})")
    # 2. Header exactly {alg: ES256, kid, typ: corridor-response+jws}, kid a response key — not one of the seal keys
    #    published in the same JWKS. (The client re-reads the configuration once on UnknownResponseKey.)
    try:
        jws = parse_compact(body.decode("ascii"), RESPONSE_TYP, ("ES256",))
    except (UnicodeDecodeError, MalformedInput) as e:
        raise untrusted(f"not a response JWS: {e}") from None
    kid = jws.header["kid"]
    if kid not in response_key_ids:
        raise UnknownResponseKey(f"kid {kid!r} is not one of the exchange's response keys", http_status)
    # 3. The signature, ES256 only, with that kid's key from the exchange JWKS.
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
    # 4. A JSON object, from this exchange.
    try:
        claims = jws.payload_object()
    except MalformedInput as e:
        raise untrusted(str(e)) from None
    if claims.get("iss") != exchange_id:
        raise untrusted(f"iss {claims.get('iss')!r} is not the exchange id {exchange_id!r}")
    # 5. About exactly the bytes we sent.
    if claims.get("rqd") != sha256_b64url(sent):
        raise untrusted("rqd is not the digest of the request we sent")
    # 6. The status the HTTP layer reported, and one the protocol has.
    status = claims.get("status")
    if type(status) is not int or status != http_status:
        raise untrusted(f"signed status {status!r} differs from the HTTP status")
    if status not in STATUSES:
        raise untrusted(f"status {status} is not one the protocol answers")
    # 7. For us and for this request, where it says so.
    if "aud" in claims and (agency_id is None or claims["aud"] != agency_id):
        raise untrusted(f"aud {claims['aud']!r} is not our agency")
    if "irt" in claims and (jti is None or claims["irt"] != jti):
        raise untrusted("irt is not our request's jti")
    result, problem = claims.get("result"), claims.get("problem")
    if status in (200, 201):
        # 8. A success names its caller and its request, and carries a result only.
        if "aud" not in claims or "irt" not in claims:
            raise untrusted("a success must name its caller (aud) and its request (irt)")
        if "result" not in claims or "problem" in claims:
            raise untrusted("a success carries result and no problem")
    else:
        # 9. A refusal carries a problem only, of its own status; only 400, 401, 413, 415 and 503 may lack aud or irt.
        if "problem" not in claims or "result" in claims:
            raise untrusted("a refusal carries problem and no result")
        if not isinstance(problem, dict) or problem.get("status") != status:
            raise untrusted("the problem's status differs from the answer's")
        if ("aud" not in claims or "irt" not in claims) and status not in MAY_LACK_AUD_OR_IRT:
            raise untrusted(f"a {status} must name its caller (aud) and its request (irt)")
    audit_id = claims.get("auditId")
    return Answer(status, result, problem, audit_id if isinstance(audit_id, str) else None, kid, claims)
