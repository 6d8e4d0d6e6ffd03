"""CorridorClient without a server: the request it signs and where it posts it, and its one re-read of the configuration
when an answer names a response key it has not seen (the operator rotated since)."""
import re
import unittest
from unittest import mock

from corridor_client import CorridorClient, CorridorError, SigningKey, UnknownResponseKey
from corridor_client.jws import parse_compact, verify_raw
from corridor_client.keys import public_key_from_jwk
from corridor_client.transport import HttpAnswer
from support import StandInExchange

BASE = "https://exchange.example.eu"


class ClientWithoutServer(unittest.TestCase):
    def setUp(self):
        self.ex = StandInExchange()
        self.key = SigningKey.generate("nl-douane-1", "EdDSA")
        self.client = CorridorClient(BASE + "/", "NL-DOUANE", self.key.private_jwk())
        self.sent = []
        self.documents = {
            f"{BASE}/.well-known/corridor-configuration": self.config(self.ex.response_key_ids),
            f"{BASE}/.well-known/jwks.json": self.ex.jwks,
        }

    def config(self, response_key_ids):
        return {"protocolVersion": "corridor/1", "exchangeId": self.ex.exchange_id, "jwksUri": "/.well-known/jwks.json", "responseKeyIds": response_key_ids,
                "sealKeyIds": self.ex.seal_key_ids, "actions": [{"act": "license.verify", "route": "POST /v1/licenses/verify"}]}

    def post(self, url, *, data=None, content_type=None, timeout=None):
        self.sent.append((url, data, content_type))
        jti = parse_compact(data.decode(), "corridor-request+jws").payload_object()["jti"]
        return HttpAnswer(200, "application/jose", self.ex.answer(data, 200, aud="NL-DOUANE", irt=jti, key=self.signer), None)

    def run_call(self, signer=None):
        self.signer = signer or self.ex.response_key
        reads = []
        def get_json(url, timeout=None):
            reads.append(url)
            return self.documents[url]
        with mock.patch("corridor_client.client.http_request", self.post), mock.patch("corridor_client.client.get_json", get_json):
            answer = self.client.call("license.verify", {"issuer": "DE-BAFA"})
        return answer, reads

    def test_the_signed_request_and_where_it_goes(self):
        answer, reads = self.run_call()
        self.assertEqual(answer.result, {"ok": True})
        self.assertEqual(reads, [f"{BASE}/.well-known/corridor-configuration", f"{BASE}/.well-known/jwks.json"])
        (url, data, content_type), = self.sent
        self.assertEqual((url, content_type), (f"{BASE}/v1/licenses/verify", "application/jose"))
        jws = parse_compact(data.decode(), "corridor-request+jws")
        self.assertEqual(jws.header, {"alg": "EdDSA", "kid": "nl-douane-1", "typ": "corridor-request+jws"})
        claims = jws.payload_object()
        self.assertEqual(set(claims), {"iss", "aud", "iat", "exp", "jti", "act", "body"})
        self.assertEqual((claims["iss"], claims["aud"], claims["act"], claims["body"]), ("NL-DOUANE", self.ex.exchange_id, "license.verify", {"issuer": "DE-BAFA"}))
        self.assertEqual(claims["exp"] - claims["iat"], 120)
        self.assertRegex(claims["jti"], re.compile(r"^[A-Za-z0-9_-]{16,64}$"))
        alg, pub = public_key_from_jwk(self.key.public_jwk())
        self.assertTrue(verify_raw(alg, pub, jws.signing_input, jws.signature))
        # a second call is a new request: new jti
        self.run_call()
        self.assertNotEqual(parse_compact(self.sent[1][1].decode(), "corridor-request+jws").payload_object()["jti"], claims["jti"])

    def test_an_unknown_response_kid_rereads_the_configuration_once(self):
        self.run_call()  # configuration cached
        rotated = SigningKey.generate("rsp-test-2")
        self.documents[f"{BASE}/.well-known/corridor-configuration"] = self.config([rotated.kid, self.ex.response_key.kid])
        self.documents[f"{BASE}/.well-known/jwks.json"] = {"keys": self.ex.jwks["keys"] + [{**rotated.public_jwk(), "kid": rotated.kid}]}
        answer, reads = self.run_call(rotated)
        self.assertEqual((answer.status, answer.kid), (200, "rsp-test-2"))
        self.assertEqual(len(reads), 2)  # configuration and JWKS, once
        stranger = SigningKey.generate("rsp-unknown")
        with self.assertRaises(UnknownResponseKey):
            self.run_call(stranger)

    def test_an_exchange_of_another_protocol_version_is_not_talked_to(self):
        self.documents[f"{BASE}/.well-known/corridor-configuration"]["protocolVersion"] = "corridor/2"
        with self.assertRaises(CorridorError) as ctx:
            self.run_call()
        self.assertEqual(str(ctx.exception), "the exchange implements 'corridor/2'; this client implements corridor/1")
        self.assertEqual(self.sent, [])

    def test_signing_needs_an_agency_and_a_key(self):
        with self.assertRaises(CorridorError) as ctx:
            CorridorClient(BASE).sign_request("license.verify", {})
        self.assertEqual(str(ctx.exception), "signing needs agency_id and a private key")


if __name__ == "__main__":
    unittest.main()
