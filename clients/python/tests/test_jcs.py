"""RFC 8785 canonical JSON: the RFC's own examples, the protocol's vector events, and what has no canonical form."""
import json
import struct
import unittest

from corridor_client.errors import MalformedInput
from corridor_client.jcs import canonicalize
from support import vector

# RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization.
NUMBERS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"), ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"), ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"), ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"), ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


class CanonicalJson(unittest.TestCase):
    def test_numbers_as_ecmascript_writes_them(self):
        for bits, expected in NUMBERS:
            with self.subTest(bits=bits):
                self.assertEqual(canonicalize(double(bits)).decode(), expected)

    def test_integers_as_they_occur_in_events_and_documents(self):
        self.assertEqual(canonicalize([0, 1, -1, 403, 120000, 10**9, 2**53]).decode(), "[0,1,-1,403,120000,1000000000,9007199254740992]")
        self.assertEqual(canonicalize([120000.0, 12.5, 0.1, 99.99]).decode(), "[120000,12.5,0.1,99.99]")
        # beyond 2^53 a JSON number is the nearest double, as a JavaScript parser would have read it
        self.assertEqual(canonicalize(10**21).decode(), "1e+21")

    def test_the_rfc_example_object(self):
        # RFC 8785 §3.2.3 (input as parsed JSON) → the RFC's output
        value = json.loads('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
                           '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
                           '"literals": [null, true, false]}')
        self.assertEqual(
            canonicalize(value).decode("utf-8"),
            '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
        )

    def test_members_sorted_by_utf16_code_units_not_code_points(self):
        # RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33 although its code point is higher
        value = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
                 "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
        keys = list(json.loads(canonicalize(value)))
        self.assertEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"])

    def test_string_escapes(self):
        self.assertEqual(canonicalize("\u0000\u001f\b\t\n\f\r\"\\/\u007f\u2028é").decode("utf-8"), '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é"')

    def test_the_vector_events_canonicalize_to_the_vector_bytes(self):
        v = vector("merkle-rfc9162.json")
        self.assertEqual(len(v["events"]), len(v["jcs"]))
        for event, expected in zip(v["events"], v["jcs"]):
            with self.subTest(event=event["id"]):
                self.assertEqual(canonicalize(event), expected.encode("utf-8"))

    def test_what_has_no_canonical_form_is_refused(self):
        for bad in (float("nan"), float("inf"), "\ud800", {"\udfff": 1}, {1: "x"}, object()):
            with self.subTest(value=repr(bad)):
                with self.assertRaises(MalformedInput):
                    canonicalize(bad)


if __name__ == "__main__":
    unittest.main()
