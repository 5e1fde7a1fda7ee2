/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-journal.h"
#include "app-run.h"
#include "app.h"
#include "bus-error.h"
#include "channel.h"
#include "command.h"
#include "fileio.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "stage.h"
#include "strv.h"
#include "switch.h"
#include "transient.h"
#include "unit-watch.h"

#define COPY_CHUNK (64U * 1024U)

struct Run {
        Manager *manager;
        sd_bus_message *call;       /* answered when the unit started, or could not */
        char *name, *source, *public_key;
        char **argv;                /* the program's arguments */
        int fd;                     /* the program, as the caller opened it */
        char unit[256];
        char *version;
        sd_bus_slot *get_unit;
        TransientUnit *transient;
};

Run *run_free(Run *r) {
        if (!r)
                return NULL;

        for (size_t i = 0; i < r->manager->n_runs; i++)
                if (r->manager->runs[i] == r) {
                        r->manager->runs[i] = r->manager->runs[--r->manager->n_runs];
                        break;
                }
        sd_bus_message_unref(r->call);
        sd_bus_slot_unref(r->get_unit);
        /* If the daemon exits while the unit starts, the unit goes on without us. */
        transient_detach(r->transient);
        if (r->fd >= 0)
                (void) close(r->fd);
        free(r->name);
        free(r->source);
        free(r->public_key);
        strv_free(r->argv);
        free(r->version);
        free(r);
        return NULL;
}

bool app_run_in_progress(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_runs; i++)
                if (streq(m->runs[i]->name, name))
                        return true;
        return false;
}

static void run_fail(Run *r, const char *error_name, const char *format, ...) _printf_(3, 4);
static void run_fail(Run *r, const char *error_name, const char *format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int k;

        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);

        log_error("Failed to run %s: %s", r->name, strempty(message));
        (void) sd_bus_error_set(&error, error_name, message ?: "out of memory");
        k = sd_bus_reply_method_error(r->call, &error);
        if (k < 0)
                log_debug_errno(k, "Failed to answer Run() of %s, ignoring: %m", r->name);
        run_free(r);
}

/* Copies the caller's program into a file of our own while hashing it: what is staged is what was
 * hashed, whatever the caller does to its file meanwhile. */
static int copy_and_hash(int fd, int dir_fd, int *ret_fd, char ret_hex[static 2 * SHA256_SIZE + 1]) {
        _cleanup_(sha256_freep) Sha256 *ctx = NULL;
        _cleanup_close_ int copy_fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        uint8_t digest[SHA256_SIZE];
        off_t offset = 0;

        copy_fd = openat(dir_fd, ".", O_TMPFILE|O_RDWR|O_CLOEXEC, 0600);
        if (copy_fd < 0)
                return -errno;

        buf = malloc(COPY_CHUNK);
        if (!buf || sha256_new(&ctx) < 0)
                return -ENOMEM;

        for (;;) {
                ssize_t k = read_retry(fd, buf, COPY_CHUNK, &offset);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                if (sha256_update(ctx, buf, (size_t) k) < 0)
                        return -EIO;
                int r = loop_write(copy_fd, buf, (size_t) k);
                if (r < 0)
                        return r;
        }
        if (offset == 0)
                return -ENODATA;
        if (sha256_final(ctx, digest) < 0)
                return -EIO;

        (void) sha256_to_hex(digest, ret_hex);
        *ret_fd = TAKE_FD(copy_fd);
        return 0;
}

static int write_record(Run *r, char **ret_path) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *exec = NULL, *text = NULL;
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int k;

        /* The program is staged under the app's name, as a binary release is. */
        k = strv_extend(&words, r->name);
        for (char **a = r->argv; k >= 0 && a && *a; a++)
                k = strv_extend(&words, *a);
        if (k < 0)
                return k;
        k = command_join(words, &exec);
        if (k < 0)
                return k;

        if (asprintf(&text,
                     "# Recorded by upkeepd for \"upkeepctl run\"; read by upkeepd alone, and forgotten once\n"
                     "# %s is gone.\n"
                     "[App]\n"
                     "Description=%s, run by upkeepctl\n"
                     "%s%s%s"
                     "%s%s%s"
                     "Exec=%s\n"
                     "\n"
                     "[Update]\n"
                     "# Which versions follow a local program is not known: updates only when asked.\n"
                     "Policy=manual\n",
                     r->unit, r->name,
                     r->source ? "Source=" : "", strempty(r->source), r->source ? "\n" : "",
                     r->public_key ? "PublicKey=" : "", strempty(r->public_key), r->public_key ? "\n" : "",
                     exec) < 0) {
                text = NULL;
                return -ENOMEM;
        }

        if (asprintf(&dir, "%s/" APP_TRANSIENT_DIR, r->manager->runtime_dir) < 0 ||
            asprintf(&path, "%s/%s.app", dir, r->name) < 0)
                return -ENOMEM;
        if (mkdir(r->manager->runtime_dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        dir_fd = open(dir, O_DIRECTORY|O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;

        k = write_file_atomic_at(dir_fd, path + strlen(dir) + 1, text, strlen(text), 0644);
        if (k < 0)
                return k;

        *ret_path = TAKE_PTR(path);
        return 0;
}

typedef struct RunEdit {
        const char *version;
        int dir_fd;
} RunEdit;

/* The program becomes current at once: it is what the operator asked to run, not an update on trial. */
static int edit_run(AppState *s, void *userdata) {
        const RunEdit *e = userdata;
        int k;

        if (!streq_ptr(s->current_version, e->version)) {
                if (s->current_version) {
                        k = switch_link_at(e->dir_fd, APP_PREVIOUS_LINK, s->current_version);
                        if (k < 0)
                                return k;
                        k = free_and_strdup(&s->previous_version, s->current_version);
                        if (k < 0)
                                return k;
                }
                k = switch_link_at(e->dir_fd, APP_CURRENT_LINK, e->version);
                if (k < 0)
                        return k;
                k = app_state_add_transition(s, now_realtime(), s->current_version, e->version, TRANSITION_MANUAL);
                if (k < 0)
                        return k;
                k = free_and_strdup(&s->current_version, e->version);
                if (k < 0)
                        return k;
        }

        /* A trial left by a unit of this name that is gone has nothing left to decide. */
        s->trial_version = mfree(s->trial_version);
        s->trial_started_at = 0;
        s->trial_starts = 0;
        s->last_error = mfree(s->last_error);
        return 1;
}

static int edit_start_failed(AppState *s, void *userdata) {
        return free_and_strdup(&s->last_error, userdata);
}

static void on_started(TransientUnit *t, const char *unit, const UnitOutcome *o, void *userdata) {
        _cleanup_free_ char *how = NULL;
        Run *r = userdata;
        App *a = manager_get_app(r->manager, r->name);
        int k;

        r->transient = NULL;

        if (unit_outcome_succeeded(o) && !(o->active_state && IN_SET_STR(o->active_state, "inactive", "failed"))) {
                app_journal(&(AppEvent) {
                                .priority = LOG_NOTICE,
                                .app = r->name,
                                .version = r->version,
                        },
                        "%s %s started as %s (upkeepctl run).", r->name, r->version, unit);
                k = sd_bus_reply_method_return(r->call, "os", a ? a->object_path : "/", unit);
                if (k < 0)
                        log_debug_errno(k, "Failed to answer Run() of %s, ignoring: %m", r->name);
                run_free(r);
                return;
        }

        if (unit_outcome_succeeded(o))
                how = strdup("did not stay up");
        else
                (void) unit_outcome_describe(o, 0, &how);
        if (a) {
                _cleanup_free_ char *reason = NULL;

                if (asprintf(&reason, "%s %s", unit, strempty(how)) >= 0 &&
                    app_update_state(a, edit_start_failed, reason) > 0)
                        app_emit_changed(a, "LastError", NULL);
        }
        run_fail(r, SD_BUS_ERROR_FAILED, "%s (%s %s) %s; see \"journalctl -u %s\".", unit, r->name, r->version,
                 strempty(how), unit);
}

static int run_start_unit(Run *r) {
        _cleanup_free_ char *program = NULL, *condition = NULL, *recorder = NULL, *description = NULL;
        _cleanup_(strv_freep) char **argv = NULL;
        int k;

        if (asprintf(&program, "%s/apps/%s/" APP_CURRENT_LINK "/%s", r->manager->state_dir, r->name, r->name) < 0 ||
            asprintf(&condition, LIBEXECDIR "/upkeep-condition") < 0 ||
            asprintf(&recorder, LIBEXECDIR "/upkeep-fault") < 0 ||
            asprintf(&description, "%s (upkeep app, upkeepctl run)", r->name) < 0)
                return -ENOMEM;
        k = strv_extend(&argv, program);
        for (char **a = r->argv; k >= 0 && a && *a; a++)
                k = strv_extend(&argv, *a);
        if (k < 0)
                return k;

        return transient_start(r->manager, &(TransientSpec) {
                                .name = r->unit,
                                .description = description,
                                .argv = argv,
                                /* The caller's words, as it typed them, like systemd-run. */
                                .expand_environment = false,
                                .exec_condition = (char *const[]) { condition, (char *) "trial", r->name, NULL },
                                /* A fault report for every failed run, as upkeep@.service has. */
                                .exec_stop_post = (char *const[]) { recorder, (char *) "record", r->name, NULL },
                                .restart_on_failure = true,
                                .sandbox = TRANSIENT_SANDBOX_NONE,
                        },
                        on_started, r, &r->transient);
}

/* The unit does not exist: stage the program, record the app, switch to it and start the unit. */
static void run_install(Run *r) {
        _cleanup_close_ int dir_fd = -EBADF, copy_fd = -EBADF;
        _cleanup_free_ char *reason = NULL, *record = NULL;
        char hex[2 * SHA256_SIZE + 1];
        AppConfig *c = NULL;
        App *a;
        int k;

        /* A reload may have brought a configured app of this name while systemd answered. */
        a = manager_get_app(r->manager, r->name);
        if (a && !a->config->transient)
                return run_fail(r, BUS_ERROR_NOT_ALLOWED, "An app named %s is configured (%s).", r->name, a->config->path);
        if (a && a->job)
                return run_fail(r, BUS_ERROR_BUSY, "A %s job is running for %s.", job_type_to_string(a->job->type), r->name);

        k = app_dir_open(r->manager->state_dir_fd, r->name, &dir_fd);
        if (k >= 0)
                k = copy_and_hash(r->fd, dir_fd, &copy_fd, hex);
        if (k == -ENODATA)
                return run_fail(r, SD_BUS_ERROR_INVALID_ARGS, "The program is an empty file.");
        if (k < 0)
                return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to copy the program: %s", strerror(-k));

        if (asprintf(&r->version, RUN_VERSION_PREFIX "%.12s", hex) < 0) {
                r->version = NULL;
                return run_fail(r, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
        }
        k = stage_artifact(dir_fd, r->version, ARTIFACT_BINARY, copy_fd, r->name, NULL, &reason);
        if (k < 0)
                return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to stage the program as %s %s: %s", r->name,
                                r->version, reason ?: strerror(-k));

        k = write_record(r, &record);
        if (k >= 0)
                k = app_config_load_transient(record, &c);
        if (k < 0)
                return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to record %s in %s/" APP_TRANSIENT_DIR ": %s",
                                r->name, r->manager->runtime_dir, strerror(-k));

        if (a)
                app_set_config(a, c);
        else {
                k = app_new(r->manager, r->manager->state_dir_fd, c, &a);
                if (k < 0) {
                        app_config_free(c);
                        return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to set up app %s: %s", r->name, strerror(-k));
                }
                k = manager_add_app(r->manager, a);
                if (k < 0) {
                        app_free(a);
                        return run_fail(r, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
                }
        }

        k = app_update_state(a, edit_run, &(RunEdit) { .version = r->version, .dir_fd = a->dir_fd });
        if (k < 0)
                return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to switch %s to %s: %s", r->name, r->version, strerror(-k));
        app_emit_changed(a, "CurrentVersion", "PreviousVersion", "History", "LastError", NULL);

        k = run_start_unit(r);
        if (k < 0)
                return run_fail(r, SD_BUS_ERROR_FAILED, "Failed to ask systemd to start %s: %s", r->unit, strerror(-k));
}

static int on_get_unit(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Run *r = userdata;
        const sd_bus_error *e;

        r->get_unit = sd_bus_slot_unref(r->get_unit);

        if (!sd_bus_message_is_method_error(reply, NULL)) {
                run_fail(r, BUS_ERROR_BUSY, "%s exists already: %s runs; stop it first with \"systemctl stop %s\".",
                         r->unit, r->name, r->unit);
                return 0;
        }
        e = sd_bus_message_get_error(reply);
        if (!sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")) {
                run_fail(r, SD_BUS_ERROR_FAILED, "Failed to ask systemd about %s: %s", r->unit, e->message ?: e->name);
                return 0;
        }

        run_install(r);
        return 0;
}

static void run_freep(Run **r) {
        run_free(*r);
}

int app_run_start(Manager *m, sd_bus_message *call, const char *name, int fd, char **argv, const char *source,
                  const char *public_key, sd_bus_error *error) {
        _cleanup_(run_freep) Run *r = NULL;
        Run **runs;
        int k;

        r = calloc(1, sizeof(Run));
        if (!r)
                return -ENOMEM;
        r->manager = m;
        r->fd = -EBADF;

        r->name = strdup(name);
        if (!r->name)
                return -ENOMEM;
        if (!isempty(source) && !(r->source = strdup(source)))
                return -ENOMEM;
        if (!isempty(public_key) && !(r->public_key = strdup(public_key)))
                return -ENOMEM;
        for (char **a = argv; a && *a; a++) {
                k = strv_extend(&r->argv, *a);
                if (k < 0)
                        return k;
        }
        r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (r->fd < 0)
                return -errno;
        (void) snprintf(r->unit, sizeof r->unit, APP_RUN_UNIT_FORMAT, name);

        runs = reallocarray(m->runs, m->n_runs + 1, sizeof(Run *));
        if (!runs)
                return -ENOMEM;
        m->runs = runs;

        /* A unit of that name that still exists runs the app already (or failed): its "current" must
         * not change under it. */
        k = sd_bus_call_method_async(m->bus, &r->get_unit, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                     "GetUnit", on_get_unit, r, "s", r->unit);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "Failed to ask systemd about %s: %m", r->unit);

        r->call = sd_bus_message_ref(call);
        m->runs[m->n_runs++] = TAKE_PTR(r);
        return 1;
}
