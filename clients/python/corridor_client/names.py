"""Name comparison (protocol.md §5): two names match iff their comparison keys are equal."""
import unicodedata


def name_key(name: str) -> str:
    """NFKC; upper then lower case; NFKC again; keep only letters, numbers and marks (\\p{L}, \\p{N}, \\p{M})."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).upper().lower())
    return "".join(c for c in folded if unicodedata.category(c)[0] in ("L", "N", "M"))


def names_match(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)
