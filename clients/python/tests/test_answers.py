"""protocol.md §3 from the caller's side: a genuine answer is accepted, and every kind of forged or misdirected one is
refused with its reason — signed by the wrong key, for someone else, for another request, or not signed at all."""
import unittest

from corridor_client.answers import verify_answer
from corridor_client.errors import UnknownResponseKey, UntrustedAnswer
from corridor_client.keys import SigningKey
from support import StandInExchange

SENT = b"header.payload.signature-of-our-request"
JTI = "our-request-jti-0001"
US = "NL-DOUANE"


class AnswerChecks(unittest.TestCase):
    def setUp(self):
        self.ex = StandInExchange()

    def check(self, body: bytes, http_status: int = 200, content_type: str = "application/jose", sent: bytes = SENT, jti=JTI, agency=US):
        return verify_answer(body=body, http_status=http_status, content_type=content_type, exchange_id=self.ex.exchange_id,
                             response_key_ids=self.ex.response_key_ids, jwks=self.ex.jwks, sent=sent, agency_id=agency, jti=jti)

    def refused(self, body: bytes, reason: str, **kw):
        with self.assertRaises(UntrustedAnswer) as ctx:
            self.check(body, **kw)
        self.assertIn(reason, ctx.exception.reason)
        return ctx.exception

    def test_a_genuine_success_and_a_genuine_refusal_are_accepted(self):
        a = self.check(self.ex.answer(SENT, 200, aud=US, irt=JTI, result={"outcome": "valid"}))
        self.assertEqual((a.status, a.result, a.problem, a.ok), (200, {"outcome": "valid"}, None, True))
        self.assertEqual(a.audit_id, "ev-" + "A" * 43)
        self.assertEqual(a.kid, self.ex.response_key.kid)
        r = self.check(self.ex.answer(SENT, 403, aud=US, irt=JTI), http_status=403, content_type="application/jose; charset=utf-8")
        self.assertEqual((r.status, r.problem["status"], r.ok), (403, 403, False))

    def test_a_refusal_may_lack_aud_and_irt(self):
        # 401 when our signature did not verify: no aud; 400 for bytes that are no JWS: no irt either
        self.assertEqual(self.check(self.ex.answer(SENT, 401, irt=JTI), http_status=401).status, 401)
        self.assertEqual(self.check(self.ex.answer(b"garbage", 400), http_status=400, sent=b"garbage", jti=None, agency=None).status, 400)

    def test_a_success_must_name_its_caller_and_request(self):
        self.refused(self.ex.answer(SENT, 200, irt=JTI), "a success must name its caller (aud) and its request (irt)")
        self.refused(self.ex.answer(SENT, 201, aud=US), "a success must name its caller (aud) and its request (irt)", http_status=201)

    def test_an_answer_for_someone_else_or_another_request(self):
        self.refused(self.ex.answer(SENT, 200, aud="DE-BAFA", irt=JTI), "aud 'DE-BAFA' is not our agency")
        self.refused(self.ex.answer(SENT, 403, aud="DE-BAFA", irt=JTI), "aud 'DE-BAFA' is not our agency", http_status=403)
        self.refused(self.ex.answer(SENT, 200, aud=US, irt="another-request-jti-9"), "irt is not our request's jti")
        self.refused(self.ex.answer(SENT, 400, irt="another-request-jti-9"), "irt is not our request's jti", http_status=400)
        # an irt when we sent none, an aud when we are nobody
        self.refused(self.ex.answer(b"garbage", 400, irt=JTI), "irt is not our request's jti", http_status=400, sent=b"garbage", jti=None, agency=None)
        # the right jti and caller, but the answer is about other bytes (a replayed answer to an earlier request)
        self.refused(self.ex.answer(b"other bytes", 200, aud=US, irt=JTI), "rqd is not the digest of the request we sent")

    def test_an_answer_not_signed_by_a_response_key(self):
        seal_signed = self.ex.answer(SENT, 200, aud=US, irt=JTI, key=self.ex.seal_key)
        with self.assertRaises(UnknownResponseKey):  # the seal key is in the same JWKS, but never signs answers
            self.check(seal_signed)
        stranger = SigningKey.generate(self.ex.response_key.kid)  # a key posing under the response kid
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI, key=stranger), "the signature does not verify")
        ed = SigningKey.generate(self.ex.response_key.kid, "EdDSA")
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI, key=ed), "not a response JWS: alg 'EdDSA' is not allowed")
        body = self.ex.answer(SENT, 200, aud=US, irt=JTI)
        tampered = body[:-6] + (b"AAAAAA" if not body.endswith(b"AAAAAA") else b"BBBBBB")
        self.refused(tampered, "the signature does not verify")

    def test_an_answer_of_another_type_or_exchange(self):
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI, typ="corridor-seal+jws"), "typ is 'corridor-seal+jws'")
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI, iss="corridor:elsewhere"), "iss 'corridor:elsewhere' is not the exchange id")

    def test_status_must_be_the_http_status_and_one_the_protocol_has(self):
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI), "signed status 200 differs from the HTTP status", http_status=503)
        self.refused(self.ex.answer(SENT, 500, aud=US, irt=JTI), "status 500 is not one the protocol answers", http_status=500)
        self.refused(self.ex.answer(SENT, 204, aud=US, irt=JTI), "status 204 is not one the protocol answers", http_status=204)

    def test_a_success_carries_a_result_and_a_refusal_a_problem_of_its_status(self):
        self.refused(self.ex.answer(SENT, 409, aud=US, irt=JTI, result={"x": 1}), "a refusal carries problem and no result", http_status=409)
        self.refused(self.ex.answer(SENT, 409, aud=US, irt=JTI, problem=None), "a refusal carries problem and no result", http_status=409)
        self.refused(self.ex.answer(SENT, 200, aud=US, irt=JTI, problem={"status": 200}), "a success carries result and no problem")
        self.refused(self.ex.answer(SENT, 201, aud=US, irt=JTI, result=None), "a success carries result and no problem", http_status=201)
        self.refused(self.ex.answer(SENT, 404, aud=US, irt=JTI, problem={"status": 403}), "the problem's status differs", http_status=404)

    def test_only_early_refusals_may_lack_aud_or_irt(self):
        # 403, 404, 409 and 429 are decided after the signature verified: they always name caller and request
        for status in (403, 404, 409, 429):
            with self.subTest(status=status):
                self.refused(self.ex.answer(SENT, status, irt=JTI), f"a {status} must name its caller (aud) and its request (irt)", http_status=status)
                self.refused(self.ex.answer(SENT, status, aud=US), f"a {status} must name its caller (aud) and its request (irt)", http_status=status)
        for status in (400, 401, 413, 415, 503):
            with self.subTest(status=status):
                self.assertEqual(self.check(self.ex.answer(SENT, status), http_status=status).status, status)

    def test_unsigned_answers_are_no_answers(self):
        e = self.refused(b'{"type":"urn:corridor:problem:dependency-failed","status":503}', "not signed (content type application/problem+json)",
                         http_status=503, content_type="application/problem+json")
        self.assertEqual(e.http_status, 503)
        self.refused(b"Too Many Requests", "not signed (content type missing)", http_status=429, content_type=None)
        self.refused(b"not.a-jws", "not a response JWS", http_status=400)


if __name__ == "__main__":
    unittest.main()
