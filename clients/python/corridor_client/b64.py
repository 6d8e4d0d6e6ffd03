"""base64url without padding (RFC 7515 §2), decoded strictly: a JWS segment has exactly one spelling."""
import base64
import re

from .errors import MalformedInput

_ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; padding, other characters and non-canonical trailing bits are refused."""
    if not isinstance(text, str) or not _ALPHABET.match(text) or len(text) % 4 == 1:
        raise MalformedInput("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Unused low bits of the last character must be zero, or two strings would decode to the same bytes.
    if b64url_encode(data) != text:
        raise MalformedInput("non-canonical base64url")
    return data
