"""Issuer documents checked offline (protocol.md §1): the key status rules, the expected issuer, and the header rules."""
import unittest

from corridor_client.b64 import b64url_encode
from corridor_client.documents import EUC_TYP, LICENSE_TYP, document_digest, sign_document, verify_document
from corridor_client.errors import DocumentInvalid
from corridor_client.jws import compact_json
from corridor_client.keys import SigningKey
from support import sign_with_header

ISSUED = "2026-11-02T09:00:00Z"
LICENSE = {"licenseId": "DE-2026-000123", "issuer": "DE-BAFA", "version": 1, "issuedAt": ISSUED, "validFrom": "2026-11-02",
           "validUntil": "2027-11-01", "destinationCountry": "SG", "items": [{"line": 1, "controlCode": "6A003.b.4", "quantity": 40}]}


def jwks_entry(key: SigningKey, status: str = "active", **times: str):
    return {**key.public_jwk(), "kid": key.kid, "status": status, **times}


class IssuerDocuments(unittest.TestCase):
    def setUp(self):
        self.key = SigningKey.generate("de-bafa-1")
        self.jws = sign_document(LICENSE, self.key)

    def verify(self, entry, jws=None, **kw):
        kw.setdefault("issuer", "DE-BAFA")
        return verify_document(jws or self.jws, {"keys": [entry]}, **kw)

    def assert_invalid(self, message, entry, jws=None, **kw):
        with self.assertRaises(DocumentInvalid) as ctx:
            self.verify(entry, jws, **kw)
        self.assertIn(message, str(ctx.exception))

    def test_under_an_active_key(self):
        d = self.verify(jwks_entry(self.key), document_id="DE-2026-000123", digest=document_digest(self.jws))
        self.assertEqual((d.document, d.kid, d.key_status), (LICENSE, "de-bafa-1", "active"))

    def test_eddsa_issuer_and_an_end_use_certificate(self):
        key = SigningKey.generate("sg-mti-1", "EdDSA")
        euc = {"eucId": "SG-EUC-88121", "issuer": "SG-MTI", "version": 1, "issuedAt": ISSUED}
        jws = sign_document(euc, key, EUC_TYP)
        self.assertEqual(verify_document(jws, {"keys": [jwks_entry(key)]}, issuer="SG-MTI", typ=EUC_TYP, document_id="SG-EUC-88121").document, euc)
        # a certificate is not a license: the typ decides what a JWS may pose as
        with self.assertRaises(DocumentInvalid):
            verify_document(jws, {"keys": [jwks_entry(key)]}, issuer="SG-MTI", typ=LICENSE_TYP)

    def test_under_a_retired_key_only_if_issued_before_its_retirement(self):
        self.assertEqual(self.verify(jwks_entry(self.key, "retired", retiredAt="2026-11-02T09:00:00.001Z")).key_status, "retired")
        self.assert_invalid("was retired at 2026-11-02T09:00:00Z, not after the document's issuedAt", jwks_entry(self.key, "retired", retiredAt=ISSUED))
        self.assert_invalid("was retired at", jwks_entry(self.key, "retired", retiredAt="2026-11-01T23:59:59Z"))
        self.assert_invalid("retired key de-bafa-1: not an RFC 3339 date-time", jwks_entry(self.key, "retired"))

    def test_never_under_a_revoked_key(self):
        self.assert_invalid("key de-bafa-1 is revoked", jwks_entry(self.key, "revoked", revokedAt="2030-01-01T00:00:00Z"))
        self.assert_invalid("key de-bafa-1 is revoked", jwks_entry(self.key, "revoked", retiredAt="2030-01-01T00:00:00Z", revokedAt="2030-01-02T00:00:00Z"))
        self.assert_invalid("has no usable status", {k: v for k, v in jwks_entry(self.key).items() if k != "status"})

    def test_the_document_must_be_the_expected_issuers_and_the_expected_one(self):
        self.assert_invalid("the document's issuer 'DE-BAFA' is not 'FR-DGDDI'", jwks_entry(self.key), issuer="FR-DGDDI")
        self.assert_invalid("licenseId 'DE-2026-000123' is not 'DE-2026-999'", jwks_entry(self.key), document_id="DE-2026-999")
        self.assert_invalid("digest", jwks_entry(self.key), digest=b64url_encode(b"\x00" * 32))
        # signed by DE-BAFA's key, but naming another issuer inside
        forged = sign_document({**LICENSE, "issuer": "FR-DGDDI"}, self.key)
        self.assert_invalid("the document's issuer 'FR-DGDDI' is not 'DE-BAFA'", jwks_entry(self.key), forged)

    def test_signature_key_and_header_rules(self):
        other = SigningKey.generate("de-bafa-1")  # same kid, another key: not the registered one
        self.assert_invalid("the signature does not verify under DE-BAFA's key de-bafa-1", jwks_entry(self.key), sign_document(LICENSE, other))
        self.assert_invalid("kid 'de-bafa-1' is not in the key set", jwks_entry(SigningKey.generate("de-bafa-2")))
        with self.assertRaises(DocumentInvalid) as ctx:  # a kid listed twice is ambiguous, not "the first one"
            verify_document(self.jws, {"keys": [jwks_entry(self.key), jwks_entry(self.key)]}, issuer="DE-BAFA")
        self.assertIn("kid 'de-bafa-1' is more than once in the key set", str(ctx.exception))
        payload = compact_json(LICENSE)
        extra = sign_with_header({"alg": "ES256", "kid": "de-bafa-1", "typ": LICENSE_TYP, "jwk": self.key.public_jwk()}, payload, self.key)
        self.assert_invalid("exactly {alg, kid, typ}", jwks_entry(self.key), extra)
        request_typ = sign_with_header({"alg": "ES256", "kid": "de-bafa-1", "typ": "corridor-request+jws"}, payload, self.key)
        self.assert_invalid("typ is 'corridor-request+jws'", jwks_entry(self.key), request_typ)
        # an EdDSA key registered under the kid the header names with ES256: the key's alg decides
        ed = SigningKey.generate("de-bafa-1", "EdDSA")
        self.assert_invalid("header alg ES256 is not the alg of key de-bafa-1 (EdDSA)", jwks_entry(ed))
        head, body, sig = self.jws.split(".")
        tampered = f"{head}.{b64url_encode(compact_json({**LICENSE, 'version': 2}))}.{sig}"
        self.assert_invalid("the signature does not verify", jwks_entry(self.key), tampered)


if __name__ == "__main__":
    unittest.main()
