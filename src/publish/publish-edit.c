/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-publish's edits of a Channel: adding, phasing, withdrawing and pruning releases, and the
 * serial and expiry every publication moves forward. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "publish-edit.h"
#include "strv.h"
#include "version.h"

bool channel_artifact_same(const ChannelArtifact *a, const ChannelArtifact *b) {
        return a->type == b->type && a->size == b->size && memcmp(a->sha256, b->sha256, SHA256_SIZE) == 0;
}

static ChannelRelease *find_release(Channel *c, const char *version) {
        for (size_t i = 0; i < c->n_releases; i++)
                if (version_compare(c->releases[i].version, version) == 0)
                        return &c->releases[i];
        return NULL;
}

static int artifact_copy(const ChannelArtifact *from, ChannelArtifact *to) {
        *to = *from;
        to->platform = strdup(from->platform);
        to->path = strdup(from->path);
        if (!to->platform || !to->path) {
                free(to->platform);
                free(to->path);
                *to = (ChannelArtifact) {};
                return -ENOMEM;
        }
        return 0;
}

static void artifacts_free(ChannelArtifact *a, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(a[i].platform);
                free(a[i].path);
        }
        free(a);
}

static void release_done(ChannelRelease *r) {
        free(r->version);
        free(r->notes);
        artifacts_free(r->artifacts, r->n_artifacts);
        *r = (ChannelRelease) {};
}

static int release_compare_newest_first(const void *a, const void *b) {
        const ChannelRelease *x = a, *y = b;

        return version_compare(y->version, x->version);
}

void channel_sort_releases(Channel *c) {
        if (c->n_releases > 1)
                qsort(c->releases, c->n_releases, sizeof(ChannelRelease), release_compare_newest_first);
}

int channel_add(Channel *c, const char *version, const ChannelArtifact *artifacts, size_t n_artifacts,
                const char *notes, unsigned rollout, usec_t published, char **ret_reason) {
        ChannelArtifact *all = NULL;
        ChannelRelease *rel, *releases;
        size_t n_new = 0, n_all;
        int r;

        if (!c || !version_is_valid(version) || n_artifacts == 0 || rollout < 1 || rollout > 100)
                return -EINVAL;
        for (size_t i = 0; i < n_artifacts; i++) {
                if (isempty(artifacts[i].platform) || isempty(artifacts[i].path) || artifacts[i].size == 0 ||
                    !artifact_type_to_string(artifacts[i].type))
                        return -EINVAL;
                for (size_t j = 0; j < i; j++)
                        if (streq(artifacts[i].platform, artifacts[j].platform))
                                return -EINVAL;
        }

        rel = find_release(c, version);
        if (rel) {
                /* All or nothing: first find out whether anything conflicts. */
                for (size_t i = 0; i < n_artifacts; i++) {
                        const ChannelArtifact *old = channel_release_find_artifact(rel, artifacts[i].platform);

                        if (!old) {
                                n_new++;
                                continue;
                        }
                        if (!channel_artifact_same(old, &artifacts[i])) {
                                if (ret_reason &&
                                    asprintf(ret_reason, "version %s is published already with another %s artifact "
                                             "(a client may have installed it): publish a new version instead",
                                             rel->version, old->platform) < 0)
                                        *ret_reason = NULL;
                                return -EEXIST;
                        }
                }
                if (n_new == 0)
                        return 0;

                n_all = rel->n_artifacts + n_new;
                all = calloc(n_all, sizeof(ChannelArtifact));
                if (!all)
                        return -ENOMEM;
                n_all = 0;
                for (size_t i = 0; i < n_artifacts; i++) {
                        if (channel_release_find_artifact(rel, artifacts[i].platform))
                                continue;
                        r = artifact_copy(&artifacts[i], &all[rel->n_artifacts + n_all]);
                        if (r < 0) {
                                artifacts_free(all + rel->n_artifacts, n_all);
                                free(all);
                                return r;
                        }
                        n_all++;
                }
                memcpy(all, rel->artifacts, rel->n_artifacts * sizeof(ChannelArtifact));
                free(rel->artifacts);
                rel->artifacts = all;
                rel->n_artifacts += n_all;
                return 1;
        }

        releases = reallocarray(c->releases, c->n_releases + 1, sizeof(ChannelRelease));
        if (!releases)
                return -ENOMEM;
        c->releases = releases;

        ChannelRelease new = {
                .version = strdup(version),
                .notes = notes ? strdup(notes) : NULL,
                .published = published,
                .rollout = rollout,
                .artifacts = calloc(n_artifacts, sizeof(ChannelArtifact)),
        };
        if (!new.version || (notes && !new.notes) || !new.artifacts) {
                release_done(&new);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_artifacts; i++) {
                r = artifact_copy(&artifacts[i], &new.artifacts[i]);
                if (r < 0) {
                        release_done(&new);
                        return r;
                }
                new.n_artifacts++;
        }

        c->releases[c->n_releases++] = new;
        channel_sort_releases(c);
        return 1;
}

int channel_set_rollout(Channel *c, const char *version, unsigned rollout) {
        ChannelRelease *rel;

        if (!c || !version || rollout < 1 || rollout > 100)
                return -EINVAL;

        rel = find_release(c, version);
        if (!rel)
                return -ENXIO;
        if (rel->rollout == rollout)
                return 0;

        rel->rollout = rollout;
        return 1;
}

int channel_withdraw(Channel *c, const char *version) {
        ChannelRelease *rel;
        size_t i;

        if (!c || !version)
                return -EINVAL;

        rel = find_release(c, version);
        if (!rel)
                return -ENXIO;

        i = (size_t) (rel - c->releases);
        release_done(rel);
        memmove(&c->releases[i], &c->releases[i + 1], (c->n_releases - i - 1) * sizeof(ChannelRelease));
        c->n_releases--;
        return 1;
}

int channel_prune(Channel *c, size_t keep, char ***ret_removed) {
        _cleanup_(strv_freep) char **removed = NULL;
        size_t n;
        int r;

        if (!c || keep < 1)
                return -EINVAL;
        if (c->n_releases <= keep) {
                if (ret_removed)
                        *ret_removed = NULL;
                return 0;
        }

        channel_sort_releases(c);
        for (size_t i = keep; i < c->n_releases; i++) {
                r = strv_extend(&removed, c->releases[i].version);
                if (r < 0)
                        return r;
        }

        n = c->n_releases - keep;
        for (size_t i = keep; i < c->n_releases; i++)
                release_done(&c->releases[i]);
        c->n_releases = keep;

        if (ret_removed)
                *ret_removed = TAKE_PTR(removed);
        return (int) MIN(n, (size_t) INT32_MAX);
}

int channel_bump(Channel *c, uint64_t serial, usec_t now, usec_t span) {
        if (!c || span == 0 || span == USEC_INFINITY || now > USEC_INFINITY - 1 - span)
                return -EINVAL;

        if (serial == 0) {
                if (c->serial == UINT64_MAX)
                        return -ERANGE;
                serial = c->serial + 1;
        } else if (serial <= c->serial)
                return -ESTALE;

        c->serial = serial;
        c->expires = now + span;
        return 1;
}

static bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n > m && strcasecmp(s + n - m, suffix) == 0;
}

ArtifactType artifact_type_guess(const char *filename, const void *head, size_t head_size) {
        static const char *const tar_suffixes[] = {
                ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.bz2", ".tbz2",
                ".tar.lz4", ".tar.lzma",
        };
        const unsigned char *h = head;

        for (size_t i = 0; i < ELEMENTSOF(tar_suffixes); i++)
                if (endswith(filename, tar_suffixes[i]))
                        return ARTIFACT_TAR;
        if (endswith(filename, ".zip"))
                return ARTIFACT_ZIP;

        if (head_size >= 4 && memcmp(h, "\177ELF", 4) == 0)
                return ARTIFACT_BINARY;
        if (head_size >= 2 && memcmp(h, "#!", 2) == 0)
                return ARTIFACT_BINARY;

        return _ARTIFACT_TYPE_INVALID;
}

int platform_from_filename(const char *filename, char **ret) {
        /* Go's GOARCH names of the architectures Linux runs on, longest first where one is a prefix
         * of another ("arm64" before "arm", "mips64le" before "mips64" before "mips"). */
        static const char *const arches[] = {
                "amd64", "arm64", "armbe", "arm", "386", "riscv64", "ppc64le", "ppc64", "s390x",
                "loong64", "mips64le", "mips64", "mipsle", "mips",
        };
        const char *base = strrchr(filename, '/');

        base = base ? base + 1 : filename;

        for (const char *p = base; (p = strstr(p, "linux-")); p++) {
                const char *a = p + strlen("linux-");

                /* "linux-" must start a word of the name: "foolinux-amd64" is not meant. */
                if (p > base && !strchr("-_.", p[-1]))
                        continue;

                for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                        size_t n = strlen(arches[i]);
                        char *s;

                        if (strncmp(a, arches[i], n) != 0 || (a[n] && !strchr("-_.", a[n])))
                                continue;
                        if (asprintf(&s, "linux-%s", arches[i]) < 0)
                                return -ENOMEM;
                        *ret = s;
                        return 0;
                }
        }

        return -ENOENT;
}
