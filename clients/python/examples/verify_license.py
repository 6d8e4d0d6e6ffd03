# verify_license.py — customs checks a shipment against a license with the Corridor Python client, then
# checks the issuer-signed license that comes back (with `read` permission) offline, against the issuer's keys.
# Usage: CORRIDOR_URL=… CORRIDOR_AGENCY=… CORRIDOR_KEY_FILE=… python3 verify_license.py ISSUER LICENSE DATE DEST CODE=QTY
import json
import os
import sys

from corridor_client import CorridorClient, DocumentInvalid, UntrustedAnswer, verify_document

issuer, license_id, date, destination, item = sys.argv[1:6]
control_code, quantity = item.split("=")
with open(os.environ["CORRIDOR_KEY_FILE"], encoding="utf-8") as f:
    private_jwk = json.load(f)  # as `corridor keygen` writes it: kid and alg inside
client = CorridorClient(os.environ["CORRIDOR_URL"], os.environ["CORRIDOR_AGENCY"], private_jwk)

shipment = {"date": date, "destinationCountry": destination,
            "items": [{"controlCode": control_code, "quantity": int(quantity)}]}
try:  # signs, posts to the action's route, and returns only the exchange's signed answer to this request
    answer = client.call("license.verify", {"issuer": issuer, "licenseId": license_id, "shipment": shipment})
except UntrustedAnswer as e:
    sys.exit(f"do not trust this answer: {e}")
if answer.problem:  # a signed refusal (RFC 9457)
    sys.exit(f"✗ {answer.status} {answer.problem['title']}: {answer.problem['detail']} ({answer.audit_id})")

r = answer.result
print(f"license {issuer}/{license_id} v{r['version']}: {r['outcome'].upper()}")
for check in r["checks"]:
    print(f"  {'✓' if check['ok'] else '✗'} {check['name']}" + (f" — {check['detail']}" if "detail" in check else ""))
if "document" in r:  # the license as its issuer signed it: checked without trusting the exchange
    try:
        doc = verify_document(r["document"], client.agency_jwks(issuer), issuer=issuer,
                              document_id=license_id, digest=r["licenseDigest"])
    except DocumentInvalid as e:
        sys.exit(f"✗ the issuer-signed license does not verify: {e}")
    print(f"  ✓ issuer-signed license checked offline: signed by {issuer} with key {doc.kid} ({doc.key_status})")
print(f"  ✓ response signature verified (key {answer.kid}) · audit event {answer.audit_id}")
sys.exit(0 if r["outcome"] == "valid" else 1)
