"""Corridor partner client for Python: signed requests, verified answers, offline checks of documents and audit proofs.

Written from docs/protocol.md; needs only the standard library and `cryptography` (38 or later).
"""
from .answers import Answer, verify_answer
from .audit_proof import VerifiedProof, leaf_hash, merkle_root, root_from_inclusion_path, verify_proof, verify_seal
from .client import CorridorClient
from .documents import EUC_TYP, LICENSE_TYP, VerifiedDocument, document_digest, sign_document, verify_document
from .errors import (
    CorridorError,
    DocumentInvalid,
    ExchangeUnreachable,
    MalformedInput,
    ProofInvalid,
    UnknownResponseKey,
    UntrustedAnswer,
)
from .jcs import canonicalize
from .keys import SigningKey
from .names import name_key, names_match

__all__ = [
    "Answer", "CorridorClient", "CorridorError", "DocumentInvalid", "EUC_TYP", "ExchangeUnreachable", "LICENSE_TYP",
    "MalformedInput", "ProofInvalid", "SigningKey", "UnknownResponseKey", "UntrustedAnswer", "VerifiedDocument",
    "VerifiedProof", "canonicalize", "document_digest", "leaf_hash", "merkle_root", "name_key", "names_match",
    "root_from_inclusion_path", "sign_document", "verify_answer", "verify_document", "verify_proof", "verify_seal",
]
