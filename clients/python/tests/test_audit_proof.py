"""Audit proofs checked offline (protocol.md §6): a genuine proof verifies; a proof of another event, an edited event,
an altered path, a seal by the wrong key or of another exchange are each refused, saying why."""
import unittest

from corridor_client.audit_proof import leaf_hash, merkle_root, verify_proof, verify_seal
from corridor_client.b64 import b64url_decode, b64url_encode
from corridor_client.errors import ProofInvalid
from support import StandInExchange, vector

V = vector("merkle-rfc9162.json")
TREE = max(V["trees"], key=lambda t: t["size"])


class AuditProofs(unittest.TestCase):
    def setUp(self):
        self.ex = StandInExchange(V["events"][0]["exchangeId"])
        self.events = [{**e, "hash": b64url_encode(leaf_hash(e))} for e in V["events"][: TREE["size"]]]
        self.seal_payload = {"exchangeId": self.ex.exchange_id, "seq": 4, "count": TREE["size"], "first": self.events[0]["id"],
                             "last": self.events[-1]["id"], "root": TREE["root"], "prev": b64url_encode(b"\x07" * 32)}
        self.seal = self.ex.seal(self.seal_payload)

    def proof(self, i, **changes):
        return {"event": self.events[i], "seal": self.seal, "leafIndex": i, "path": TREE["paths"][i]["path"], **changes}

    def verify(self, proof, event_id):
        return verify_proof(proof, event_id=event_id, exchange_id=self.ex.exchange_id, exchange_jwks=self.ex.jwks, seal_key_ids=self.ex.seal_key_ids)

    def assert_refused(self, message, proof, event_id):
        with self.assertRaises(ProofInvalid) as ctx:
            self.verify(proof, event_id)
        self.assertIn(message, str(ctx.exception))

    def test_every_leaf_of_a_signed_seal_verifies(self):
        self.assertEqual(b64url_decode(TREE["root"]), merkle_root([leaf_hash(e) for e in self.events]))
        for i, e in enumerate(self.events):
            with self.subTest(leaf=i):
                v = self.verify(self.proof(i), e["id"])
                self.assertEqual((v.leaf_index, v.seal["seq"], v.event), (i, 4, e))

    def test_a_proof_of_another_event_proves_nothing_about_this_one(self):
        self.assert_refused("the proof is for event 'evt-02', not 'evt-03'", self.proof(2), "evt-03")

    def test_an_edited_event(self):
        edited = {**self.events[2], "decision": "allow" if self.events[2]["decision"] == "deny" else "deny"}
        self.assert_refused("event evt-02 changed: its content no longer matches its hash", self.proof(2, event=edited), "evt-02")
        # … with its hash recomputed: then it is no longer the leaf the seal signed
        rehashed = {**edited, "hash": b64url_encode(leaf_hash(edited))}
        self.assert_refused("the path does not lead from event evt-02 to the root of seal 4", self.proof(2, event=rehashed), "evt-02")

    def test_an_altered_path_or_position(self):
        path = list(TREE["paths"][2]["path"])
        path[0] = b64url_encode(b"\x00" * 32)
        self.assert_refused("the path does not lead from event evt-02", self.proof(2, path=path), "evt-02")
        self.assert_refused("the path does not lead from event evt-02", self.proof(2, leafIndex=3), "evt-02")
        self.assert_refused("is outside a tree of", self.proof(2, leafIndex=TREE["size"]), "evt-02")
        self.assert_refused("a path entry is not a SHA-256 hash", self.proof(2, path=["AAAA"] + path[1:]), "evt-02")

    def test_a_seal_by_anything_but_a_seal_key(self):
        by_response_key = self.ex.seal(self.seal_payload, key=self.ex.response_key)  # published in the same JWKS
        self.assert_refused("seal kid 'rsp-test-1' is not one of the exchange's seal keys", self.proof(2, seal=by_response_key), "evt-02")
        head, _, sig = self.seal.split(".")
        other_root = b64url_encode(b'{"exchangeId":"%s","seq":4,"count":7,"root":"%s"}' % (self.ex.exchange_id.encode(), b64url_encode(b"\x01" * 32).encode()))
        self.assert_refused("the seal's signature does not verify", self.proof(2, seal=f"{head}.{other_root}.{sig}"), "evt-02")
        self.assert_refused("seal: a compact JWS has three segments", self.proof(2, seal="not-a-seal"), "evt-02")

    def test_a_seal_of_another_exchange(self):
        elsewhere = self.ex.seal({**self.seal_payload, "exchangeId": "corridor:elsewhere"})
        self.assert_refused("the seal is of exchange 'corridor:elsewhere'", self.proof(2, seal=elsewhere), "evt-02")
        with self.assertRaises(ProofInvalid):
            verify_seal(self.seal, self.ex.jwks, self.ex.seal_key_ids, "corridor:elsewhere")
        foreign = {**self.events[2], "exchangeId": "corridor:elsewhere"}
        foreign["hash"] = b64url_encode(leaf_hash(foreign))
        self.assert_refused("the event is of exchange 'corridor:elsewhere'", self.proof(2, event=foreign), "evt-02")

    def test_the_whole_event_asked_about(self):
        self.assertEqual(self.verify_held(self.proof(2), self.events[2]).leaf_index, 2)
        other = {**self.events[2], "status": 500}
        with self.assertRaises(ProofInvalid) as ctx:
            self.verify_held(self.proof(2), other)
        self.assertIn("event evt-02 differs from the event asked about", str(ctx.exception))

    def verify_held(self, proof, held):
        return verify_proof(proof, event_id=held["id"], exchange_id=self.ex.exchange_id, exchange_jwks=self.ex.jwks,
                            seal_key_ids=self.ex.seal_key_ids, expected_event=held)

    def test_sealed_at_and_members_added_later(self):
        # Revision 3 seals carry sealedAt (and may carry backlog, lateBeyondBound); members unknown to this client are ignored.
        later = self.ex.seal({**self.seal_payload, "sealedAt": "2026-11-22T10:01:00.000Z", "lateBeyondBound": 1, "someday": {"x": 1}})
        v = self.verify(self.proof(2, seal=later), "evt-02")
        self.assertEqual((v.sealed_at, v.seal["lateBeyondBound"]), ("2026-11-22T10:01:00.000Z", 1))
        self.assertIsNone(self.verify(self.proof(2), "evt-02").sealed_at)  # a seal from before revision 3
        for bad in ("yesterday", "2026-11-22T10:01:00", 1795000000):
            with self.subTest(sealedAt=bad):
                self.assert_refused("the seal's sealedAt is not an RFC 3339 date-time", self.proof(2, seal=self.ex.seal({**self.seal_payload, "sealedAt": bad})), "evt-02")

    def test_the_seal_names_its_first_and_last_event(self):
        wrong_first = self.ex.seal({**self.seal_payload, "first": "evt-99"})
        self.assert_refused("seal 4 names another event at leaf 0", self.proof(0, seal=wrong_first), "evt-00")
        self.assertEqual(self.verify(self.proof(1, seal=wrong_first), "evt-01").leaf_index, 1)


if __name__ == "__main__":
    unittest.main()
