"""Audit inclusion proofs checked offline (protocol.md §6): the event's leaf, its RFC 9162 path, and the signed seal.

leaf = SHA-256(0x00 ‖ JCS(event without `hash`)), node = SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1); a seal is a
JWS by a key listed in the configuration's sealKeyIds, typ corridor-seal+jws, over {exchangeId, seq, count, first,
last, root, prev} and, since protocol revision 3, `sealedAt` (when the seal was made), `backlog` and `lateBeyondBound`;
members this client does not know are ignored. Only the exchange's published seal key is trusted, never the exchange's word.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from .answers import key_from_jwks
from .b64 import b64url_decode
from .errors import MalformedInput, ProofInvalid
from .jcs import canonicalize
from .jws import parse_compact, verify_raw
from .keys import public_key_from_jwk

SEAL_TYP = "corridor-seal+jws"


def leaf_hash(event: Dict[str, Any]) -> bytes:
    """RFC 9162 leaf hash of an audit event as audit.query / audit.proof return it, its own `hash` member left out."""
    return hashlib.sha256(b"\x00" + canonicalize({k: v for k, v in event.items() if k != "hash"})).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH (RFC 9162 §2.1.1): the tree head over these leaf hashes; SHA-256 of nothing for an empty tree."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)  # the largest power of two below n
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def root_from_inclusion_path(leaf_index: int, tree_size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root that `path` proves `leaf` at `leaf_index` into, by RFC 9162 §2.1.3.2; ProofInvalid if it proves nothing."""
    if not 0 <= leaf_index < tree_size:
        raise ProofInvalid(f"leaf index {leaf_index} is outside a tree of {tree_size}")
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofInvalid("the path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofInvalid("the path is shorter than the tree is deep")
    return r


def verify_seal(seal: str, exchange_jwks: Dict[str, Any], seal_key_ids: List[str], exchange_id: str) -> Dict[str, Any]:
    """The payload of a seal signed by one of the exchange's seal keys for this exchange; ProofInvalid otherwise."""
    try:
        jws = parse_compact(seal, SEAL_TYP, ("ES256",))
        kid = jws.header["kid"]
        if kid not in seal_key_ids:
            raise ProofInvalid(f"seal kid {kid!r} is not one of the exchange's seal keys")
        alg, key = public_key_from_jwk(key_from_jwks(exchange_jwks, kid))
        if alg != "ES256" or not verify_raw(alg, key, jws.signing_input, jws.signature):
            raise ProofInvalid("the seal's signature does not verify under the exchange's seal key")
        payload = jws.payload_object()
    except MalformedInput as e:
        raise ProofInvalid(f"seal: {e}") from None
    if payload.get("exchangeId") != exchange_id:
        raise ProofInvalid(f"the seal is of exchange {payload.get('exchangeId')!r}, not {exchange_id!r}")
    count = payload.get("count")
    if type(count) is not int or count < 1 or not isinstance(payload.get("root"), str):
        raise ProofInvalid("the seal has no count or root")
    if "sealedAt" in payload and _instant(payload["sealedAt"]) is None:
        raise ProofInvalid("the seal's sealedAt is not an RFC 3339 date-time")
    return payload


def _instant(value: Any) -> Optional[datetime]:
    """An RFC 3339 date-time with an offset (`Z` or ±hh:mm), or None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        t = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


@dataclass(frozen=True)
class VerifiedProof:
    event: Dict[str, Any]
    seal: Dict[str, Any]  # the verified seal payload: seq, count, first, last, root, prev (sealedAt, … when present)
    leaf_index: int

    @property
    def sealed_at(self) -> Optional[str]:
        """When the seal was made (the event existed by then); None for a seal from before protocol revision 3."""
        return self.seal.get("sealedAt")


def verify_proof(
    proof: Dict[str, Any], *, event_id: str, exchange_id: str, exchange_jwks: Dict[str, Any], seal_key_ids: List[str],
    expected_event: Optional[Dict[str, Any]] = None,
) -> VerifiedProof:
    """Check an audit.proof result for the event `event_id`: the event is that event (exactly `expected_event` when
    the caller holds it, e.g. from audit.query), its content matches its hash, the path leads from its leaf to the root
    of a seal signed by the exchange's seal key for `exchange_id`. ProofInvalid says why not."""
    event, path, index = proof.get("event"), proof.get("path"), proof.get("leafIndex")
    if not isinstance(event, dict) or not isinstance(path, list) or type(index) is not int:
        raise ProofInvalid("a proof has event, seal, leafIndex and path")
    # Bound to the event asked for: a valid proof of some other event proves nothing about this one.
    if event.get("id") != event_id:
        raise ProofInvalid(f"the proof is for event {event.get('id')!r}, not {event_id!r}")
    if event.get("exchangeId") != exchange_id:
        raise ProofInvalid(f"the event is of exchange {event.get('exchangeId')!r}, not {exchange_id!r}")
    if expected_event is not None and canonicalize(event) != canonicalize(expected_event):
        raise ProofInvalid(f"event {event_id} differs from the event asked about")
    try:
        leaf = leaf_hash(event)
        if b64url_decode(event.get("hash", "")) != leaf:
            raise ProofInvalid(f"event {event_id} changed: its content no longer matches its hash")
        siblings = [b64url_decode(p) for p in path]
    except MalformedInput as e:
        raise ProofInvalid(f"proof: {e}") from None
    if any(len(s) != 32 for s in siblings):
        raise ProofInvalid("a path entry is not a SHA-256 hash")
    seal = verify_seal(proof.get("seal", ""), exchange_jwks, seal_key_ids, exchange_id)
    count = seal["count"]
    if root_from_inclusion_path(index, count, leaf, siblings) != _decode_hash(seal["root"]):
        raise ProofInvalid(f"the path does not lead from event {event_id} to the root of seal {seal.get('seq')}")
    # The seal names its first and last leaf: an event claiming either position must be that event.
    if (index == 0 and seal.get("first") != event_id) or (index == count - 1 and seal.get("last") != event_id):
        raise ProofInvalid(f"seal {seal.get('seq')} names another event at leaf {index}")
    return VerifiedProof(event, seal, index)


def _decode_hash(value: str) -> bytes:
    try:
        return b64url_decode(value)
    except MalformedInput as e:
        raise ProofInvalid(f"seal root: {e}") from None
