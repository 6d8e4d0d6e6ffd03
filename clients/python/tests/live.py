"""What the live tests need: the running local exchange from $CORRIDOR_HOME/local.json, fresh agencies on it, sealing.

Without CORRIDOR_HOME (or its local.json) the live tests skip — unless CORRIDOR_REQUIRE_PYTHON_LIVE=1, where they fail:
the suite that runs them (test/e2e/python-client.test.ts) must never pass by skipping.
"""
import json
import os
import secrets
import subprocess
import unittest
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

from corridor_client import CorridorClient, SigningKey
from support import ROOT


def local_file() -> Dict[str, Any]:
    home = os.environ.get("CORRIDOR_HOME")
    path = Path(home) / "local.json" if home else None
    if path is None or not path.is_file():
        why = f"no local exchange: {'CORRIDOR_HOME is not set' if path is None else f'{path} does not exist'} (start one with npm start)"
        if os.environ.get("CORRIDOR_REQUIRE_PYTHON_LIVE") == "1":
            raise AssertionError(f"CORRIDOR_REQUIRE_PYTHON_LIVE=1 but {why}")
        raise unittest.SkipTest(why)
    return json.loads(path.read_text(encoding="utf-8"))


def operator_client(local: Dict[str, Any]) -> CorridorClient:
    op = local["operator"]
    with open(op["privateJwkFile"], encoding="utf-8") as f:
        return CorridorClient(local["url"], op["agencyId"], json.load(f))


def unique_id(country: str, stem: str) -> str:
    """A fresh agency id per run, so the tests can run again against the same exchange."""
    return f"{country}-{stem}{secrets.token_hex(3).upper()}"


def register(operator: CorridorClient, agency_id: str, roles: List[str], alg: str = "ES256", **extra: Any) -> Tuple[CorridorClient, SigningKey]:
    key = SigningKey.generate(f"{agency_id.lower()}-1", alg)
    answer = operator.call("agency.register", {"agencyId": agency_id, "name": f"Python client test {agency_id}", "roles": roles,
                                               "keys": [{"kid": key.kid, "jwk": key.public_jwk()}], **extra})
    if answer.status != 201:
        raise AssertionError(f"registering {agency_id}: {answer.status} {answer.problem}")
    return CorridorClient(operator.base_url, agency_id, signing_key=key), key


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def license_document(issuer: str, license_id: str, version: int = 1) -> Dict[str, Any]:
    now = datetime.now(timezone.utc) - timedelta(seconds=5)
    return {
        "licenseId": license_id, "issuer": issuer, "version": version, "issuedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "validFrom": today(), "validUntil": date(now.year + 1, 12, 31).isoformat(),
        "exporter": {"name": "Optik Werke GmbH", "country": "DE"}, "consignee": {"name": "Lumen Trading Pte Ltd", "country": "SG"},
        "endUser": {"name": "Straits Photonics Lab", "country": "SG"}, "destinationCountry": "SG",
        "items": [{"line": 1, "description": "Thermal imaging camera", "controlCode": "6A003.b.4", "hsCode": "852580",
                   "quantity": 40, "unit": "pcs", "value": 120000.5, "currency": "EUR"}],
        "conditions": ["No re-export without prior consent"],
    }


def seal_now() -> str:
    """`corridor audit seal`: the operator seals pending events now, with the storage access local.json gives."""
    node = os.environ.get("CORRIDOR_NODE", "node")
    done = subprocess.run([node, "--import", "tsx", "bin/corridor.ts", "audit", "seal", "--json"], cwd=ROOT,
                          env={**os.environ, "NODE_NO_WARNINGS": "1"}, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"corridor audit seal exited {done.returncode}: {done.stderr}")
    return done.stdout
