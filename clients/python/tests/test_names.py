"""Name comparison keys (protocol.md §5) against the repository's vectors: the same keys the exchange computes."""
import unittest

from corridor_client.names import name_key, names_match
from support import vector


class NameKeys(unittest.TestCase):
    def test_every_vector(self):
        cases = vector("names.json")["vectors"]
        self.assertGreater(len(cases), 10)
        for case in cases:
            with self.subTest(a=case["a"], b=case["b"]):
                self.assertEqual(name_key(case["a"]), case["keyA"])
                self.assertEqual(name_key(case["b"]), case["keyB"])
                self.assertEqual(names_match(case["a"], case["b"]), case["match"])

    def test_keeps_letters_numbers_and_marks_only(self):
        # a combining mark with no precomposed form stays; ² is 2 after NFKC; hyphen, space, ! and ZWJ go
        self.assertEqual(name_key("X\u0301-1 \u00b2!\u200d"), "x\u030112")
        self.assertTrue(names_match("Cafe\u0301", "Caf\u00e9"))  # NFKC composes e + combining acute
        self.assertFalse(names_match("Cafe\u0301", "Cafe"))  # and the mark counts


if __name__ == "__main__":
    unittest.main()
