"""RFC 9162 trees over the repository's vector events: leaf hashes, roots of every size, and every inclusion path."""
import unittest

from corridor_client.audit_proof import leaf_hash, merkle_root, root_from_inclusion_path
from corridor_client.b64 import b64url_decode, b64url_encode
from corridor_client.errors import ProofInvalid
from support import vector

V = vector("merkle-rfc9162.json")


class MerkleVectors(unittest.TestCase):
    def test_leaf_hashes_of_the_events(self):
        self.assertEqual([b64url_encode(leaf_hash(e)) for e in V["events"]], V["leafHashes"])
        # the event's own hash member never enters its leaf
        self.assertEqual(leaf_hash({**V["events"][0], "hash": "anything"}), leaf_hash(V["events"][0]))

    def test_roots_of_every_tree_size(self):
        leaves = [b64url_decode(h) for h in V["leafHashes"]]
        self.assertEqual(b64url_encode(merkle_root([])), V["emptyRoot"])
        self.assertGreaterEqual(len(V["trees"]), 5)
        for tree in V["trees"]:
            with self.subTest(size=tree["size"]):
                self.assertEqual(b64url_encode(merkle_root(leaves[: tree["size"]])), tree["root"])

    def test_every_inclusion_path_leads_to_its_root(self):
        leaves = [b64url_decode(h) for h in V["leafHashes"]]
        for tree in V["trees"]:
            self.assertEqual(len(tree["paths"]), tree["size"])
            for p in tree["paths"]:
                with self.subTest(size=tree["size"], leaf=p["leafIndex"]):
                    path = [b64url_decode(h) for h in p["path"]]
                    got = root_from_inclusion_path(p["leafIndex"], tree["size"], leaves[p["leafIndex"]], path)
                    self.assertEqual(b64url_encode(got), tree["root"])

    def test_a_path_proves_nothing_for_another_leaf_position_or_size(self):
        leaves = [b64url_decode(h) for h in V["leafHashes"]]
        tree = max(V["trees"], key=lambda t: t["size"])
        n, p = tree["size"], tree["paths"][2]
        path = [b64url_decode(h) for h in p["path"]]
        root = b64url_decode(tree["root"])
        self.assertNotEqual(root_from_inclusion_path(2, n, leaves[3], path), root)  # another leaf
        self.assertNotEqual(root_from_inclusion_path(3, n, leaves[2], path), root)  # another position
        self.assertNotEqual(root_from_inclusion_path(2, n, leaves[2], list(reversed(path))), root)  # siblings reordered
        with self.assertRaises(ProofInvalid):
            root_from_inclusion_path(2, n, leaves[2], path + [leaves[0]])  # longer than the tree is deep
        with self.assertRaises(ProofInvalid):
            root_from_inclusion_path(2, n, leaves[2], path[:-1])  # shorter
        with self.assertRaises(ProofInvalid):
            root_from_inclusion_path(n, n, leaves[2], path)  # outside the tree


if __name__ == "__main__":
    unittest.main()
