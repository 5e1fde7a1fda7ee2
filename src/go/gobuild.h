/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gobuild (github.com/mjl-/gobuild, e.g. https://beta.gobuilds.org/): a service that builds Go
 * programs reproducibly from the module proxy and logs every build's hash in a transparency log.
 * The formats, as the service writes them, relative to its base URL B:
 *
 * Build spec / lookup key:  <module>@<version>/<dir/><goos>-<goarch>-<goversion>[-stripped]/
 *            dir is the package directory inside the module without its leading slash, with a
 *            trailing one, and empty for the module root: "example.com/hello@v1.0.0/linux-amd64-go1.22.0/",
 *            "example.com/x@v0.3.1/cmd/x/linux-arm64-go1.21.5/".
 * Log:       B/tlog/latest (signed tree head note), B/tlog/lookup/<key>, B/tlog/tile/8/… (tlog.h).
 *            A lookup builds on demand and answers 404 for a build that failed.
 * Lookup:    "<record id>\n" <record> "\n" <signed tree head note>   (record ends in "\n")
 * Record:    "<module> <version> <dir> <goos> <goarch> <goversion> <size> <sum> <variant>\n"
 *            dir "/" or "/cmd/x"; size of the uncompressed binary in bytes; variant "" or "stripped"
 *            (so most records end in " \n"). Records logged before variants existed have 8 fields,
 *            and some have a trailing slash on dir ("/cmd/x/"). The leaf hashed into the log is the
 *            record text exactly as served, its final "\n" included.
 * Sum:       "0" ‖ base64url without padding of the first 20 bytes of the binary's SHA-256.
 * Download:  B/<key><sum>/<name>-<version>-<goversion>[-stripped][.exe].gz, gzip of the binary;
 *            name is the last element of dir, or of the module for "/"; ".exe" for windows.
 * Verifier key: not served in any machine-readable form. Clients are configured with it (gobuild's
 *            own "get" command and ysco ship GOBUILD_BETA_VERIFIER_KEY for beta.gobuilds.org); the
 *            service's home page shows it in the text "gobuild get -verifierkey <key>". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define GOBUILD_BETA_VERIFIER_KEY "beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ"
#define GOBUILD_TLOG_PATH "tlog/"
#define GOBUILD_LATEST_PATH "tlog/latest"

/* gobuild refuses records longer than this (its records file has 512-byte slots with a 2-byte
 * length); a lookup body is a record id, a record and a note. */
#define GOBUILD_RECORD_SIZE_MAX 510U
#define GOBUILD_LOOKUP_SIZE_MAX (32U + GOBUILD_RECORD_SIZE_MAX + 1U + 16U * 1024U)
#define GOBUILD_SUM_SIZE 20U     /* bytes of SHA-256 a sum carries */

typedef struct GobuildSpec {
        char *module;           /* example.com/hello */
        char *version;          /* v1.0.0 */
        char *dir;              /* "/" or "/cmd/x" (never a trailing slash after parsing) */
        char *goos;
        char *goarch;
        char *goversion;        /* go1.22.0 */
        bool stripped;
} GobuildSpec;

typedef struct GobuildRecord {
        GobuildSpec spec;
        uint64_t size;          /* of the uncompressed binary */
        char *sum;
} GobuildRecord;

typedef struct GobuildLookup {
        uint64_t id;            /* the record's index in the log */
        char *record_text;      /* as logged, with its final "\n": hash it with tlog_record_hash() */
        size_t record_size;
        GobuildRecord record;
        char *note;             /* the signed tree head, for note_open() */
        size_t note_size;
} GobuildLookup;

void gobuild_spec_done(GobuildSpec *s);
void gobuild_record_done(GobuildRecord *r);
void gobuild_lookup_done(GobuildLookup *l);

/* A spec whose fields can be logged and put in a URL: module, version and goversion non-empty
 * printable ASCII without spaces; goos, goarch [a-z0-9]+; dir "/" or "/elem/elem" with no empty,
 * "." or ".." element; no '-' in goos, goarch or goversion (the key splits on it). */
bool gobuild_spec_is_valid(const GobuildSpec *s);

/* Parses one record (the whole text, with its final "\n"). -EBADMSG when it is not a record as
 * gobuild writes them. */
int gobuild_record_parse(const char *text, size_t size, GobuildRecord *ret);

/* Parses a lookup response. The note is not opened here. -EFBIG beyond GOBUILD_LOOKUP_SIZE_MAX,
 * -EBADMSG when malformed. */
int gobuild_lookup_parse(const char *body, size_t size, GobuildLookup *ret);

/* Whether the record is the build that was asked for: same module, version, dir, goos, goarch,
 * goversion and variant. A service answering a lookup with another build's record is lying. */
bool gobuild_record_matches(const GobuildRecord *r, const GobuildSpec *want);

/* The lookup key ("<module>@<version>/…/"); "tlog/lookup/<key>"; the download path of a record's
 * gzip-compressed binary. Relative to the service's base URL. -EINVAL for an invalid spec. */
int gobuild_lookup_key(const GobuildSpec *s, char **ret);
int gobuild_lookup_path(const GobuildSpec *s, char **ret);
int gobuild_download_path(const GobuildRecord *r, char **ret);

/* The sum of a binary with the given SHA-256; whether sum is it (false for a malformed sum). */
int gobuild_sum_format(const uint8_t sha256[static SHA256_SIZE], char **ret);
bool gobuild_sum_matches(const char *sum, const uint8_t sha256[static SHA256_SIZE]);

/* Finds the verifier key on the service's home page (after "-verifierkey "), checked with
 * note_verifier_parse(). -ENOKEY when there is none, -ENOTUNIQ when two different ones appear. */
int gobuild_verifier_key_find(const char *text, size_t size, char **ret);
