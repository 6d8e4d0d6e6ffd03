"""The Python client against a real local exchange (npm start): agencies registered with the operator key, a license
signed in Python, published, granted, verified by customs and checked offline, refusals verified, the audit trail
queried by an auditor and one call proven against a seal — everything checked by this client alone."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from corridor_client import (DocumentInvalid, LICENSE_TYP, SigningKey, UntrustedAnswer, document_digest, leaf_hash,
                             sign_document, verify_document, verify_proof)
from corridor_client.b64 import b64url_decode
from corridor_client.errors import ProofInvalid
from live import license_document, local_file, operator_client, register, seal_now, today, unique_id

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def another_event_id(client, issuer_id):
    """The audit id of another call by the same agency (here a refused one)."""
    return client.call("license.drawdowns", {"licenseId": f"{issuer_id}-L1"}).audit_id


class LiveExchange(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = local_file()
        cls.operator = operator_client(cls.local)
        cls.issuer_id, cls.customs_id = unique_id("DE", "PYL"), unique_id("NL", "PYC")
        cls.issuer, cls.issuer_key = register(cls.operator, cls.issuer_id, ["licensing"])
        cls.customs, cls.customs_key = register(cls.operator, cls.customs_id, ["customs"], "EdDSA")
        cls.auditor, _ = register(cls.operator, unique_id("EU", "PYA"), ["auditor"], auditScope="all")
        cls.license_id = f"{cls.issuer_id}-L1"
        cls.license_jws = sign_document(license_document(cls.issuer_id, cls.license_id), cls.issuer_key)
        published = cls.issuer.call("license.publish", {"document": cls.license_jws})
        granted = cls.issuer.call("agreement.put", {"partner": cls.customs_id, "documentType": "license", "permissions": ["verify", "read"]})
        if (published.status, granted.status) != (201, 201):
            raise AssertionError(f"setup: publish {published.status} {published.problem}, agreement {granted.status} {granted.problem}")
        cls.published = published.result

    def verify_shipment(self, quantity=5, **extra):
        return self.customs.call("license.verify", {"issuer": self.issuer_id, "licenseId": self.license_id, "shipment": {
            "date": today(), "destinationCountry": "SG", "items": [{"controlCode": "6A003.b.4", "quantity": quantity}], **extra}})

    def test_the_exchange_publishes_what_the_client_needs(self):
        config, jwks = self.operator.discover()
        self.assertEqual(config["exchangeId"], self.local["exchangeId"])
        self.assertTrue(config["responseKeyIds"] and config["sealKeyIds"])
        kids = {k["kid"] for k in jwks["keys"]}
        self.assertTrue(set(config["responseKeyIds"]) <= kids and set(config["sealKeyIds"]) <= kids)
        published = self.operator.agency_jwks(self.issuer_id)["keys"]
        self.assertEqual(published, [{**self.issuer_key.public_jwk(), "kid": self.issuer_key.kid, "status": "active"}])

    def test_a_license_signed_in_python_is_published_with_its_digest(self):
        self.assertEqual(self.published, {"licenseId": self.license_id, "version": 1, "digest": document_digest(self.license_jws)})

    def test_customs_verifies_a_shipment_and_checks_the_license_offline(self):
        answer = self.verify_shipment(exporter={"name": "OPTIK-WERKE GMBH"}, consignee={"name": "Lumen Trading Pte. Ltd."})
        self.assertEqual((answer.status, answer.claims["aud"], answer.problem), (200, self.customs_id, None))
        r = answer.result
        self.assertEqual(r["outcome"], "valid")
        self.assertEqual([c["name"] for c in r["checks"]], ["signature", "status", "validity", "destination", "exporter", "consignee", "items"])
        self.assertEqual(r["lines"], [{"line": 1, "controlCode": "6A003.b.4", "remaining": 40}])
        doc = verify_document(r["document"], self.customs.agency_jwks(self.issuer_id), issuer=self.issuer_id,
                              document_id=self.license_id, digest=r["licenseDigest"])
        self.assertEqual((doc.kid, doc.key_status, doc.document["items"][0]["value"]), (self.issuer_key.kid, "active", 120000.5))
        # the same document is no license of another agency
        with self.assertRaises(DocumentInvalid):
            verify_document(r["document"], self.customs.agency_jwks(self.issuer_id), issuer=self.customs_id)
        too_many = self.verify_shipment(quantity=41)
        self.assertEqual(too_many.result["outcome"], "invalid")
        self.assertFalse(next(c for c in too_many.result["checks"] if c["name"] == "items")["ok"])

    def test_refusals_are_signed_problems_that_verify(self):
        bad = self.customs.call("license.verify", {"issuer": self.issuer_id, "licenseId": self.license_id, "shipment": {"date": today()}, "extra": 1})
        self.assertEqual((bad.status, bad.problem["type"], bad.claims["aud"]), (400, "urn:corridor:problem:body-invalid", self.customs_id))
        self.assertIn({"pointer": "/body/extra", "detail": "unknown member (schemas are closed)"}, bad.problem["errors"])
        self.assertRegex(bad.audit_id, r"^ev-[A-Za-z0-9_-]{43}$")
        forbidden = self.issuer.call("license.verify", {"issuer": self.issuer_id, "licenseId": self.license_id,
                                                        "shipment": {"date": today(), "destinationCountry": "SG", "items": [{"controlCode": "x", "quantity": 1}]}})
        self.assertEqual((forbidden.status, forbidden.problem["type"]), (403, "urn:corridor:problem:role-forbidden"))
        # bytes that are no JWS at all: a signed 400 naming no caller and no request
        garbage = self.customs.send(self.customs.route("license.verify"), b"not a jws")
        self.assertEqual((garbage.status, garbage.problem["type"]), (400, "urn:corridor:problem:malformed-request"))
        self.assertNotIn("aud", garbage.claims)

    def test_an_answer_to_another_request_is_refused(self):
        token, _ = self.customs.sign_request("license.drawdowns", {"licenseId": self.license_id})
        with self.assertRaises(UntrustedAnswer) as ctx:  # a genuine answer, checked as if it answered another jti
            self.customs.send(self.customs.route("license.drawdowns"), token.encode(), jti="x" * 24, agency_id=self.customs_id)
        self.assertIn("irt is not our request's jti", ctx.exception.reason)

    def test_an_auditor_proves_a_call_against_a_seal(self):
        call = self.verify_shipment()
        events = self.auditor.call("audit.query", {"actor": self.customs_id, "action": "license.verify"}).result["events"]
        event = next(e for e in events if e["id"] == call.audit_id)
        self.assertEqual((event["decision"], event["status"], event["owner"]), ("allow", 200, self.issuer_id))
        self.assertEqual(leaf_hash(event), b64url_decode(event["hash"]))
        seal_now()
        proof = self.auditor.call("audit.proof", {"eventId": call.audit_id})
        self.assertEqual(proof.status, 200, proof.problem)
        config, jwks = self.auditor.discover()
        checks = dict(exchange_id=config["exchangeId"], exchange_jwks=jwks, seal_key_ids=config["sealKeyIds"])
        verified = verify_proof(proof.result, event_id=call.audit_id, **checks)
        self.assertEqual(verified.event, event)
        self.assertEqual(verified.seal["exchangeId"], self.local["exchangeId"])
        self.assertLessEqual(event["ts"], verified.sealed_at)  # the seal says when it was made: after the call
        self.assertEqual(verify_proof(proof.result, event_id=call.audit_id, expected_event=event, **checks).leaf_index, verified.leaf_index)
        with self.assertRaises(ProofInvalid):  # the same genuine proof, taken as the proof of another event
            verify_proof(proof.result, event_id=another_event_id(self.customs, self.issuer_id), **checks)
        with self.assertRaises(ProofInvalid):  # the event edited after sealing
            verify_proof({**proof.result, "event": {**event, "status": 403}}, event_id=call.audit_id, **checks)

    def test_retired_and_revoked_issuer_keys(self):
        issuer_id = unique_id("FR", "PYR")
        issuer, first = register(self.operator, issuer_id, ["licensing"], "EdDSA")
        signed = sign_document(license_document(issuer_id, f"{issuer_id}-L1"), first)
        self.assertEqual(issuer.call("license.publish", {"document": signed}).status, 201)
        second = SigningKey.generate(f"{issuer_id.lower()}-2")
        added = issuer.call("agency.keys", {"add": [{"kid": second.kid, "jwk": second.public_jwk()}], "retire": [first.kid]})
        self.assertEqual(added.status, 200, added.problem)
        jwks = issuer.agency_jwks(issuer_id)
        old = next(k for k in jwks["keys"] if k["kid"] == first.kid)
        self.assertEqual(old["status"], "retired")
        # signed before the retirement: still valid offline
        self.assertEqual(verify_document(signed, jwks, issuer=issuer_id).key_status, "retired")
        # signed with the retired key afterwards (a stolen file, say): refused offline by the same rule
        late = sign_document({**license_document(issuer_id, f"{issuer_id}-L2"), "issuedAt": "2099-01-01T00:00:00Z"}, first, LICENSE_TYP)
        with self.assertRaises(DocumentInvalid):
            verify_document(late, jwks, issuer=issuer_id)
        issuer.signing_key = second
        revoked = issuer.call("agency.keys", {"revoke": [first.kid]})
        self.assertEqual(revoked.status, 200, revoked.problem)
        with self.assertRaises(DocumentInvalid) as ctx:  # a revoked key verifies nothing
            verify_document(signed, issuer.agency_jwks(issuer_id), issuer=issuer_id)
        self.assertIn("is revoked", str(ctx.exception))

    def test_the_example_script(self):
        with tempfile.TemporaryDirectory() as tmp:
            key_file = Path(tmp) / "customs.private.jwk.json"
            key_file.write_text(json.dumps(self.customs_key.private_jwk()), encoding="utf-8")
            env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR), "CORRIDOR_URL": self.local["url"], "CORRIDOR_AGENCY": self.customs_id,
                   "CORRIDOR_KEY_FILE": str(key_file), "PYTHONIOENCODING": "utf-8"}
            run = subprocess.run([sys.executable, str(PACKAGE_DIR / "examples" / "verify_license.py"), self.issuer_id, self.license_id,
                                  today(), "SG", "6A003.b.4=5"], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.splitlines()
        self.assertEqual(lines[0], f"license {self.issuer_id}/{self.license_id} v1: VALID")
        self.assertIn(f"  ✓ issuer-signed license checked offline: signed by {self.issuer_id} with key {self.issuer_key.kid} (active)", lines)
        self.assertRegex(lines[-1], r"^  ✓ response signature verified \(key .+\) · audit event ev-[A-Za-z0-9_-]{43}$")


if __name__ == "__main__":
    unittest.main()
