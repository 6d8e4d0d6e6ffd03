"""JWS mechanics: DER ⇄ r‖s against the repository's vectors, signing both algorithms, and what a parser refuses."""
import unittest

from corridor_client.b64 import b64url_decode, b64url_encode
from corridor_client.errors import MalformedInput
from corridor_client.jws import compact_json, der_to_raw, parse_compact, raw_to_der, sign_compact, strict_json, verify_raw
from corridor_client.keys import SigningKey, public_key_from_jwk
from support import sign_with_header, vector


class DerAndRaw(unittest.TestCase):
    def test_vectors_convert_both_ways_and_verify(self):
        v = vector("der-signatures.json")
        alg, key = public_key_from_jwk(v["publicJwk"])
        cases = {c["case"] for c in v["vectors"]}
        self.assertEqual(cases, {"normal", "pad", "short"})  # 0x00 sign pad and a short integer are both covered
        for case in v["vectors"]:
            with self.subTest(case=case["case"]):
                der, jose = b64url_decode(case["der"]), b64url_decode(case["jose"])
                self.assertEqual(der_to_raw(der), jose)
                self.assertEqual(raw_to_der(jose), der)
                self.assertTrue(verify_raw(alg, key, b64url_decode(case["message"]), jose))
                self.assertFalse(verify_raw(alg, key, b64url_decode(case["message"]) + b"!", jose))

    def test_raw_signatures_of_other_lengths_are_refused(self):
        with self.assertRaises(MalformedInput):
            raw_to_der(b"\x01" * 63)
        v = vector("der-signatures.json")
        alg, key = public_key_from_jwk(v["publicJwk"])
        # the DER form itself is not a JWS signature: it must not verify as one
        case = v["vectors"][0]
        self.assertFalse(verify_raw(alg, key, b64url_decode(case["message"]), b64url_decode(case["der"])))


class SignAndParse(unittest.TestCase):
    def test_both_algorithms_round_trip_through_a_private_jwk(self):
        for alg in ("ES256", "EdDSA"):
            with self.subTest(alg=alg):
                key = SigningKey.from_jwk(SigningKey.generate("k-1", alg).private_jwk())
                token = sign_compact({"alg": alg, "kid": "k-1", "typ": "corridor-request+jws"}, b'{"a":1}', key)
                jws = parse_compact(token, "corridor-request+jws")
                self.assertEqual(jws.header, {"alg": alg, "kid": "k-1", "typ": "corridor-request+jws"})
                pub_alg, pub = public_key_from_jwk(key.public_jwk())
                self.assertEqual(pub_alg, alg)
                self.assertTrue(verify_raw(alg, pub, jws.signing_input, jws.signature))
                # the other algorithm's verifier never accepts it: the key decides the algorithm
                self.assertFalse(verify_raw("EdDSA" if alg == "ES256" else "ES256", pub, jws.signing_input, jws.signature))

    def test_header_must_be_exactly_alg_kid_typ(self):
        key = SigningKey.generate("k-1")
        good = {"alg": "ES256", "kid": "k-1", "typ": "t+jws"}
        bad_headers = [
            {**good, "jwk": key.public_jwk()}, {**good, "crit": ["b64"]}, {"alg": "ES256", "kid": "k-1"},
            {**good, "typ": "T+JWS"}, {**good, "alg": "none"}, {**good, "alg": "HS256"}, {**good, "kid": ""},
        ]
        for header in bad_headers:
            with self.subTest(header=header):
                with self.assertRaises(MalformedInput):
                    parse_compact(sign_with_header(header, b"{}", key), "t+jws")
        with self.assertRaises(MalformedInput):
            sign_compact({**good, "cty": "json"}, b"{}", key)

    def test_malformed_compact_serializations(self):
        key = SigningKey.generate("k-1")
        token = sign_compact({"alg": "ES256", "kid": "k-1", "typ": "t+jws"}, b"{}", key)
        h, p, s = token.split(".")
        for bad in (f"{h}.{p}", f"{token}.x", f"{h}=.{p}.{s}", f"{h}.{p}.{s}+", f"{h}.{p}.{s}=", 42):
            with self.subTest(token=bad):
                with self.assertRaises(MalformedInput):
                    parse_compact(bad, "t+jws")  # type: ignore[arg-type]
        duplicate = b64url_encode(b'{"alg":"ES256","kid":"k-1","typ":"t+jws","kid":"other"}')
        with self.assertRaises(MalformedInput):
            parse_compact(f"{duplicate}.{p}.{s}", "t+jws")

    def test_strict_json(self):
        self.assertEqual(strict_json(compact_json({"é": [1, 2.5, None]})), {"é": [1, 2.5, None]})
        for bad in (b'{"a":1,"a":2}', b'{"a":NaN}', b"\xff{}", b"{"):
            with self.subTest(data=bad):
                with self.assertRaises(MalformedInput):
                    strict_json(bad)

    def test_base64url_is_decoded_strictly(self):
        self.assertEqual(b64url_decode("AQI"), b"\x01\x02")
        for bad in ("AQJ", "AQI=", "AQ+I", "A"):  # non-zero unused bits, padding, alphabet, impossible length
            with self.subTest(text=bad):
                with self.assertRaises(MalformedInput):
                    b64url_decode(bad)


class Jwks(unittest.TestCase):
    def test_private_jwks_must_be_consistent(self):
        es, ed = SigningKey.generate("a", "ES256").private_jwk(), SigningKey.generate("b", "EdDSA").private_jwk()
        other = SigningKey.generate("c", "ES256").private_jwk()
        for bad in ({**es, "alg": "EdDSA"}, {**es, "x": other["x"]}, {**es, "d": other["d"]}, {**ed, "crv": "X25519"},
                    {k: v for k, v in es.items() if k != "kid"}, {k: v for k, v in es.items() if k != "d"}):
            with self.subTest(jwk=sorted(bad.items())):
                with self.assertRaises(MalformedInput):
                    SigningKey.from_jwk(bad)
        self.assertEqual(SigningKey.from_jwk(es).public_jwk(), {k: v for k, v in es.items() if k not in ("d", "kid")})

    def test_public_jwks(self):
        es = SigningKey.generate("a").public_jwk()
        with self.assertRaises(MalformedInput):
            public_key_from_jwk({**es, "d": "AAAA"})  # a private member in a public key
        with self.assertRaises(MalformedInput):
            public_key_from_jwk({**es, "y": es["x"]})  # not a point on the curve
        with self.assertRaises(MalformedInput):
            public_key_from_jwk({**es, "x": es["x"][:-2]})  # short coordinate


if __name__ == "__main__":
    unittest.main()
