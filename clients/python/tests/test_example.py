"""The example the partner guide shows is the file the guide's step runs and the live tests run: no drift between them."""
import re
import unittest

from support import ROOT

EXAMPLE = ROOT / "clients" / "python" / "examples" / "verify_license.py"
GUIDE = ROOT / "docs" / "partner-guide.md"


class ExampleInTheGuide(unittest.TestCase):
    def test_the_guide_shows_the_example_verbatim(self):
        guide = GUIDE.read_text(encoding="utf-8")
        shown = re.findall(r"^```python\n(# verify_license\.py.*?)^```$", guide, re.S | re.M)
        self.assertEqual(len(shown), 1, "docs/partner-guide.md shows verify_license.py once")
        self.assertEqual(shown[0], EXAMPLE.read_text(encoding="utf-8"))
        self.assertIn("python3 clients/python/examples/verify_license.py DE-BAFA", guide)


if __name__ == "__main__":
    unittest.main()
