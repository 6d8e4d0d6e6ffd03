"""Issuer-signed documents — licenses and end-use certificates — signed, and checked offline against the issuer's keys.

A document is a compact JWS by its issuer (header exactly {alg, kid, typ}); it holds under a key of the issuer's
published JWKS (GET /v1/agencies/{id}/jwks.json) that is active, or retired after the document's issuedAt; never under
a revoked key (protocol.md §1).
"""
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

from .answers import key_from_jwks, sha256_b64url
from .errors import DocumentInvalid, MalformedInput
from .jws import compact_json, parse_compact, sign_compact, verify_raw
from .keys import SigningKey, public_key_from_jwk

LICENSE_TYP = "corridor-license+jws"
EUC_TYP = "corridor-euc+jws"
_ID_MEMBER = {LICENSE_TYP: "licenseId", EUC_TYP: "eucId"}
_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class VerifiedDocument:
    document: Dict[str, Any]
    kid: str
    key_status: str  # active or retired (a retired key whose retiredAt is after the document's issuedAt)
    digest: str  # base64url SHA-256 of the JWS string, as license.verify's licenseDigest / euc.query's eucDigest


def sign_document(document: Dict[str, Any], key: SigningKey, typ: str = LICENSE_TYP) -> str:
    """The issuer's compact JWS over a license (or, with EUC_TYP, an end-use certificate): body.document of *.publish."""
    if typ not in _ID_MEMBER:
        raise MalformedInput(f"typ must be {LICENSE_TYP} or {EUC_TYP}")
    return sign_compact({"alg": key.alg, "kid": key.kid, "typ": typ}, compact_json(document), key)


def document_digest(jws: str) -> str:
    return sha256_b64url(jws.encode("ascii"))


def parse_time(value: Any) -> datetime:
    """An RFC 3339 date-time with an offset (2026-11-02T09:00:00Z, fractions allowed), timezone-aware."""
    m = _RFC3339.match(value) if isinstance(value, str) else None
    if not m:
        raise MalformedInput(f"not an RFC 3339 date-time: {value!r}")
    # fromisoformat before Python 3.11 takes neither Z nor every fraction length: rebuild the canonical form.
    micro = (m[3] or "")[:6].ljust(6, "0")
    offset = "+00:00" if m[4] in ("Z", "z") else m[4]
    try:
        return datetime.fromisoformat(f"{m[1]}T{m[2]}.{micro}{offset}")
    except ValueError:
        raise MalformedInput(f"not an RFC 3339 date-time: {value!r}") from None


def verify_document(
    jws: str,
    issuer_jwks: Dict[str, Any],
    *,
    issuer: str,
    typ: str = LICENSE_TYP,
    document_id: Optional[str] = None,
    digest: Optional[str] = None,
) -> VerifiedDocument:
    """Check an issuer document offline; raises DocumentInvalid saying why.

    `issuer` is the agency expected to have signed it (the document's own `issuer` must name it); `document_id` (its
    licenseId / eucId) and `digest` (licenseDigest / eucDigest of a verification answer), when given, must match too.
    """
    if typ not in _ID_MEMBER:
        raise DocumentInvalid(f"typ must be {LICENSE_TYP} or {EUC_TYP}")
    try:
        jws_parsed = parse_compact(jws, typ)
        kid = jws_parsed.header["kid"]
        jwk = key_from_jwks(issuer_jwks, kid)
        alg, key = public_key_from_jwk(jwk)
    except MalformedInput as e:
        raise DocumentInvalid(str(e)) from None
    # The key's own alg decides, never the header: a header naming another alg is refused.
    if alg != jws_parsed.header["alg"]:
        raise DocumentInvalid(f"header alg {jws_parsed.header['alg']} is not the alg of key {kid} ({alg})")
    if not verify_raw(alg, key, jws_parsed.signing_input, jws_parsed.signature):
        raise DocumentInvalid(f"the signature does not verify under {issuer}'s key {kid}")
    try:
        document = jws_parsed.payload_object()
    except MalformedInput as e:
        raise DocumentInvalid(str(e)) from None
    if document.get("issuer") != issuer:
        raise DocumentInvalid(f"the document's issuer {document.get('issuer')!r} is not {issuer!r}")
    if document_id is not None and document.get(_ID_MEMBER[typ]) != document_id:
        raise DocumentInvalid(f"the document's {_ID_MEMBER[typ]} {document.get(_ID_MEMBER[typ])!r} is not {document_id!r}")
    status = _key_status_for(jwk, kid, document)
    own_digest = document_digest(jws)
    if digest is not None and digest != own_digest:
        raise DocumentInvalid("the document's digest is not the one the exchange reported")
    return VerifiedDocument(document, kid, status, own_digest)


def _key_status_for(jwk: Dict[str, Any], kid: str, document: Dict[str, Any]) -> str:
    status = jwk.get("status")
    if status == "active":
        return status
    if status == "revoked":
        raise DocumentInvalid(f"key {kid} is revoked: it verifies nothing")
    if status == "retired":
        try:
            if parse_time(document.get("issuedAt")) < parse_time(jwk.get("retiredAt")):
                return status
        except MalformedInput as e:
            raise DocumentInvalid(f"retired key {kid}: {e}") from None
        raise DocumentInvalid(f"key {kid} was retired at {jwk.get('retiredAt')}, not after the document's issuedAt {document.get('issuedAt')}")
    raise DocumentInvalid(f"key {kid} has no usable status ({status!r}): is this an agency's JWKS?")
