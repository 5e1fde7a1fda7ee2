/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verifies a download from a gobuild service tree written by tests/gobuild-fake, the way upkeepd is to
 * do it, with the files read straight from the tree (a URL path is a file path below it; a path ending
 * in "/" is its index.html, as python3 -m http.server answers it). Driven by test-gobuild-fake.sh.
 *
 *   gobuild-check [--key KEY] TREE lookup MODULE VERSION DIR GOOS GOARCH GOVERSION [PINNED-HEAD]
 *   gobuild-check [--key KEY] TREE inclusion HEAD [STEP]
 *   gobuild-check [--key KEY] TREE consistency HEAD HEAD… (each a prefix of every later one)
 *
 * Prints "ok …" and exits 0, or "refused: WHY (ERRNO)" and exits 1; 2 for a usage error. */
#include <archive.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "gobuild.h"
#include "macro.h"
#include "note.h"
#include "sha256.h"
#include "strv.h"
#include "tlog.h"

#define FILE_MAX (64U * 1024U * 1024U)

static const char *tree;
static NoteVerifier verifier;

static int refuse(const char *why, int r) {
        printf("refused: %s (%s)\n", why, r < 0 ? strerrorname_np(-r) : "-");
        return 1;
}

static int read_url_path(const char *url_path, char **ret, size_t *ret_size) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "%s/%s%s", tree, url_path, endswith_slash(url_path) ? "index.html" : "") < 0)
                return -ENOMEM;
        return read_file_at(AT_FDCWD, p, FILE_MAX, ret, ret_size);
}

/* Opens a signed tree head note (a file, or bytes) with the verifier. */
static int open_head(const char *note, size_t size, TlogTreeHead *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = note_open(note, size, &verifier, &text);
        if (r < 0)
                return r;
        return tlog_tree_head_parse(text, strlen(text), ret);
}

static int open_head_file(const char *path, TlogTreeHead *ret) {
        _cleanup_free_ char *note = NULL;
        size_t size;
        int r;

        r = read_file_at(AT_FDCWD, path, FILE_MAX, &note, &size);
        if (r < 0)
                return r;
        return open_head(note, size, ret);
}

/* Fetches every listed tile; a partial tile the server no longer has is read from its full tile. */
static int fetch_tiles(TlogTiles *t) {
        for (size_t i = 0; i < t->n_tiles; i++) {
                _cleanup_free_ char *path = NULL, *url = NULL, *data = NULL;
                size_t size;
                int r;

                r = tlog_tile_path(&t->tiles[i], &path);
                if (r < 0)
                        return r;
                if (asprintf(&url, GOBUILD_TLOG_PATH "%s", path) < 0)
                        return -ENOMEM;

                r = read_url_path(url, &data, &size);
                if (r == -ENOENT && t->tiles[i].width < TLOG_TILE_WIDTH) {
                        free(path);
                        free(url);
                        path = url = NULL;
                        r = tlog_tile_full_path(&t->tiles[i], &path);
                        if (r < 0)
                                return r;
                        if (asprintf(&url, GOBUILD_TLOG_PATH "%s", path) < 0)
                                return -ENOMEM;
                        r = read_url_path(url, &data, &size);
                }
                if (r < 0)
                        return r;

                r = tlog_tiles_set_data(t, i, data, size);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

/* SHA-256 and size of the gunzipped data. */
static int gunzip_sha256(const void *gz, size_t gz_size, uint8_t ret[static SHA256_SIZE], uint64_t *ret_size) {
        _cleanup_(archive_freep) struct archive *a = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        struct archive_entry *e;
        size_t n = 0;

        a = archive_read_new();
        if (!a)
                return -ENOMEM;
        if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
            archive_read_support_format_raw(a) != ARCHIVE_OK ||
            archive_read_open_memory(a, gz, gz_size) != ARCHIVE_OK ||
            archive_read_next_header(a, &e) != ARCHIVE_OK ||
            archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP)
                return -EBADMSG;

        for (;;) {
                uint8_t buf[64 * 1024];
                la_ssize_t k = archive_read_data(a, buf, sizeof buf);
                uint8_t *grown;

                if (k < 0)
                        return -EBADMSG;
                if (k == 0)
                        break;
                if (n + (size_t) k > FILE_MAX)
                        return -EFBIG;
                grown = realloc(out, n + (size_t) k);
                if (!grown)
                        return -ENOMEM;
                out = grown;
                memcpy(out + n, buf, (size_t) k);
                n += (size_t) k;
        }

        *ret_size = n;
        return sha256_iovec(&(struct iovec) { out, n }, 1, ret);
}

static int do_lookup(char **argv, int argc) {
        _cleanup_(gobuild_lookup_done) GobuildLookup l = {};
        _cleanup_(tlog_tiles_done) TlogTiles tiles = {};
        _cleanup_free_ char *path = NULL, *body = NULL, *gz = NULL;
        TlogTreeHead head, pinned, proof_head;
        uint8_t sha[SHA256_SIZE];
        TlogHash leaf;
        uint64_t binary_size;
        bool have_pinned = argc > 6;
        size_t size;
        int r;
        GobuildSpec want = {
                .module = argv[0], .version = argv[1], .dir = argv[2],
                .goos = argv[3], .goarch = argv[4], .goversion = argv[5],
        };

        r = gobuild_lookup_path(&want, &path);
        if (r < 0)
                return refuse("invalid build spec", r);
        r = read_url_path(path, &body, &size);
        if (r < 0)
                return refuse("lookup not found", r);

        r = gobuild_lookup_parse(body, size, &l);
        if (r < 0)
                return refuse("malformed lookup response", r);
        if (!gobuild_record_matches(&l.record, &want))
                return refuse("record is for another build", -EBADMSG);

        r = open_head(l.note, l.note_size, &head);
        if (r < 0)
                return refuse("tree head note", r);
        if (l.id >= head.size)
                return refuse("record id outside the signed tree", -EBADMSG);

        /* Proofs are at the larger of the two trees: a head older than the pinned one must be a
         * prefix of it, and the record must then be in the pinned tree. */
        proof_head = head;
        if (have_pinned) {
                r = open_head_file(argv[6], &pinned);
                if (r < 0)
                        return refuse("pinned tree head", r);
                if (pinned.size > head.size)
                        proof_head = pinned;
        }

        tiles.tree_size = proof_head.size;
        if (have_pinned) {
                r = tlog_tiles_add_consistency(&tiles, pinned.size > head.size ? head.size : pinned.size);
                if (r < 0)
                        return refuse("listing consistency tiles", r);
        }
        r = tlog_tiles_add_inclusion(&tiles, l.id);
        if (r < 0)
                return refuse("listing inclusion tiles", r);

        r = fetch_tiles(&tiles);
        if (r < 0)
                return refuse("fetching tiles", r);

        if (have_pinned) {
                r = pinned.size > head.size ?
                        tlog_verify_consistency(&tiles, &head, &pinned) :
                        tlog_verify_consistency(&tiles, &pinned, &head);
                if (r < 0)
                        return refuse("fork: the log is not an extension of the pinned tree", r);
        }

        r = tlog_record_hash(l.record_text, l.record_size, &leaf);
        if (r < 0)
                return refuse("hashing", r);
        r = tlog_verify_inclusion(&tiles, l.id, &leaf, &proof_head);
        if (r < 0)
                return refuse("record not in the log", r);

        free(path);
        path = NULL;
        r = gobuild_download_path(&l.record, &path);
        if (r < 0)
                return refuse("download path", r);
        r = read_url_path(path, &gz, &size);
        if (r < 0)
                return refuse("download not found", r);
        r = gunzip_sha256(gz, size, sha, &binary_size);
        if (r < 0)
                return refuse("download is not gzip", r);
        if (binary_size != l.record.size || !gobuild_sum_matches(l.record.sum, sha))
                return refuse("binary does not match the logged sum", -EBADMSG);

        printf("ok id=%" PRIu64 " tree=%" PRIu64 " tiles=%zu\n", l.id, proof_head.size, tiles.n_tiles);
        return 0;
}

static int do_inclusion(char **argv, int argc) {
        _cleanup_free_ char *records_path = NULL, *records = NULL;
        TlogTreeHead head;
        uint64_t step = argc > 1 ? strtoull(argv[1], NULL, 10) : 1, checked = 0;
        const char *p, *end;
        size_t size;
        int r;

        r = open_head_file(argv[0], &head);
        if (r < 0)
                return refuse("tree head", r);

        if (asprintf(&records_path, "%s/test/records", tree) < 0)
                return refuse("oom", -ENOMEM);
        r = read_file_at(AT_FDCWD, records_path, FILE_MAX, &records, &size);
        if (r < 0)
                return refuse("records", r);

        p = records;
        end = records + size;
        for (uint64_t id = 0; id < head.size; id++) {
                _cleanup_(tlog_tiles_done) TlogTiles tiles = { .tree_size = head.size };
                const char *nl = memchr(p, '\n', end - p);
                TlogHash leaf;

                if (!nl)
                        return refuse("records file too short", -EBADMSG);
                if (id % step == 0 || id == head.size - 1) {
                        r = tlog_record_hash(p, nl + 1 - p, &leaf);
                        if (r >= 0)
                                r = tlog_tiles_add_inclusion(&tiles, id);
                        if (r >= 0)
                                r = fetch_tiles(&tiles);
                        if (r >= 0)
                                r = tlog_verify_inclusion(&tiles, id, &leaf, &head);
                        if (r < 0) {
                                printf("record %" PRIu64 ": ", id);
                                return refuse("inclusion", r);
                        }
                        checked++;
                }
                p = nl + 1;
        }

        printf("ok %" PRIu64 " records in a tree of %" PRIu64 "\n", checked, head.size);
        return 0;
}

/* Each head is a prefix of every head after it. */
static int do_consistency(char **argv, int argc) {
        TlogTreeHead *heads;
        size_t pairs = 0;
        int r;

        heads = calloc(argc, sizeof(TlogTreeHead));
        if (!heads)
                return refuse("oom", -ENOMEM);

        for (int i = 0; i < argc; i++) {
                r = open_head_file(argv[i], &heads[i]);
                if (r < 0) {
                        free(heads);
                        return refuse("tree head", r);
                }
        }

        for (int i = 0; i < argc; i++)
                for (int j = i + 1; j < argc; j++) {
                        _cleanup_(tlog_tiles_done) TlogTiles tiles = { .tree_size = heads[j].size };

                        r = tlog_tiles_add_consistency(&tiles, heads[i].size);
                        if (r >= 0)
                                r = fetch_tiles(&tiles);
                        if (r >= 0)
                                r = tlog_verify_consistency(&tiles, &heads[i], &heads[j]);
                        if (r < 0) {
                                printf("%" PRIu64 " -> %" PRIu64 ": ", heads[i].size, heads[j].size);
                                free(heads);
                                return refuse("consistency", r);
                        }
                        pairs++;
                }

        printf("ok %zu pairs, %" PRIu64 " is a prefix of %" PRIu64 "\n", pairs, heads[0].size, heads[argc - 1].size);
        free(heads);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_free_ char *key_path = NULL, *key_text = NULL;
        const char *key = NULL;
        int r;

        if (argc > 2 && streq(argv[1], "--key")) {
                key = argv[2];
                argv += 2;
                argc -= 2;
        }
        if (argc < 3)
                goto usage;
        tree = argv[1];

        if (!key) {
                if (asprintf(&key_path, "%s/verifier-key", tree) < 0)
                        return 2;
                r = read_file_at(AT_FDCWD, key_path, 4096, &key_text, NULL);
                if (r < 0)
                        return refuse("verifier key", r);
                key_text[strcspn(key_text, "\n")] = 0;
                key = key_text;
        }
        r = note_verifier_parse(key, &verifier);
        if (r < 0)
                return refuse("verifier key", r);

        if (streq(argv[2], "lookup") && (argc == 9 || argc == 10))
                r = do_lookup(argv + 3, argc - 3);
        else if (streq(argv[2], "inclusion") && (argc == 4 || argc == 5))
                r = do_inclusion(argv + 3, argc - 3);
        else if (streq(argv[2], "consistency") && argc >= 5)
                r = do_consistency(argv + 3, argc - 3);
        else
                goto usage;

        note_verifier_done(&verifier);
        return r;

usage:
        fprintf(stderr, "usage: gobuild-check [--key KEY] TREE lookup|inclusion|consistency ARGS…\n");
        return 2;
}
