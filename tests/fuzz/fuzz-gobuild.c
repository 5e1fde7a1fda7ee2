/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: what a gobuild service sends, on arbitrary bytes: lookup responses and records,
 * signed notes (opened with a fixed key, so OpenSSL sees arbitrary signatures), tree heads, verifier
 * keys, and tile bytes fed to the proofs of a fixed tree. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gobuild.h"
#include "macro.h"
#include "note.h"
#include "tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key of tests/gobuild-fake's trees. */
static const char fixed_key[] = "gobuild.test+7f3fc175+AXHFotGCFxwI4sp2Sh8gb6sxnmutefd/31HWYtl1kqy9";

static void open_note(const char *note, size_t size) {
        _cleanup_(note_verifier_done) NoteVerifier v = {};
        _cleanup_free_ char *text = NULL;
        TlogTreeHead head;
        int r;

        assert(note_verifier_parse(fixed_key, &v) == 0);
        r = note_open(note, size, &v, &text);
        assert(IN_SET(r, 0, -EBADMSG, -ENOKEY, -EKEYREJECTED, -EFBIG, -ENOMEM, -EIO));
        if (r == 0)
                (void) tlog_tree_head_parse(text, strlen(text), &head);
}

static void check_lookup(const char *body, size_t size) {
        _cleanup_(gobuild_lookup_done) GobuildLookup l = {};
        _cleanup_free_ char *key = NULL, *path = NULL;

        if (gobuild_lookup_parse(body, size, &l) < 0)
                return;

        assert(l.record_size > 0 && l.record_text[l.record_size - 1] == '\n');
        assert(gobuild_spec_is_valid(&l.record.spec));
        assert(gobuild_record_matches(&l.record, &l.record.spec));
        assert(gobuild_lookup_key(&l.record.spec, &key) == 0);
        assert(gobuild_download_path(&l.record, &path) == 0);
        open_note(l.note, l.note_size);
}

static void check_tree_head(const char *text, size_t size) {
        _cleanup_free_ char *formatted = NULL;
        TlogTreeHead head;

        if (tlog_tree_head_parse(text, size, &head) < 0)
                return;
        /* One spelling: what parses formats back to the same bytes. */
        assert(tlog_tree_head_format(&head, &formatted) == 0);
        assert(strlen(formatted) == size && memcmp(formatted, text, size) == 0);
}

/* The input, cut into the tiles a proof of record 256 in a tree of 520 (and of 300 being a prefix)
 * reads: nothing but a refusal can come of it. */
static void check_tiles(const uint8_t *data, size_t size) {
        _cleanup_(tlog_tiles_done) TlogTiles t = { .tree_size = 520 };
        TlogTreeHead head = { .size = 520 }, old = { .size = 300 };
        TlogHash leaf = {};
        int r;

        assert(tlog_tiles_add_inclusion(&t, 256) == 0);
        assert(tlog_tiles_add_consistency(&t, 300) == 0);

        for (size_t i = 0; i < t.n_tiles; i++) {
                size_t want = (size_t) t.tiles[i].width * TLOG_HASH_SIZE;

                if (size < want)
                        break;
                assert(tlog_tiles_set_data(&t, i, data, want) == 0);
                data += want;
                size -= want;
        }

        r = tlog_verify_inclusion(&t, 256, &leaf, &head);
        assert(IN_SET(r, -EKEYREJECTED, -ENODATA));
        r = tlog_verify_consistency(&t, &old, &head);
        assert(IN_SET(r, -EKEYREJECTED, -ENODATA));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(gobuild_record_done) GobuildRecord rec = {};
        _cleanup_(note_verifier_done) NoteVerifier v = {};
        _cleanup_free_ char *text = NULL, *key = NULL;
        const char *s = (const char *) data;

        check_lookup(s, size);
        open_note(s, size);
        check_tree_head(s, size);
        if (gobuild_record_parse(s, size, &rec) == 0)
                assert(gobuild_spec_is_valid(&rec.spec) && rec.size > 0);
        check_tiles(data, size);

        /* The parsers that take C strings. */
        text = strndup(s, size);
        if (!text)
                return 0;
        (void) note_verifier_parse(text, &v);
        (void) gobuild_verifier_key_find(s, size, &key);

        return 0;
}
