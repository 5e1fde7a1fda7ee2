/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tree heads, RFC 6962 hashing, tile coordinates, and proofs built from tiles. Written from RFC 6962
 * §2.1, RFC 9162 §2.1.3–2.1.4 and the tile layout of Go's checksum database.
 *
 * A proof element is the hash of a range of records [lo, hi) that RFC 6962 splits at the largest
 * power of two: such a range always starts at a multiple of that power of two, so its hash is built
 * from complete, aligned subtrees, and the hash of a complete subtree of level ℓ (2^ℓ records) is
 * read from the tile of level ℓ/8 that holds the 2^(ℓ mod 8) level-8·(ℓ/8) hashes below it. The
 * same walk either lists the tiles it would read (phase 1) or reads them (phase 2), so the two can
 * never disagree. */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "macro.h"
#include "sha256.h"
#include "tlog.h"

#define PROOF_MAX 64U   /* one element per tree level at most, and sizes are below 2^64 */

int tlog_hash_from_base64(const char *s, TlogHash *ret) {
        TlogHash h;

        if (!s || !ret)
                return -EINVAL;
        if (base64_decode_exact(s, strlen(s), h.bytes, TLOG_HASH_SIZE) < 0)
                return -EINVAL;

        *ret = h;
        return 0;
}

int tlog_hash_to_base64(const TlogHash *h, char **ret) {
        char *s;

        if (!h || !ret)
                return -EINVAL;

        s = base64_encode(h->bytes, TLOG_HASH_SIZE);
        if (!s)
                return -ENOMEM;

        *ret = s;
        return 0;
}

bool tlog_hash_equal(const TlogHash *a, const TlogHash *b) {
        return CRYPTO_memcmp(a->bytes, b->bytes, TLOG_HASH_SIZE) == 0;
}

int tlog_number_parse(const char *s, size_t len, uint64_t *ret) {
        uint64_t n = 0;

        if (!s || !ret)
                return -EINVAL;
        /* Digits only, no leading zero unless "0", at most INT64_MAX: what Go's strconv writes. */
        if (len == 0 || (len > 1 && s[0] == '0'))
                return -EINVAL;

        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                if (n > ((uint64_t) INT64_MAX - (uint64_t) (s[i] - '0')) / 10)
                        return -EINVAL;
                n = n * 10 + (uint64_t) (s[i] - '0');
        }

        *ret = n;
        return 0;
}

int tlog_tree_head_parse(const char *text, size_t size, TlogTreeHead *ret) {
        const char *p, *end, *nl;
        uint64_t n = 0;
        TlogHash root;

        if (!text || !ret)
                return -EINVAL;

        end = text + size;
        if (size < strlen(TLOG_TREE_HEAD_PREFIX) || memcmp(text, TLOG_TREE_HEAD_PREFIX, strlen(TLOG_TREE_HEAD_PREFIX)) != 0)
                return -EBADMSG;
        p = text + strlen(TLOG_TREE_HEAD_PREFIX);

        nl = memchr(p, '\n', end - p);
        if (!nl || tlog_number_parse(p, nl - p, &n) < 0)
                return -EBADMSG;
        p = nl + 1;

        nl = memchr(p, '\n', end - p);
        if (!nl || nl + 1 != end)
                return -EBADMSG;
        if (base64_decode_exact(p, nl - p, root.bytes, TLOG_HASH_SIZE) < 0)
                return -EBADMSG;

        *ret = (TlogTreeHead) { .size = n, .root = root };
        return 0;
}

int tlog_tree_head_format(const TlogTreeHead *head, char **ret) {
        _cleanup_free_ char *b64 = NULL;
        char *s;
        int r;

        if (!head || !ret || head->size > INT64_MAX)
                return -EINVAL;

        r = tlog_hash_to_base64(&head->root, &b64);
        if (r < 0)
                return r;

        if (asprintf(&s, TLOG_TREE_HEAD_PREFIX "%" PRIu64 "\n%s\n", head->size, b64) < 0)
                return -ENOMEM;

        *ret = s;
        return 0;
}

int tlog_record_hash(const void *data, size_t size, TlogHash *ret) {
        struct iovec iov[] = {
                { (void *) "\x00", 1 },
                { (void *) data, size },
        };

        return sha256_iovec(iov, ELEMENTSOF(iov), ret->bytes);
}

int tlog_node_hash(const TlogHash *left, const TlogHash *right, TlogHash *ret) {
        struct iovec iov[] = {
                { (void *) "\x01", 1 },
                { (void *) left->bytes, TLOG_HASH_SIZE },
                { (void *) right->bytes, TLOG_HASH_SIZE },
        };

        return sha256_iovec(iov, ELEMENTSOF(iov), ret->bytes);
}

/* One step of the proof walks of RFC 9162 §2.1.3.2 and §2.1.4.2, which differ only in the second hash
 * the consistency proof rebuilds: combines proof hash p into r on the side fn and sn say, and into
 * left (when not NULL) where p is a left neighbour. */
static int proof_step(const TlogHash *p, uint64_t *fn, uint64_t *sn, TlogHash *r, TlogHash *left) {
        int k;

        if (*sn == 0)
                return -EKEYREJECTED;

        if ((*fn & 1) || *fn == *sn) {
                if (left) {
                        k = tlog_node_hash(p, left, left);
                        if (k < 0)
                                return k;
                }
                k = tlog_node_hash(p, r, r);
                if (k < 0)
                        return k;
                if (!(*fn & 1))
                        while (*fn != 0 && !(*fn & 1)) {
                                *fn >>= 1;
                                *sn >>= 1;
                        }
        } else {
                k = tlog_node_hash(r, p, r);
                if (k < 0)
                        return k;
        }

        *fn >>= 1;
        *sn >>= 1;
        return 0;
}

int tlog_verify_inclusion_proof(uint64_t index, uint64_t size, const TlogHash *leaf,
                                const TlogHash *proof, size_t n_proof, const TlogHash *root) {
        uint64_t fn, sn;
        TlogHash r;
        int k;

        if (!leaf || !root || (!proof && n_proof > 0))
                return -EINVAL;
        if (index >= size)
                return -EINVAL;

        /* RFC 9162 §2.1.3.2, step by step. */
        fn = index;
        sn = size - 1;
        r = *leaf;

        for (size_t i = 0; i < n_proof; i++) {
                k = proof_step(&proof[i], &fn, &sn, &r, NULL);
                if (k < 0)
                        return k;
        }

        if (sn != 0 || !tlog_hash_equal(&r, root))
                return -EKEYREJECTED;
        return 0;
}

static bool is_power_of_two(uint64_t x) {
        return x != 0 && (x & (x - 1)) == 0;
}

int tlog_verify_consistency_proof(uint64_t old_size, uint64_t new_size,
                                  const TlogHash *old_root, const TlogHash *new_root,
                                  const TlogHash *proof, size_t n_proof) {
        uint64_t fn, sn;
        TlogHash fr, sr;
        size_t i = 0;
        int k;

        if (!old_root || !new_root || (!proof && n_proof > 0))
                return -EINVAL;
        if (old_size > new_size)
                return -EINVAL;

        /* Every tree extends the empty one; a tree extends only itself at the same size. */
        if (old_size == 0)
                return n_proof == 0 ? 0 : -EKEYREJECTED;
        if (old_size == new_size)
                return n_proof == 0 && tlog_hash_equal(old_root, new_root) ? 0 : -EKEYREJECTED;

        /* RFC 9162 §2.1.4.2, step by step; the old root stands in front of the proof when the old
         * tree is a complete subtree (a power of two). */
        if (n_proof == 0)
                return -EKEYREJECTED;

        if (is_power_of_two(old_size))
                fr = sr = *old_root;
        else
                fr = sr = proof[i++];

        fn = old_size - 1;
        sn = new_size - 1;
        while (fn & 1) {
                fn >>= 1;
                sn >>= 1;
        }

        for (; i < n_proof; i++) {
                k = proof_step(&proof[i], &fn, &sn, &sr, &fr);
                if (k < 0)
                        return k;
        }

        if (sn != 0 || !tlog_hash_equal(&fr, old_root) || !tlog_hash_equal(&sr, new_root))
                return -EKEYREJECTED;
        return 0;
}

static int append_printf(char **s, const char *format, ...) _printf_(2, 3);
static int append_printf(char **s, const char *format, ...) {
        _cleanup_free_ char *piece = NULL;
        va_list ap;
        char *joined;
        int k;

        va_start(ap, format);
        k = vasprintf(&piece, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;

        if (asprintf(&joined, "%s%s", strempty(*s), piece) < 0)
                return -ENOMEM;

        free(*s);
        *s = joined;
        return 0;
}

static int tile_path(unsigned level, uint64_t index, unsigned width, char **ret) {
        _cleanup_free_ char *s = NULL;
        uint64_t groups[8];     /* 2^64 has 20 decimal digits: 7 groups of three */
        size_t n = 0;
        int r;

        if (level >= 8 || width < 1 || width > TLOG_TILE_WIDTH)
                return -EINVAL;

        do {
                groups[n++] = index % 1000;
                index /= 1000;
        } while (index > 0);

        r = append_printf(&s, "tile/%u/%u/", TLOG_TILE_HEIGHT, level);
        if (r < 0)
                return r;
        while (n > 1) {
                r = append_printf(&s, "x%03" PRIu64 "/", groups[--n]);
                if (r < 0)
                        return r;
        }
        r = append_printf(&s, "%03" PRIu64, groups[0]);
        if (r < 0)
                return r;
        if (width < TLOG_TILE_WIDTH) {
                r = append_printf(&s, ".p/%u", width);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

int tlog_tile_path(const TlogTile *tile, char **ret) {
        if (!tile || !ret)
                return -EINVAL;
        return tile_path(tile->level, tile->index, tile->width, ret);
}

int tlog_tile_full_path(const TlogTile *tile, char **ret) {
        if (!tile || !ret)
                return -EINVAL;
        return tile_path(tile->level, tile->index, TLOG_TILE_WIDTH, ret);
}

void tlog_tiles_done(TlogTiles *t) {
        if (!t)
                return;

        for (size_t i = 0; i < t->n_tiles; i++)
                free(t->tiles[i].data);
        free(t->tiles);
        *t = (TlogTiles) {};
}

int tlog_tiles_set_data(TlogTiles *t, size_t i, const void *data, size_t size) {
        TlogTile *tile;
        uint8_t *copy;

        if (!t || i >= t->n_tiles || (!data && size > 0))
                return -EINVAL;

        tile = &t->tiles[i];
        /* The partial tile itself, or the full tile it is the beginning of. */
        if (size != (size_t) tile->width * TLOG_HASH_SIZE && size != (size_t) TLOG_TILE_WIDTH * TLOG_HASH_SIZE)
                return -EBADMSG;

        copy = malloc((size_t) tile->width * TLOG_HASH_SIZE);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, (size_t) tile->width * TLOG_HASH_SIZE);

        free(tile->data);
        tile->data = copy;
        return 0;
}

/* The walk over the tree of size tree_size: in listing mode it adds the tiles it would read to
 * list, in reading mode it reads hashes from the tiles of from. */
typedef struct Walk {
        uint64_t tree_size;
        TlogTiles *list;
        const TlogTiles *from;
} Walk;

static const TlogTile *tiles_find(const TlogTiles *t, unsigned level, uint64_t index) {
        for (size_t i = 0; i < t->n_tiles; i++)
                if (t->tiles[i].level == level && t->tiles[i].index == index)
                        return &t->tiles[i];
        return NULL;
}

/* The hash of n (a power of two) consecutive hashes of a tile, as the subtree they are the bottom of. */
static int tile_subtree_hash(const uint8_t *hashes, uint64_t n, TlogHash *ret) {
        TlogHash left, right;
        int r;

        if (n == 1) {
                memcpy(ret->bytes, hashes, TLOG_HASH_SIZE);
                return 0;
        }

        r = tile_subtree_hash(hashes, n / 2, &left);
        if (r < 0)
                return r;
        r = tile_subtree_hash(hashes + n / 2 * TLOG_HASH_SIZE, n / 2, &right);
        if (r < 0)
                return r;
        return tlog_node_hash(&left, &right, ret);
}

/* The hash of the complete subtree of tree level `level` (2^level records) number `index`, which
 * the caller made sure lies inside the tree. */
static int walk_stored_hash(Walk *w, unsigned level, uint64_t index, TlogHash *ret) {
        unsigned tile_level = level / TLOG_TILE_HEIGHT, below = level % TLOG_TILE_HEIGHT;
        uint64_t first = index << below, count = UINT64_C(1) << below;
        uint64_t tile_index = first / TLOG_TILE_WIDTH, offset = first % TLOG_TILE_WIDTH;
        uint64_t at_level = w->tree_size >> (tile_level * TLOG_TILE_HEIGHT);
        uint64_t left_at_level = at_level - tile_index * TLOG_TILE_WIDTH;
        unsigned width = left_at_level < TLOG_TILE_WIDTH ? (unsigned) left_at_level : TLOG_TILE_WIDTH;
        const TlogTile *tile;

        if (w->list) {
                TlogTile *a;

                *ret = (TlogHash) {};
                if (tiles_find(w->list, tile_level, tile_index))
                        return 0;

                a = reallocarray(w->list->tiles, w->list->n_tiles + 1, sizeof(TlogTile));
                if (!a)
                        return -ENOMEM;
                w->list->tiles = a;
                a[w->list->n_tiles++] = (TlogTile) { .level = tile_level, .index = tile_index, .width = width };
                return 0;
        }

        tile = tiles_find(w->from, tile_level, tile_index);
        if (!tile || !tile->data)
                return -ENODATA;
        /* Listed for another tree size: the walk's arithmetic would not match the data. */
        if (tile->width != width || offset + count > width)
                return -EINVAL;

        return tile_subtree_hash(tile->data + offset * TLOG_HASH_SIZE, count, ret);
}

static uint64_t largest_power_of_two_below(uint64_t n) {
        uint64_t k = 1;

        while (k < n - k)
                k <<= 1;
        return k;
}

/* MTH(D[lo:hi]) (RFC 6962 §2.1), for hi > lo. */
static int walk_range_hash(Walk *w, uint64_t lo, uint64_t hi, TlogHash *ret) {
        uint64_t n = hi - lo, k;
        TlogHash left, right;
        int r;

        if (is_power_of_two(n) && lo % n == 0)
                return walk_stored_hash(w, (unsigned) __builtin_ctzll(n), lo / n, ret);

        k = largest_power_of_two_below(n);
        r = walk_range_hash(w, lo, lo + k, &left);
        if (r < 0)
                return r;
        r = walk_range_hash(w, lo + k, hi, &right);
        if (r < 0)
                return r;
        if (w->list) {
                *ret = (TlogHash) {};
                return 0;
        }
        return tlog_node_hash(&left, &right, ret);
}

static int proof_append(Walk *w, uint64_t lo, uint64_t hi, TlogHash *proof, size_t *n_proof) {
        if (*n_proof >= PROOF_MAX)
                return -EINVAL;
        return walk_range_hash(w, lo, hi, &proof[(*n_proof)++]);
}

/* PATH(m, D[lo:hi]) (RFC 6962 §2.1.1), m absolute. */
static int walk_inclusion_path(Walk *w, uint64_t m, uint64_t lo, uint64_t hi, TlogHash *proof, size_t *n_proof) {
        uint64_t k;
        int r;

        if (hi - lo <= 1)
                return 0;

        k = largest_power_of_two_below(hi - lo);
        if (m < lo + k) {
                r = walk_inclusion_path(w, m, lo, lo + k, proof, n_proof);
                if (r < 0)
                        return r;
                return proof_append(w, lo + k, hi, proof, n_proof);
        }

        r = walk_inclusion_path(w, m, lo + k, hi, proof, n_proof);
        if (r < 0)
                return r;
        return proof_append(w, lo, lo + k, proof, n_proof);
}

/* SUBPROOF(m, D[lo:hi], complete) (RFC 6962 §2.1.2), m absolute. */
static int walk_consistency_path(Walk *w, uint64_t m, uint64_t lo, uint64_t hi, bool complete,
                                 TlogHash *proof, size_t *n_proof) {
        uint64_t k;
        int r;

        if (m == hi)
                return complete ? 0 : proof_append(w, lo, hi, proof, n_proof);

        k = largest_power_of_two_below(hi - lo);
        if (m <= lo + k) {
                r = walk_consistency_path(w, m, lo, lo + k, complete, proof, n_proof);
                if (r < 0)
                        return r;
                return proof_append(w, lo + k, hi, proof, n_proof);
        }

        r = walk_consistency_path(w, m, lo + k, hi, false, proof, n_proof);
        if (r < 0)
                return r;
        return proof_append(w, lo, lo + k, proof, n_proof);
}

int tlog_tiles_add_inclusion(TlogTiles *t, uint64_t record) {
        TlogHash proof[PROOF_MAX], leaf;
        Walk w = { .tree_size = t ? t->tree_size : 0, .list = t };
        size_t n = 0;
        int r;

        if (!t || record >= t->tree_size)
                return -EINVAL;

        r = walk_stored_hash(&w, 0, record, &leaf);
        if (r < 0)
                return r;
        return walk_inclusion_path(&w, record, 0, t->tree_size, proof, &n);
}

int tlog_tiles_add_consistency(TlogTiles *t, uint64_t old_size) {
        TlogHash proof[PROOF_MAX];
        Walk w = { .tree_size = t ? t->tree_size : 0, .list = t };
        size_t n = 0;

        if (!t || old_size > t->tree_size)
                return -EINVAL;
        if (old_size == 0 || old_size == t->tree_size)
                return 0;

        return walk_consistency_path(&w, old_size, 0, t->tree_size, true, proof, &n);
}

int tlog_verify_inclusion(const TlogTiles *t, uint64_t record, const TlogHash *record_hash,
                          const TlogTreeHead *head) {
        TlogHash proof[PROOF_MAX], stored;
        Walk w = { .tree_size = t ? t->tree_size : 0, .from = t };
        size_t n = 0;
        int r;

        if (!t || !record_hash || !head || head->size != t->tree_size || record >= head->size)
                return -EINVAL;

        /* The log's own hash for the record must be this record's: a clearer refusal than a failed
         * proof, and the proof below checks the rest. */
        r = walk_stored_hash(&w, 0, record, &stored);
        if (r < 0)
                return r;
        if (!tlog_hash_equal(&stored, record_hash))
                return -EKEYREJECTED;

        r = walk_inclusion_path(&w, record, 0, head->size, proof, &n);
        if (r < 0)
                return r;

        return tlog_verify_inclusion_proof(record, head->size, record_hash, proof, n, &head->root);
}

int tlog_verify_consistency(const TlogTiles *t, const TlogTreeHead *old, const TlogTreeHead *head) {
        TlogHash proof[PROOF_MAX];
        Walk w = { .tree_size = t ? t->tree_size : 0, .from = t };
        size_t n = 0;
        int r;

        if (!t || !old || !head || head->size != t->tree_size || old->size > head->size)
                return -EINVAL;

        if (old->size > 0 && old->size < head->size) {
                r = walk_consistency_path(&w, old->size, 0, head->size, true, proof, &n);
                if (r < 0)
                        return r;
        }

        return tlog_verify_consistency_proof(old->size, head->size, &old->root, &head->root, proof, n);
}
