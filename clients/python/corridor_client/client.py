"""CorridorClient: signs requests (protocol.md §2), posts them to the action's route and returns only verified answers (§3)."""
import time
import urllib.parse
from typing import Any, Dict, Optional, Tuple

from .answers import Answer, verify_answer
from .errors import CorridorError, UnknownResponseKey
from .jws import compact_json, sign_compact
from .keys import SigningKey, random_id
from .transport import get_json, http_request

PROTOCOL_VERSION = "corridor/1"
REQUEST_TYP = "corridor-request+jws"
LIFETIME_SECONDS = 120  # exp = iat + 120: inside the protocol's 300 s, with room for a clock off by up to 60 s


class CorridorClient:
    """One agency's connection to one exchange.

    `private_jwk` is the agency's private key as `corridor keygen` writes it (kid and alg inside), or pass `signing_key`.
    Without a key the client can still read the public documents and verify issuer documents and audit proofs.
    """

    def __init__(
        self,
        base_url: str,
        agency_id: Optional[str] = None,
        private_jwk: Optional[Dict[str, Any]] = None,
        *,
        signing_key: Optional[SigningKey] = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.agency_id = agency_id
        self.signing_key = signing_key or (SigningKey.from_jwk(private_jwk) if private_jwk is not None else None)
        self.timeout = timeout
        self._config: Optional[Dict[str, Any]] = None
        self._jwks: Optional[Dict[str, Any]] = None

    def _url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base_url + "/", path.lstrip("/"))

    def discover(self, refresh: bool = False) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """The configuration (/.well-known/corridor-configuration) and the exchange JWKS from its jwksUri, cached."""
        if refresh or self._config is None or self._jwks is None:
            config = get_json(self._url("/.well-known/corridor-configuration"), self.timeout)
            # protocol.md §4: a client must not assume the protocol it knows describes an exchange of another version.
            if config.get("protocolVersion", PROTOCOL_VERSION) != PROTOCOL_VERSION:
                raise CorridorError(f"the exchange implements {config['protocolVersion']!r}; this client implements {PROTOCOL_VERSION}")
            self._jwks = get_json(urllib.parse.urljoin(self.base_url + "/", str(config.get("jwksUri", ""))), self.timeout)
            self._config = config
        return self._config, self._jwks

    def agency_jwks(self, agency_id: str) -> Dict[str, Any]:
        """An agency's public keys with status, retiredAt and revokedAt: what issuer documents are checked against."""
        return get_json(self._url(f"/v1/agencies/{urllib.parse.quote(agency_id, safe='')}/jwks.json"), self.timeout)

    def route(self, act: str) -> str:
        config, _ = self.discover()
        for a in config.get("actions", []):
            if a.get("act") == act and str(a.get("route", "")).startswith("POST /"):
                return str(a["route"])[len("POST "):]
        raise CorridorError(f"the exchange offers no action {act!r}")

    def sign_request(self, act: str, body: Any, *, now: Optional[int] = None) -> Tuple[str, str]:
        """(compact JWS, jti) of one request: header exactly {alg, kid, typ}, claims iss aud iat exp jti act body."""
        if self.signing_key is None or self.agency_id is None:
            raise CorridorError("signing needs agency_id and a private key")
        config, _ = self.discover()
        iat = int(time.time()) if now is None else now
        jti = random_id()  # fresh for every request: a retry is a new request
        claims = {"iss": self.agency_id, "aud": config["exchangeId"], "iat": iat, "exp": iat + LIFETIME_SECONDS, "jti": jti, "act": act, "body": body}
        header = {"alg": self.signing_key.alg, "kid": self.signing_key.kid, "typ": REQUEST_TYP}
        return sign_compact(header, compact_json(claims), self.signing_key), jti

    def call(self, act: str, body: Any) -> Answer:
        """Sign `body` for `act`, post it, and return the verified answer (a result or a signed refusal).

        Raises UntrustedAnswer when the answer is not the exchange's signed answer to this request, and
        ExchangeUnreachable when nothing came back. Retrying 429/503 is the caller's choice: call again (new jti).
        """
        token, jti = self.sign_request(act, body)
        return self.send(self.route(act), token.encode("ascii"), jti=jti, agency_id=self.agency_id)

    def send(self, path: str, raw: bytes, *, jti: Optional[str] = None, agency_id: Optional[str] = None, content_type: str = "application/jose") -> Answer:
        """Post raw bytes to a route and verify the answer against what was sent.

        `jti` / `agency_id` are the ones the bytes carry (None for bytes that are no signed request): an answer naming
        another request or caller is refused.
        """
        a = http_request(self._url(path), data=raw, content_type=content_type, timeout=self.timeout)
        for attempt in (1, 2):
            config, jwks = self.discover(refresh=attempt == 2)
            try:
                return verify_answer(
                    body=a.body, http_status=a.status, content_type=a.content_type, exchange_id=config["exchangeId"],
                    response_key_ids=list(config.get("responseKeyIds", [])), jwks=jwks, sent=raw, agency_id=agency_id, jti=jti,
                )
            except UnknownResponseKey:
                # A response key rotated in since we read the configuration: read it once more, then give up.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
