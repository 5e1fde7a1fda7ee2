/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transparency logs as Go's checksum database and gobuild keep them (golang.org/x/mod/sumdb/tlog):
 * an RFC 6962 Merkle tree of records, its signed tree head, and the tiles the log is served as.
 *
 * Hashing (RFC 6962 §2.1): record hash SHA-256(0x00 ‖ record), node hash SHA-256(0x01 ‖ left ‖ right).
 * Tree head (the text of a signed note): "go.sum database tree\n" <size> "\n" <base64 root> "\n".
 * Tiles: a tile of height 8 at level L holds up to 256 consecutive hashes of tree level 8·L, 32 bytes
 *        each: tile N of level L holds the level-8·L hashes N·256 … N·256+W-1. Its path is
 *        "tile/8/<L>/<N>" with N in three-digit groups, all but the last prefixed with "x"
 *        (1234067 → "x001/x234/067"), plus ".p/<W>" when the tile is partial (W < 256). A server
 *        that has completed a tile may serve only the full one; its first W hashes are the same.
 *
 * Verifying is in two phases so the caller can fetch asynchronously: (1) tlog_tiles_add_inclusion()
 * and tlog_tiles_add_consistency() list the tiles needed at one tree size; (2) after the caller has
 * handed each tile's bytes to tlog_tiles_set_data(), tlog_verify_inclusion() and
 * tlog_verify_consistency() build the RFC 6962 proofs from the tile hashes and check them with the
 * RFC 9162 verification algorithms against the signed roots. Tile bytes are untrusted: wrong ones
 * can only make verification fail.
 *
 * When a server presents a head older than the one already trusted, check the other way round: the
 * fetched head's consistency with the trusted one (tiles at the trusted size), and inclusion in the
 * trusted tree. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLOG_HASH_SIZE 32U
#define TLOG_TILE_HEIGHT 8U
#define TLOG_TILE_WIDTH (1U << TLOG_TILE_HEIGHT)   /* hashes in a full tile */
#define TLOG_TREE_HEAD_PREFIX "go.sum database tree\n"

typedef struct TlogHash {
        uint8_t bytes[TLOG_HASH_SIZE];
} TlogHash;

typedef struct TlogTreeHead {
        uint64_t size;          /* number of records */
        TlogHash root;
} TlogTreeHead;

/* A record id or tree size as the log writes them: decimal, no sign, no leading zero, at most
 * INT64_MAX (Go's int64). -EINVAL otherwise. */
int tlog_number_parse(const char *s, size_t len, uint64_t *ret);

/* Parses a tree head text (exactly the three lines, size without leading zeros and at most
 * INT64_MAX as Go writes it). -EBADMSG otherwise. */
int tlog_tree_head_parse(const char *text, size_t size, TlogTreeHead *ret);
int tlog_tree_head_format(const TlogTreeHead *head, char **ret);

/* Standard padded base64 of exactly one hash, as in tree heads (and upkeep's state). */
int tlog_hash_from_base64(const char *s, TlogHash *ret);
int tlog_hash_to_base64(const TlogHash *h, char **ret);
bool tlog_hash_equal(const TlogHash *a, const TlogHash *b);

/* SHA-256(0x00 ‖ record) and SHA-256(0x01 ‖ left ‖ right); -EIO when OpenSSL fails. */
int tlog_record_hash(const void *data, size_t size, TlogHash *ret);
int tlog_node_hash(const TlogHash *left, const TlogHash *right, TlogHash *ret);

/* RFC 9162 §2.1.3.2: whether proof shows that leaf is record index of the tree of size size with
 * root. §2.1.4.2: whether proof shows that the tree of old_size with old_root is a prefix of the
 * tree of new_size with new_root (equal sizes need an empty proof and equal roots; old_size 0 is
 * a prefix of everything). 0 or -EKEYREJECTED; -EINVAL for index >= size or old_size > new_size. */
int tlog_verify_inclusion_proof(uint64_t index, uint64_t size, const TlogHash *leaf,
                                const TlogHash *proof, size_t n_proof, const TlogHash *root);
int tlog_verify_consistency_proof(uint64_t old_size, uint64_t new_size,
                                  const TlogHash *old_root, const TlogHash *new_root,
                                  const TlogHash *proof, size_t n_proof);

typedef struct TlogTile {
        unsigned level;         /* L: holds hashes of tree level 8·L */
        uint64_t index;         /* N */
        unsigned width;         /* W, 1 … TLOG_TILE_WIDTH */
        uint8_t *data;          /* width hashes once tlog_tiles_set_data() was called, else NULL */
} TlogTile;

/* Path relative to the log's base URL: "tile/8/1/x001/234.p/17". */
int tlog_tile_path(const TlogTile *tile, char **ret);
/* The path of the full tile a partial one is a prefix of (the same path for a full tile). */
int tlog_tile_full_path(const TlogTile *tile, char **ret);

/* The tiles needed for proofs in the tree of size tree_size (set it before the first add). */
typedef struct TlogTiles {
        uint64_t tree_size;
        TlogTile *tiles;
        size_t n_tiles;
} TlogTiles;

void tlog_tiles_done(TlogTiles *t);

/* Adds the tiles (not yet listed) needed to prove that record is in the tree, including the
 * level-0 tile that holds the record's own hash. -EINVAL when record >= tree_size. */
int tlog_tiles_add_inclusion(TlogTiles *t, uint64_t record);
/* Adds the tiles needed to prove that the tree of old_size is a prefix of the tree (none when
 * old_size is 0 or tree_size). -EINVAL when old_size > tree_size. */
int tlog_tiles_add_consistency(TlogTiles *t, uint64_t old_size);

/* Hands over the fetched bytes of tile i: the partial tile (width × 32 bytes) or the full tile it
 * is a prefix of (256 × 32 bytes). Copied. -EBADMSG for any other size. */
int tlog_tiles_set_data(TlogTiles *t, size_t i, const void *data, size_t size);

/* The record with hash record_hash is entry record of the tree head (whose size must be
 * t->tree_size). 0, or -EKEYREJECTED when the proof read from the tiles does not lead to head's
 * root or the tiles hold another hash for the record; -ENODATA when a needed tile has no data
 * (it was not listed, or not set); -EINVAL for a size mismatch or record outside the tree. */
int tlog_verify_inclusion(const TlogTiles *t, uint64_t record, const TlogHash *record_hash,
                          const TlogTreeHead *head);
/* old is a prefix of head (whose size must be t->tree_size). -EKEYREJECTED means the log forked:
 * head is not an extension of old. Other errors as tlog_verify_inclusion(). */
int tlog_verify_consistency(const TlogTiles *t, const TlogTreeHead *old, const TlogTreeHead *head);
