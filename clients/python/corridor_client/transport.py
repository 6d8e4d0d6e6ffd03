"""The one place bytes go over HTTP (urllib, standard library): every status comes back, none raises."""
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Optional

from .errors import ExchangeUnreachable


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: Optional[str]
    body: bytes
    retry_after: Optional[str]


def http_request(url: str, *, data: Optional[bytes] = None, content_type: Optional[str] = None, timeout: float = 30.0) -> HttpAnswer:
    """GET (no data) or POST (data); 4xx/5xx are answers like any other, only a failed connection raises."""
    headers = {"accept": "application/jose, application/json"}
    if content_type is not None:
        headers["content-type"] = content_type
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return HttpAnswer(res.status, res.headers.get("content-type"), res.read(), res.headers.get("retry-after"))
    except urllib.error.HTTPError as e:
        with e:
            return HttpAnswer(e.code, e.headers.get("content-type"), e.read(), e.headers.get("retry-after"))
    except (urllib.error.URLError, OSError) as e:
        raise ExchangeUnreachable(f"{url}: {getattr(e, 'reason', e)}") from None


def get_json(url: str, timeout: float = 30.0) -> Dict[str, Any]:
    """A public document (protocol.md §4): plain JSON, 200 or an error."""
    a = http_request(url, timeout=timeout)
    if a.status != 200:
        raise ExchangeUnreachable(f"GET {url}: HTTP {a.status}")
    try:
        doc = json.loads(a.body.decode("utf-8"))
    except ValueError:
        raise ExchangeUnreachable(f"GET {url}: not JSON") from None
    if not isinstance(doc, dict):
        raise ExchangeUnreachable(f"GET {url}: not a JSON object")
    return doc
