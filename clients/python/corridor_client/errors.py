"""The errors the client raises: one base class, and one kind per reason a caller acts on differently."""


class CorridorError(Exception):
    """Base of every error raised by corridor_client."""


class MalformedInput(CorridorError):
    """Bytes or JSON that do not have the shape the protocol requires (not a compact JWS, bad base64url, ...)."""


class UntrustedAnswer(CorridorError):
    """An answer that is not provably the exchange's answer to *this* request (protocol.md §3).

    Treat it as no answer at all: never as a result and never as a refusal.
    """

    def __init__(self, reason: str, http_status: int = 0):
        super().__init__(f"untrusted answer (HTTP {http_status}): {reason}" if http_status else f"untrusted answer: {reason}")
        self.reason = reason
        self.http_status = http_status


class DocumentInvalid(CorridorError):
    """An issuer-signed license or end-use certificate that does not verify against the issuer's published keys."""


class ProofInvalid(CorridorError):
    """An audit inclusion proof or seal that does not verify."""


class ExchangeUnreachable(CorridorError):
    """The exchange could not be reached, or a public document could not be fetched."""


class UnknownResponseKey(UntrustedAnswer):
    """The answer names a kid that is not (yet, in our copy of the configuration) a response key."""
