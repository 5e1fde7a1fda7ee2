/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-publish: the publisher's half of a release channel. Keeps channel.json of a channel directory
 * (serials, expiry, sizes and SHA-256 sums computed from the files themselves), signs it with the
 * standard minisign tool, and checks a channel, local or served, exactly as upkeepd would. */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "app-config.h"
#include "channel.h"
#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "minisign.h"
#include "publish-check.h"
#include "publish-edit.h"
#include "publish-store.h"
#include "strv.h"
#include "version.h"

/* Exit codes beyond cli.h's, listed in --help and upkeep-publish(1). */
enum {
        EXIT_CONFLICT = 3,     /* add: the version is published already with other content */
        EXIT_NO_VERSION = 4,   /* rollout, withdraw: no such version in the channel */
};

#define CHECK_WARN_EXPIRY_DEFAULT (7 * USEC_PER_DAY)

static const char *arg_app = NULL;
static usec_t arg_expires = PUBLISH_EXPIRES_DEFAULT;
static uint64_t arg_serial = 0;
static const char *arg_secret_key = NULL;
static const char *arg_key = NULL;
static const char *arg_platform = NULL;
static ArtifactType arg_type = _ARTIFACT_TYPE_INVALID;
static const char *arg_notes = NULL;
static unsigned arg_rollout = 100;
static const char *arg_url = NULL;
static size_t arg_keep = 0;
static bool arg_json = false;
static usec_t arg_warn = CHECK_WARN_EXPIRY_DEFAULT;

static int help(void) {
        printf("%s [OPTIONS...] COMMAND DIR ...\n\n"
               "Maintain a release channel for upkeep: channel.json, its minisign signature and the\n"
               "artifacts, in directory DIR, ready to be served as static files.\n\n"
               "Commands:\n"
               "  init DIR --app NAME            Start an empty channel\n"
               "  add DIR VERSION FILE...        Publish FILEs (one per platform) as VERSION\n"
               "  rollout DIR VERSION PERCENT    Offer VERSION to PERCENT (1-100) of machines\n"
               "  withdraw DIR VERSION           Take VERSION out of the channel\n"
               "  prune DIR --keep N             Keep only the N newest releases\n"
               "  refresh DIR                    Publish again with a new serial and expiry\n"
               "  check DIR|URL --key KEY        Verify a channel as upkeepd would\n\n"
               "Every command but check writes channel.json with the serial bumped and the expiry\n"
               "moved to now + --expires, and signs it with \"minisign -S\".\n\n"
               "Options:\n"
               "  -h --help                 Show this help\n"
               "     --version              Show package version\n"
               "     --app=NAME             init: the app's name; check: the app a client expects\n"
               "     --expires=SPAN         How long the written channel stays valid (default 30d)\n"
               "     --serial=N             The new serial, instead of the current one plus one\n"
               "  -s --secret-key=FILE      minisign secret key to sign with (minisign's default\n"
               "                            when not given; minisign asks for its password)\n"
               "  -k --key=KEY              minisign public key (key line or minisign.pub): check\n"
               "                            verifies with it; writing commands verify the new\n"
               "                            signature with it before publishing\n"
               "     --platform=linux-ARCH  add: the platform of the one FILE (default: the\n"
               "                            linux-ARCH its name contains, else this machine's)\n"
               "     --type=tar|zip|binary  add: the type (default: from the name or contents)\n"
               "     --notes=TEXT           add: release notes\n"
               "     --rollout=PERCENT      add: offer the new release to PERCENT of machines\n"
               "     --url=URL              add: do not copy FILE in; clients fetch it from URL\n"
               "                            (a directory URL ending in / for several FILEs)\n"
               "     --keep=N               prune: how many releases to keep\n"
               "     --json                 check: print the verdict as one JSON object\n"
               "     --warn-expiry=SPAN     check: warn when the channel expires sooner (7d)\n\n"
               "Exit status:\n"
               "  0 success (check: a client accepts the channel and every artifact),\n"
               "  1 failure, 2 invalid command line,\n"
               "  3 add: the version is published already with other content,\n"
               "  4 no such version in the channel,\n"
               "  7 check: a client would refuse the channel or an artifact\n"
               "\nSee the %s(1) man page for details.\n",
               program_invocation_short_name, program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_APP,
                ARG_EXPIRES,
                ARG_SERIAL,
                ARG_PLATFORM,
                ARG_TYPE,
                ARG_NOTES,
                ARG_ROLLOUT,
                ARG_URL,
                ARG_KEEP,
                ARG_JSON,
                ARG_WARN,
        };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h'          },
                { "version",     no_argument,       NULL, ARG_VERSION  },
                { "app",         required_argument, NULL, ARG_APP      },
                { "expires",     required_argument, NULL, ARG_EXPIRES  },
                { "serial",      required_argument, NULL, ARG_SERIAL   },
                { "secret-key",  required_argument, NULL, 's'          },
                { "key",         required_argument, NULL, 'k'          },
                { "platform",    required_argument, NULL, ARG_PLATFORM },
                { "type",        required_argument, NULL, ARG_TYPE     },
                { "notes",       required_argument, NULL, ARG_NOTES    },
                { "rollout",     required_argument, NULL, ARG_ROLLOUT  },
                { "url",         required_argument, NULL, ARG_URL      },
                { "keep",        required_argument, NULL, ARG_KEEP     },
                { "json",        no_argument,       NULL, ARG_JSON     },
                { "warn-expiry", required_argument, NULL, ARG_WARN     },
                {}
        };
        unsigned long long u;
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "hs:k:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        return cli_version();
                case ARG_APP:
                        arg_app = optarg;
                        break;
                case ARG_EXPIRES:
                        if (parse_timespan(optarg, &arg_expires) < 0 || arg_expires == 0) {
                                fprintf(stderr, "Invalid --expires= span: %s\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_WARN:
                        if (parse_timespan(optarg, &arg_warn) < 0) {
                                fprintf(stderr, "Invalid --warn-expiry= span: %s\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_SERIAL:
                        errno = 0;
                        u = strtoull(optarg, &end, 10);
                        if (errno != 0 || *end || end == optarg || optarg[0] == '-' || u == 0) {
                                fprintf(stderr, "Invalid --serial=: %s\n", optarg);
                                return -EINVAL;
                        }
                        arg_serial = u;
                        break;
                case 's':
                        arg_secret_key = optarg;
                        break;
                case 'k':
                        arg_key = optarg;
                        break;
                case ARG_PLATFORM:
                        arg_platform = optarg;
                        break;
                case ARG_TYPE:
                        arg_type = artifact_type_from_string(optarg);
                        if (arg_type < 0) {
                                fprintf(stderr, "Invalid --type=: %s (tar, zip or binary)\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_NOTES:
                        arg_notes = optarg;
                        break;
                case ARG_ROLLOUT:
                        errno = 0;
                        u = strtoull(optarg, &end, 10);
                        if (errno != 0 || *end || end == optarg || u < 1 || u > 100) {
                                fprintf(stderr, "Invalid --rollout=: %s (1-100)\n", optarg);
                                return -EINVAL;
                        }
                        arg_rollout = (unsigned) u;
                        break;
                case ARG_URL:
                        arg_url = optarg;
                        break;
                case ARG_KEEP:
                        errno = 0;
                        u = strtoull(optarg, &end, 10);
                        if (errno != 0 || *end || end == optarg || optarg[0] == '-' || u < 1 || u > SIZE_MAX) {
                                fprintf(stderr, "Invalid --keep=: %s (at least 1)\n", optarg);
                                return -EINVAL;
                        }
                        arg_keep = (size_t) u;
                        break;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }

        return 1;
}

/* A key line, or a path to a minisign.pub file (anything naming an existing file). */
static int load_public_key(const char *s, MinisignPublicKey *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (access(s, F_OK) >= 0) {
                r = read_file_at(AT_FDCWD, s, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &text, NULL);
                if (r < 0) {
                        fprintf(stderr, "Cannot read public key %s: %s\n", s, strerror(-r));
                        return r;
                }
                s = text;
        }

        r = minisign_public_key_parse(s, ret);
        if (r < 0)
                fprintf(stderr, "Invalid public key: expected a minisign key line (RW...) or a minisign.pub file.\n");
        return r;
}

typedef struct Edit {
        int dir_fd;
        const char *dir;
        Channel *channel;
        MinisignPublicKey key;
        bool have_key;
} Edit;

static void edit_done(Edit *e) {
        if (e->dir_fd >= 0)
                (void) close(e->dir_fd);
        channel_free(e->channel);
}

static int edit_open(const char *dir, Edit *ret) {
        _cleanup_free_ char *reason = NULL;
        Edit e = { .dir_fd = -EBADF, .dir = dir };
        int r;

        if (arg_key) {
                r = load_public_key(arg_key, &e.key);
                if (r < 0)
                        return r;
                e.have_key = true;
        }

        r = publish_dir_open(dir, false, &e.dir_fd);
        if (r < 0) {
                fprintf(stderr, "Cannot open channel directory %s: %s\n", dir, strerror(-r));
                return r;
        }

        r = publish_load(e.dir_fd, &e.channel, &reason);
        if (r == -ENOENT)
                fprintf(stderr, "%s has no channel.json: start one with \"%s init %s --app NAME\".\n",
                        dir, program_invocation_short_name, dir);
        else if (r == -EBADMSG)
                fprintf(stderr, "%s/channel.json is not a valid channel: %s\n", dir, strempty(reason));
        else if (r < 0)
                fprintf(stderr, "Cannot read %s/channel.json: %s\n", dir, strerror(-r));
        if (r < 0) {
                edit_done(&e);
                return r;
        }

        *ret = e;
        return 0;
}

/* Whole seconds: channel.json's times read better without microseconds, and lose nothing. */
static usec_t now_seconds(void) {
        return now_realtime() / USEC_PER_SEC * USEC_PER_SEC;
}

/* Bumps serial and expiry, writes and signs. */
static int edit_publish(Edit *e) {
        _cleanup_free_ char *reason = NULL;
        char buf[RFC3339_MAX];
        uint64_t old = e->channel->serial;
        int r;

        r = channel_bump(e->channel, arg_serial, now_seconds(), arg_expires);
        if (r == -ESTALE) {
                fprintf(stderr, "--serial=%" PRIu64 " is not above the channel's serial %" PRIu64
                        ": clients would refuse it as a replay.\n", arg_serial, old);
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "Cannot move the serial or expiry forward: %s\n", strerror(-r));
                return r;
        }

        PublishSigner signer = {
                .minisign = getenv("MINISIGN") ?: "minisign",
                .secret_key = arg_secret_key,
                .key = e->have_key ? &e->key : NULL,
        };
        r = publish_write(e->dir_fd, e->dir, e->channel, &signer, &reason);
        if (r < 0) {
                fprintf(stderr, "Failed to publish %s/channel.json: %s\n", e->dir, reason ?: strerror(-r));
                return r;
        }

        printf("%s: %s, serial %" PRIu64 ", expires %s, signed.\n", e->dir, e->channel->app, e->channel->serial,
               format_timestamp_rfc3339(buf, sizeof buf, e->channel->expires));
        return 0;
}

static int verb_init(char **args, size_t n) {
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *reason = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        MinisignPublicKey key;
        int r;

        if (n != 1 || !arg_app) {
                fprintf(stderr, "Usage: %s init DIR --app NAME\n", program_invocation_short_name);
                return EXIT_USAGE;
        }
        if (!app_name_is_valid(arg_app)) {
                fprintf(stderr, "Invalid app name: %s\n", arg_app);
                return EXIT_USAGE;
        }
        if (arg_key && load_public_key(arg_key, &key) < 0)
                return EXIT_USAGE;

        r = publish_dir_open(args[0], true, &dir_fd);
        if (r < 0) {
                fprintf(stderr, "Cannot create channel directory %s: %s\n", args[0], strerror(-r));
                return EXIT_FAILURE;
        }
        if (faccessat(dir_fd, PUBLISH_CHANNEL_FILE, F_OK, AT_SYMLINK_NOFOLLOW) >= 0) {
                fprintf(stderr, "%s has a channel.json already.\n", args[0]);
                return EXIT_FAILURE;
        }

        c = calloc(1, sizeof(Channel));
        if (!c || !(c->app = strdup(arg_app)))
                return log_oom(), EXIT_FAILURE;

        /* A channel taken over from another tool starts above the serial its clients accepted:
         * --serial says where; channel_bump() makes the first one 1 otherwise. */
        Edit e = { .dir_fd = TAKE_FD(dir_fd), .dir = args[0], .channel = TAKE_PTR(c), .key = key, .have_key = !!arg_key };
        r = edit_publish(&e);
        edit_done(&e);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int verb_add(char **args, size_t n) {
        _cleanup_(edit_done) Edit e = { .dir_fd = -EBADF };
        ChannelArtifact *artifacts = NULL;
        size_t n_artifacts = 0;
        int r, ret = EXIT_FAILURE;

        if (n < 3) {
                fprintf(stderr, "Usage: %s add DIR VERSION FILE...\n", program_invocation_short_name);
                return EXIT_USAGE;
        }
        if (!version_is_valid(args[1])) {
                fprintf(stderr, "Invalid version '%s': expected a semantic version such as 1.4.2.\n", args[1]);
                return EXIT_USAGE;
        }
        if (n > 3 && arg_platform) {
                fprintf(stderr, "--platform= names the platform of one FILE; with several, each file's name says it.\n");
                return EXIT_USAGE;
        }
        if (n > 3 && arg_url && !endswith_slash(arg_url)) {
                fprintf(stderr, "With several FILEs, --url= must be a directory URL ending in /.\n");
                return EXIT_USAGE;
        }

        if (edit_open(args[0], &e) < 0)
                return EXIT_FAILURE;

        artifacts = calloc(n - 2, sizeof(ChannelArtifact));
        if (!artifacts)
                return log_oom(), EXIT_FAILURE;

        for (size_t i = 2; i < n; i++) {
                _cleanup_free_ char *reason = NULL;

                r = publish_import(args[i], arg_type, arg_platform, args[1], arg_url, &artifacts[n_artifacts], &reason);
                if (r < 0) {
                        fprintf(stderr, "%s\n", reason ?: strerror(-r));
                        goto finish;
                }
                n_artifacts++;

                for (size_t j = 0; j + 1 < n_artifacts; j++)
                        if (streq(artifacts[j].platform, artifacts[n_artifacts - 1].platform)) {
                                fprintf(stderr, "%s and %s are both for %s.\n", args[2 + j], args[i],
                                        artifacts[j].platform);
                                ret = EXIT_USAGE;
                                goto finish;
                        }
        }

        /* The channel decides first whether the version may take these files; only then are they
         * copied in. */
        {
                _cleanup_free_ char *reason = NULL;

                r = channel_add(e.channel, args[1], artifacts, n_artifacts, arg_notes, arg_rollout, now_seconds(),
                                &reason);
                if (r == -EEXIST) {
                        fprintf(stderr, "%s\n", reason ?: "The version is published already with other content.");
                        ret = EXIT_CONFLICT;
                        goto finish;
                }
                if (r < 0) {
                        fprintf(stderr, "Cannot add %s: %s\n", args[1], strerror(-r));
                        goto finish;
                }
                if (r == 0 && arg_serial == 0) {
                        printf("%s: %s is published already with these artifacts; nothing changed.\n", args[0], args[1]);
                        ret = EXIT_SUCCESS;
                        goto finish;
                }
        }

        for (size_t i = 0; !arg_url && i < n_artifacts; i++) {
                _cleanup_free_ char *reason = NULL;

                r = publish_copy(e.dir_fd, args[2 + i], args[1], &artifacts[i], &reason);
                if (r < 0) {
                        fprintf(stderr, "%s\n", reason ?: strerror(-r));
                        ret = r == -EEXIST ? EXIT_CONFLICT : EXIT_FAILURE;
                        goto finish;
                }
        }

        ret = edit_publish(&e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

finish:
        for (size_t i = 0; i < n_artifacts; i++)
                publish_artifact_done(&artifacts[i]);
        free(artifacts);
        return ret;
}

/* The end of a verb that changed one version of the channel in dir: r is what the change returned
 * (-ENXIO: the channel has no such version). Publishes the edit; returns the exit status. */
static int edit_publish_version(Edit *e, const char *dir, const char *version, int r) {
        if (r == -ENXIO) {
                fprintf(stderr, "%s has no version %s.\n", dir, version);
                return EXIT_NO_VERSION;
        }
        if (r < 0)
                return EXIT_FAILURE;

        return edit_publish(e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int verb_rollout(char **args, size_t n) {
        _cleanup_(edit_done) Edit e = { .dir_fd = -EBADF };
        unsigned long percent;
        char *end;
        int r;

        if (n != 3) {
                fprintf(stderr, "Usage: %s rollout DIR VERSION PERCENT\n", program_invocation_short_name);
                return EXIT_USAGE;
        }
        errno = 0;
        percent = strtoul(args[2], &end, 10);
        if (errno != 0 || *end || end == args[2] || percent < 1 || percent > 100) {
                fprintf(stderr, "Invalid percentage '%s': expected 1-100.\n", args[2]);
                return EXIT_USAGE;
        }

        if (edit_open(args[0], &e) < 0)
                return EXIT_FAILURE;

        r = channel_set_rollout(e.channel, args[1], (unsigned) percent);
        return edit_publish_version(&e, args[0], args[1], r);
}

static int verb_withdraw(char **args, size_t n) {
        _cleanup_(edit_done) Edit e = { .dir_fd = -EBADF };
        int r;

        if (n != 2) {
                fprintf(stderr, "Usage: %s withdraw DIR VERSION\n", program_invocation_short_name);
                return EXIT_USAGE;
        }

        if (edit_open(args[0], &e) < 0)
                return EXIT_FAILURE;

        /* The files stay: a client may be downloading them right now, and a version once published
         * keeps its bytes (add refuses other ones). prune removes them. */
        r = channel_withdraw(e.channel, args[1]);
        return edit_publish_version(&e, args[0], args[1], r);
}

/* Removes VERSION/ directories no release of the channel refers to any more: those pruned, and those
 * withdrawn before. Only after the channel without them is published. */
static void remove_unreferenced(const Edit *e) {
        _cleanup_(strv_freep) char **dirs = NULL;
        DIR *d;
        struct dirent *de;
        int fd;

        fd = openat(e->dir_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                (void) close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && version_is_valid(de->d_name))
                        (void) strv_extend(&dirs, de->d_name);
        closedir(d);

        for (char **v = dirs; v && *v; v++) {
                bool used = false;

                for (size_t i = 0; i < e->channel->n_releases && !used; i++)
                        used = version_compare(e->channel->releases[i].version, *v) == 0;
                if (used)
                        continue;
                if (publish_remove_version_dir(e->dir_fd, *v) < 0)
                        fprintf(stderr, "Warning: cannot remove %s/%s/, ignoring.\n", e->dir, *v);
                else
                        printf("%s: removed %s/\n", e->dir, *v);
        }
}

static int verb_prune(char **args, size_t n) {
        _cleanup_(edit_done) Edit e = { .dir_fd = -EBADF };
        _cleanup_(strv_freep) char **removed = NULL;
        int r;

        if (n != 1 || arg_keep == 0) {
                fprintf(stderr, "Usage: %s prune DIR --keep N\n", program_invocation_short_name);
                return EXIT_USAGE;
        }

        if (edit_open(args[0], &e) < 0)
                return EXIT_FAILURE;

        r = channel_prune(e.channel, arg_keep, &removed);
        if (r < 0)
                return log_oom(), EXIT_FAILURE;
        for (char **v = removed; v && *v; v++)
                printf("%s: pruning %s\n", args[0], *v);

        if (r > 0 || arg_serial > 0) {
                if (edit_publish(&e) < 0)
                        return EXIT_FAILURE;
        }

        remove_unreferenced(&e);
        return EXIT_SUCCESS;
}

static int verb_refresh(char **args, size_t n) {
        _cleanup_(edit_done) Edit e = { .dir_fd = -EBADF };

        if (n != 1) {
                fprintf(stderr, "Usage: %s refresh DIR\n", program_invocation_short_name);
                return EXIT_USAGE;
        }

        if (edit_open(args[0], &e) < 0)
                return EXIT_FAILURE;

        return edit_publish(&e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int verb_check(char **args, size_t n) {
        MinisignPublicKey key;

        if (n != 1 || !arg_key) {
                fprintf(stderr, "Usage: %s check DIR|URL --key KEY [--app NAME]\n", program_invocation_short_name);
                return EXIT_USAGE;
        }
        if (load_public_key(arg_key, &key) < 0)
                return EXIT_USAGE;

        return publish_check(&(CheckOptions) {
                .where = args[0],
                .key = &key,
                .app = arg_app,
                .last_serial = arg_serial,
                .warn_expiry = arg_warn,
                .now = now_realtime(),
                .json = arg_json,
        });
}

int main(int argc, char *argv[]) {
        static const struct {
                const char *name;
                int (*run)(char **args, size_t n);
        } verbs[] = {
                { "init",     verb_init     },
                { "add",      verb_add      },
                { "rollout",  verb_rollout  },
                { "withdraw", verb_withdraw },
                { "prune",    verb_prune    },
                { "refresh",  verb_refresh  },
                { "check",    verb_check    },
        };
        int r;

        r = parse_argv(argc, argv);
        if (r < 0)
                return EXIT_USAGE;
        if (r == 0)
                return EXIT_SUCCESS;

        if (optind >= argc) {
                fprintf(stderr, "%s: missing command; see --help.\n", program_invocation_short_name);
                return EXIT_USAGE;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name))
                        return verbs[i].run(argv + optind + 1, (size_t) (argc - optind - 1));

        fprintf(stderr, "%s: unknown command '%s'; see --help.\n", program_invocation_short_name, argv[optind]);
        return EXIT_USAGE;
}
