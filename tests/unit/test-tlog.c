/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 6962 hashing and proof verification against the published certificate-transparency test
 * vectors; tree heads and tile paths against what Go's sumdb/tlog writes; and proofs built from
 * tiles of trees computed here independently (plain recursive MTH), tampered with in every way. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tests.h"
#include "tlog.h"

static TlogHash hex(const char *s) {
        TlogHash h;

        ASSERT_EQ(strlen(s), 2 * TLOG_HASH_SIZE);
        for (size_t i = 0; i < TLOG_HASH_SIZE; i++)
                ASSERT_EQ(sscanf(s + 2 * i, "%2hhx", &h.bytes[i]), 1);
        return h;
}

/* The CT reference leaves and MTH(D[n]) for n = 1 … 8. */
static const struct {
        const char *data;
        size_t size;
} ct_leaves[] = {
        { "", 0 },
        { "\x00", 1 },
        { "\x10", 1 },
        { "\x20\x21", 2 },
        { "\x30\x31", 2 },
        { "\x40\x41\x42\x43", 4 },
        { "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
        { "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

static const char *const ct_roots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct ProofVector {
        uint64_t a, b;          /* leaf index and tree size, or old and new size */
        size_t n;
        const char *proof[3];
} ProofVector;

static const ProofVector inclusion_vectors[] = {
        { 0, 1, 0, {} },
        { 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
        { 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
        { 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
        { 1, 5, 3, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static const ProofVector consistency_vectors[] = {
        { 1, 1, 0, {} },
        { 1, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
        { 6, 8, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
        { 2, 5, 2, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static TlogHash ct_leaf(size_t i) {
        TlogHash h;

        ASSERT_OK_ZERO(tlog_record_hash(ct_leaves[i].data, ct_leaves[i].size, &h));
        return h;
}

static TlogHash node(TlogHash l, TlogHash r) {
        TlogHash h;

        ASSERT_OK_ZERO(tlog_node_hash(&l, &r, &h));
        return h;
}

/* MTH(D[lo:hi]) by the definition, straight from leaf hashes. */
static TlogHash mth(const TlogHash *leaves, uint64_t lo, uint64_t hi) {
        uint64_t k = 1;

        if (hi - lo == 1)
                return leaves[lo];
        while (2 * k < hi - lo)
                k *= 2;
        return node(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

static void test_hashes(void) {
        TlogHash leaves[8], a = ct_leaf(0), b = ct_leaf(1), want_a = hex(ct_roots[0]),
                want_b = hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");

        ASSERT_TRUE(tlog_hash_equal(&a, &want_a));
        ASSERT_TRUE(tlog_hash_equal(&b, &want_b));
        ASSERT_FALSE(tlog_hash_equal(&a, &b));

        for (size_t i = 0; i < 8; i++)
                leaves[i] = ct_leaf(i);
        for (size_t n = 1; n <= 8; n++) {
                TlogHash root = mth(leaves, 0, n), want = hex(ct_roots[n - 1]);
                ASSERT_TRUE(tlog_hash_equal(&root, &want));
        }
}

static void load_proof(const ProofVector *v, TlogHash proof[static 3]) {
        for (size_t i = 0; i < v->n; i++)
                proof[i] = hex(v->proof[i]);
}

static void test_inclusion_proof_vectors(void) {
        for (size_t t = 0; t < ELEMENTSOF(inclusion_vectors); t++) {
                const ProofVector *v = &inclusion_vectors[t];
                TlogHash proof[4], leaf = ct_leaf(v->a), root = hex(ct_roots[v->b - 1]), other = ct_leaf((v->a + 1) % 8);

                load_proof(v, proof);
                ASSERT_OK_ZERO(tlog_verify_inclusion_proof(v->a, v->b, &leaf, proof, v->n, &root));

                /* Every flipped bit of every element, another leaf, another root, another index. */
                for (size_t i = 0; i < v->n; i++)
                        for (size_t byte = 0; byte < TLOG_HASH_SIZE; byte += 5) {
                                proof[i].bytes[byte] ^= 0x01;
                                ASSERT_ERROR(tlog_verify_inclusion_proof(v->a, v->b, &leaf, proof, v->n, &root),
                                             EKEYREJECTED);
                                proof[i].bytes[byte] ^= 0x01;
                        }
                ASSERT_ERROR(tlog_verify_inclusion_proof(v->a, v->b, &other, proof, v->n, &root), EKEYREJECTED);
                ASSERT_ERROR(tlog_verify_inclusion_proof(v->a, v->b, &leaf, proof, v->n, &other), EKEYREJECTED);
                if (v->b > 1)
                        ASSERT_ERROR(tlog_verify_inclusion_proof((v->a + 1) % v->b, v->b, &leaf, proof, v->n, &root),
                                     EKEYREJECTED);
                /* Too short, too long. */
                if (v->n > 0)
                        ASSERT_ERROR(tlog_verify_inclusion_proof(v->a, v->b, &leaf, proof, v->n - 1, &root),
                                     EKEYREJECTED);
                proof[v->n] = root;
                ASSERT_ERROR(tlog_verify_inclusion_proof(v->a, v->b, &leaf, proof, v->n + 1, &root), EKEYREJECTED);
                /* Outside the tree. */
                ASSERT_ERROR(tlog_verify_inclusion_proof(v->b, v->b, &leaf, proof, v->n, &root), EINVAL);
        }
}

static void test_consistency_proof_vectors(void) {
        for (size_t t = 0; t < ELEMENTSOF(consistency_vectors); t++) {
                const ProofVector *v = &consistency_vectors[t];
                TlogHash proof[4], old = hex(ct_roots[v->a - 1]), new = hex(ct_roots[v->b - 1]);

                load_proof(v, proof);
                ASSERT_OK_ZERO(tlog_verify_consistency_proof(v->a, v->b, &old, &new, proof, v->n));

                for (size_t i = 0; i < v->n; i++)
                        for (size_t byte = 0; byte < TLOG_HASH_SIZE; byte += 7) {
                                proof[i].bytes[byte] ^= 0x80;
                                ASSERT_ERROR(tlog_verify_consistency_proof(v->a, v->b, &old, &new, proof, v->n),
                                             EKEYREJECTED);
                                proof[i].bytes[byte] ^= 0x80;
                        }
                if (v->a != v->b) {
                        /* The old root swapped for the new and back: a fork either way. */
                        ASSERT_ERROR(tlog_verify_consistency_proof(v->a, v->b, &new, &new, proof, v->n), EKEYREJECTED);
                        ASSERT_ERROR(tlog_verify_consistency_proof(v->a, v->b, &old, &old, proof, v->n), EKEYREJECTED);
                        ASSERT_ERROR(tlog_verify_consistency_proof(v->a, v->b, &old, &new, proof, v->n - 1),
                                     EKEYREJECTED);
                }
                proof[v->n] = new;
                ASSERT_ERROR(tlog_verify_consistency_proof(v->a, v->b, &old, &new, proof, v->n + 1), EKEYREJECTED);
        }
}

static void test_consistency_edges(void) {
        TlogHash r6 = hex(ct_roots[5]), r8 = hex(ct_roots[7]), zero = {};

        /* The empty tree is a prefix of every tree, whatever root it is given; equal sizes need equal
         * roots and nothing else; a log never shrinks. */
        ASSERT_OK_ZERO(tlog_verify_consistency_proof(0, 8, &zero, &r8, NULL, 0));
        ASSERT_ERROR(tlog_verify_consistency_proof(0, 8, &zero, &r8, &r8, 1), EKEYREJECTED);
        ASSERT_OK_ZERO(tlog_verify_consistency_proof(8, 8, &r8, &r8, NULL, 0));
        ASSERT_ERROR(tlog_verify_consistency_proof(8, 8, &r6, &r8, NULL, 0), EKEYREJECTED);
        ASSERT_ERROR(tlog_verify_consistency_proof(8, 8, &r8, &r8, &r8, 1), EKEYREJECTED);
        ASSERT_ERROR(tlog_verify_consistency_proof(6, 8, &r6, &r8, NULL, 0), EKEYREJECTED);
        ASSERT_ERROR(tlog_verify_consistency_proof(8, 6, &r8, &r6, NULL, 0), EINVAL);
}

static void test_number(void) {
        static const char *const bad[] = { "", "01", "+1", "-1", " 1", "1 ", "1x", "9223372036854775808",
                                           "18446744073709551616" };
        uint64_t n = 42;

        ASSERT_OK_ZERO(tlog_number_parse("0", 1, &n));
        ASSERT_EQ(n, 0);
        ASSERT_OK_ZERO(tlog_number_parse("520", 3, &n));
        ASSERT_EQ(n, 520);
        ASSERT_OK_ZERO(tlog_number_parse("9223372036854775807", 19, &n));
        ASSERT_EQ(n, INT64_MAX);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                n = 42;
                ASSERT_ERROR(tlog_number_parse(bad[i], strlen(bad[i]), &n), EINVAL);
                ASSERT_EQ(n, 42);
        }
}

static void test_tree_head(void) {
        static const char text[] = "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n";
        static const char max[] = "go.sum database tree\n9223372036854775807\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n";
        static const char *const bad[] = {
                "",
                "go.sum database tree\n",
                "go.sum database tree\n520\n",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n\n",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\nextra\n",
                "go.sum database tree\n0520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree\n+520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree\n-1\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree\n\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree\n9223372036854775808\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNCh=\n",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs\n",
                "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\r\n",
                "go.sum database tree\r\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "go.sum database tree 520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
                "other tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n",
        };
        _cleanup_free_ char *formatted = NULL, *b64 = NULL;
        TlogTreeHead head, untouched = { .size = 42 };
        TlogHash h;

        ASSERT_OK_ZERO(tlog_tree_head_parse(text, strlen(text), &head));
        ASSERT_EQ(head.size, 520);
        ASSERT_EQ(head.root.bytes[0], 0x53);
        ASSERT_EQ(head.root.bytes[31], 0x1b);
        ASSERT_OK_ZERO(tlog_tree_head_format(&head, &formatted));
        ASSERT_STREQ(formatted, text);
        ASSERT_OK_ZERO(tlog_hash_to_base64(&head.root, &b64));
        ASSERT_STREQ(b64, "U2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=");
        ASSERT_OK_ZERO(tlog_hash_from_base64(b64, &h));
        ASSERT_TRUE(tlog_hash_equal(&h, &head.root));
        ASSERT_ERROR(tlog_hash_from_base64("U2YL", &h), EINVAL);

        ASSERT_OK_ZERO(tlog_tree_head_parse(max, strlen(max), &head));
        ASSERT_EQ(head.size, INT64_MAX);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                TlogTreeHead t = untouched;

                if (tlog_tree_head_parse(bad[i], strlen(bad[i]), &t) != -EBADMSG) {
                        TEST_FAIL("tree head accepted: \"%s\"", bad[i]);
                }
                ASSERT_EQ(t.size, 42);
        }
}

static void assert_tile_path(unsigned level, uint64_t index, unsigned width, const char *want, const char *want_full) {
        _cleanup_free_ char *p = NULL, *f = NULL;
        TlogTile t = { .level = level, .index = index, .width = width };

        ASSERT_OK_ZERO(tlog_tile_path(&t, &p));
        ASSERT_OK_ZERO(tlog_tile_full_path(&t, &f));
        if (!streq(p, want) || !streq(f, want_full)) {
                TEST_FAIL("tile %u/%" PRIu64 "/%u: %s, %s; expected %s, %s", level, index, width, p, f, want,
                          want_full);
        }
}

static void test_tile_paths(void) {
        _cleanup_free_ char *p = NULL;

        /* As golang.org/x/mod/sumdb/tlog's Tile.Path() writes them. */
        assert_tile_path(0, 0, 256, "tile/8/0/000", "tile/8/0/000");
        assert_tile_path(1, 1234067, 17, "tile/8/1/x001/x234/067.p/17", "tile/8/1/x001/x234/067");
        assert_tile_path(2, 999, 256, "tile/8/2/999", "tile/8/2/999");
        assert_tile_path(0, 1000, 3, "tile/8/0/x001/000.p/3", "tile/8/0/x001/000");
        assert_tile_path(3, 1000000, 256, "tile/8/3/x001/x000/000", "tile/8/3/x001/x000/000");
        assert_tile_path(7, UINT64_MAX, 1, "tile/8/7/x018/x446/x744/x073/x709/x551/615.p/1",
                         "tile/8/7/x018/x446/x744/x073/x709/x551/615");

        ASSERT_ERROR(tlog_tile_path(&(TlogTile) { .width = 0 }, &p), EINVAL);
        ASSERT_ERROR(tlog_tile_path(&(TlogTile) { .width = 257 }, &p), EINVAL);
        ASSERT_ERROR(tlog_tile_path(&(TlogTile) { .level = 8, .width = 1 }, &p), EINVAL);
}

/* A log of up to MAX_RECORDS records, as a server would hold it, computed without tlog.c's walks. */
#define MAX_RECORDS 1100U
static TlogHash leaves[MAX_RECORDS];
static TlogHash level8[MAX_RECORDS / 256];

static void make_log(void) {
        for (size_t i = 0; i < MAX_RECORDS; i++) {
                char r[64];
                int n = snprintf(r, sizeof r, "example.com/m%zu v1.0.0 / linux amd64 go1.22.0 1 0x \n", i);
                ASSERT_OK_ZERO(tlog_record_hash(r, (size_t) n, &leaves[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(level8); i++)
                level8[i] = mth(leaves, 256 * i, 256 * (i + 1));
}

static TlogTreeHead head_of(uint64_t size) {
        return (TlogTreeHead) { .size = size, .root = mth(leaves, 0, size) };
}

/* Serves the listed tiles from the log, full instead of partial when asked to. */
static void serve_tiles(TlogTiles *t, bool full) {
        for (size_t i = 0; i < t->n_tiles; i++) {
                TlogTile *tile = &t->tiles[i];
                const TlogHash *src = tile->level == 0 ? leaves : level8;
                uint8_t buf[TLOG_TILE_WIDTH * TLOG_HASH_SIZE] = {};
                unsigned width = full ? TLOG_TILE_WIDTH : tile->width;

                ASSERT_LE(tile->level, 1);
                for (unsigned j = 0; j < tile->width; j++)
                        memcpy(buf + j * TLOG_HASH_SIZE, src[tile->index * 256 + j].bytes, TLOG_HASH_SIZE);
                ASSERT_OK_ZERO(tlog_tiles_set_data(t, i, buf, (size_t) width * TLOG_HASH_SIZE));
        }
}

static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 255, 256, 257, 511, 512, 513, 767, 1000, 1100 };

static void test_tiles_inclusion(void) {
        for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
                TlogTreeHead head = head_of(sizes[s]);

                /* Every record of the small trees; of the larger ones those near tile edges and a
                 * sample, which is where the arithmetic can go wrong. */
                for (uint64_t r = 0; r < head.size; r++) {
                        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = head.size };

                        if (head.size > 300 && r % 13 != 0 && r % 256 > 2 && r % 256 < 253 && r + 3 < head.size)
                                continue;

                        ASSERT_OK_ZERO(tlog_tiles_add_inclusion(&t, r));
                        /* A proof in a tree of this size reads at most two tiles per level. */
                        ASSERT_GE(t.n_tiles, 1);
                        ASSERT_LE(t.n_tiles, 4);
                        ASSERT_ERROR(tlog_verify_inclusion(&t, r, &leaves[r], &head), ENODATA);
                        serve_tiles(&t, r % 2 == 0);
                        ASSERT_OK_ZERO(tlog_verify_inclusion(&t, r, &leaves[r], &head));
                        /* Another record's hash, another position, another root. */
                        ASSERT_ERROR(tlog_verify_inclusion(&t, r, &leaves[(r + 1) % MAX_RECORDS], &head), EKEYREJECTED);
                        head.root.bytes[3] ^= 1;
                        ASSERT_ERROR(tlog_verify_inclusion(&t, r, &leaves[r], &head), EKEYREJECTED);
                        head.root.bytes[3] ^= 1;
                }
        }
}

static void test_tiles_inclusion_listing(void) {
        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = 520 };
        const TlogTile want[] = { { 0, 1, 256, NULL }, { 1, 0, 2, NULL }, { 0, 2, 8, NULL } };

        /* Record 256 in 520: its own full tile, the first level-8 hash, the last 8 records. */
        ASSERT_OK_ZERO(tlog_tiles_add_inclusion(&t, 256));
        ASSERT_EQ(t.n_tiles, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                bool found = false;

                for (size_t j = 0; j < t.n_tiles; j++)
                        found = found || (t.tiles[j].level == want[i].level && t.tiles[j].index == want[i].index &&
                                          t.tiles[j].width == want[i].width);
                ASSERT_TRUE(found);
        }
        /* Listing again adds nothing; a record outside the tree is refused. */
        ASSERT_OK_ZERO(tlog_tiles_add_inclusion(&t, 257));
        ASSERT_EQ(t.n_tiles, ELEMENTSOF(want));
        ASSERT_ERROR(tlog_tiles_add_inclusion(&t, 520), EINVAL);
}

static void test_tiles_consistency(void) {
        for (size_t a = 0; a < ELEMENTSOF(sizes); a++)
                for (size_t b = a; b < ELEMENTSOF(sizes); b++) {
                        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = sizes[b] };
                        TlogTreeHead old = head_of(sizes[a]), new = head_of(sizes[b]);

                        ASSERT_OK_ZERO(tlog_tiles_add_consistency(&t, old.size));
                        ASSERT_TRUE(a != b || t.n_tiles == 0);
                        serve_tiles(&t, b % 2 == 1);
                        ASSERT_OK_ZERO(tlog_verify_consistency(&t, &old, &new));

                        /* A different old tree of the same size: a fork. */
                        old.root.bytes[0] ^= 0x40;
                        ASSERT_ERROR(tlog_verify_consistency(&t, &old, &new), EKEYREJECTED);
                }
}

static void test_tiles_untrusted(void) {
        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = 1000 };
        TlogTreeHead head = head_of(1000), old = head_of(300), small = head_of(999);
        uint8_t garbage[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];

        ASSERT_OK_ZERO(tlog_tiles_add_consistency(&t, old.size));
        ASSERT_OK_ZERO(tlog_tiles_add_inclusion(&t, 299));
        serve_tiles(&t, false);
        ASSERT_OK_ZERO(tlog_verify_consistency(&t, &old, &head));
        ASSERT_OK_ZERO(tlog_verify_inclusion(&t, 299, &leaves[299], &head));

        /* Any byte of any tile wrong: whatever read it is refused, and nothing else goes wrong. */
        for (size_t i = 0; i < t.n_tiles; i++) {
                size_t refused = 0;

                for (size_t j = 0; j < (size_t) t.tiles[i].width * TLOG_HASH_SIZE; j += 97) {
                        int c, n;

                        t.tiles[i].data[j] ^= 0x10;
                        c = tlog_verify_consistency(&t, &old, &head);
                        n = tlog_verify_inclusion(&t, 299, &leaves[299], &head);
                        ASSERT_TRUE(c == 0 || c == -EKEYREJECTED);
                        ASSERT_TRUE(n == 0 || n == -EKEYREJECTED);
                        refused += c < 0 || n < 0;
                        t.tiles[i].data[j] ^= 0x10;
                }
                /* Every listed tile is read by one of the proofs. */
                ASSERT_GT(refused, 0);
        }

        /* Sizes other than the partial or the full tile are refused on arrival. */
        memset(garbage, 0xaa, sizeof garbage);
        for (size_t i = 0; i < t.n_tiles; i++) {
                if (t.tiles[i].width < TLOG_TILE_WIDTH)
                        ASSERT_ERROR(tlog_tiles_set_data(&t, i, garbage, (size_t) (t.tiles[i].width + 1) * TLOG_HASH_SIZE), EBADMSG);
                ASSERT_ERROR(tlog_tiles_set_data(&t, i, garbage, (size_t) t.tiles[i].width * TLOG_HASH_SIZE - 1),
                             EBADMSG);
                ASSERT_ERROR(tlog_tiles_set_data(&t, i, garbage, 0), EBADMSG);
        }
        ASSERT_ERROR(tlog_tiles_set_data(&t, t.n_tiles, garbage, 32), EINVAL);

        /* Garbage of the right size. */
        for (size_t i = 0; i < t.n_tiles; i++)
                ASSERT_OK_ZERO(tlog_tiles_set_data(&t, i, garbage, sizeof garbage));
        ASSERT_ERROR(tlog_verify_consistency(&t, &old, &head), EKEYREJECTED);
        ASSERT_ERROR(tlog_verify_inclusion(&t, 299, &leaves[299], &head), EKEYREJECTED);

        /* Heads of another size than the tiles were listed for, records outside, shrinking. */
        ASSERT_ERROR(tlog_verify_inclusion(&t, 299, &leaves[299], &small), EINVAL);
        ASSERT_ERROR(tlog_verify_inclusion(&t, 1000, &leaves[0], &head), EINVAL);
        ASSERT_ERROR(tlog_verify_consistency(&t, &head, &old), EINVAL);
        ASSERT_ERROR(tlog_tiles_add_consistency(&t, 1001), EINVAL);
}

static void test_tiles_not_listed(void) {
        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = 1000 }, other = { .tree_size = 1000 };
        TlogTreeHead head = head_of(1000);

        /* Tiles listed for one record do not prove another far away. */
        ASSERT_OK_ZERO(tlog_tiles_add_inclusion(&t, 0));
        serve_tiles(&t, false);
        ASSERT_OK_ZERO(tlog_verify_inclusion(&t, 0, &leaves[0], &head));
        ASSERT_ERROR(tlog_verify_inclusion(&t, 300, &leaves[300], &head), ENODATA);

        /* Empty and equal-size consistency need no tiles. */
        ASSERT_OK_ZERO(tlog_tiles_add_consistency(&other, 0));
        ASSERT_OK_ZERO(tlog_tiles_add_consistency(&other, 1000));
        ASSERT_EQ(other.n_tiles, 0);
        ASSERT_OK_ZERO(tlog_verify_consistency(&other, &(TlogTreeHead) { .size = 0 }, &head));
        ASSERT_OK_ZERO(tlog_verify_consistency(&other, &head, &head));
}

int main(void) {
        test_hashes();
        test_inclusion_proof_vectors();
        test_consistency_proof_vectors();
        test_consistency_edges();
        test_number();
        test_tree_head();
        test_tile_paths();
        make_log();
        test_tiles_inclusion();
        test_tiles_inclusion_listing();
        test_tiles_consistency();
        test_tiles_untrusted();
        test_tiles_not_listed();
        return 0;
}
