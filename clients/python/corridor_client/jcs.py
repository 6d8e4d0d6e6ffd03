"""RFC 8785 JSON Canonicalization Scheme: the bytes an audit event's leaf hash is taken over (protocol.md §6).

Objects: members sorted by their names as UTF-16 code units; strings: escaped exactly as ECMAScript's
JSON.stringify does; numbers: ECMAScript's Number.prototype.toString (shortest round-trip digits); no white space.
"""
import math
from decimal import Decimal
from typing import Any

from .errors import MalformedInput

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Integers beyond 2^53 are not exactly representable as IEEE 754 doubles, which is all a JSON number is to RFC 8785.
_MAX_SAFE = 2**53


def canonicalize(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON value (dict, list, str, int, float, bool, None)."""
    return _serialize(value).encode("utf-8")


def _serialize(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value) if -_MAX_SAFE <= value <= _MAX_SAFE else _number(float(value))
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_serialize(v) for v in value) + "]"
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise MalformedInput("JSON object member names must be strings")
        keys = sorted(value, key=_utf16_units)
        return "{" + ",".join(_string(k) + ":" + _serialize(value[k]) for k in keys) + "}"
    raise MalformedInput(f"not a JSON value: {type(value).__name__}")


def _utf16_units(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the sequence of 16-bit code units does (RFC 8785 §3.2.3).
    return _check_scalar_values(name).encode("utf-16-be")


def _check_scalar_values(text: str) -> str:
    # A lone surrogate (possible in a Python str parsed from "\ud800") is not I-JSON (RFC 7493), so it has no canonical form.
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise MalformedInput("a string contains a lone surrogate")
    return text


def _string(text: str) -> str:
    out = ['"']
    for c in _check_scalar_values(text):
        if c in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)  # everything else as is, non-ASCII included, as UTF-8 once encoded
    out.append('"')
    return "".join(out)


def _number(x: float) -> str:
    """ECMAScript Number::toString(x) (ECMA-262 §6.1.6.1.20), which RFC 8785 §3.2.2.3 adopts."""
    if math.isnan(x) or math.isinf(x):
        raise MalformedInput("NaN and Infinity are not JSON numbers")
    if x == 0:
        return "0"  # -0 as well
    if x < 0:
        return "-" + _number(-x)
    # repr() gives the shortest digit string that round-trips, as ECMAScript requires; take its digits and exponent.
    _, digit_tuple, exponent = Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # x = 0.digits × 10^n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
