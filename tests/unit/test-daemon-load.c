/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A Manager without a bus over temporary directories: manager_load_apps() picks up new, changed,
 * removed and bad app configs, a reload keeps each app's object and state, and an app's state comes
 * back from disk in a new Manager (as after a daemon restart), or from the links when state.json is
 * corrupt. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "job.h"
#include "macro.h"
#include "manager.h"
#include "state.h"
#include "strv.h"
#include "switch.h"
#include "tests.h"
#include "test-util.h"

static char base[] = "/tmp/test-daemon-load-XXXXXX";
static char config_dir[sizeof base + 16];

static void write_config(const char *name, const char *content) {
        char path[sizeof config_dir + 256];
        FILE *f;

        (void) snprintf(path, sizeof path, "%s/%s.app", config_dir, name);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_OK(fputs(content, f));
        ASSERT_OK_ZERO(fclose(f));
}

static void remove_config(const char *name) {
        char path[sizeof config_dir + 256];

        (void) snprintf(path, sizeof path, "%s/%s.app", config_dir, name);
        ASSERT_OK_ZERO(unlink(path));
}

/* A Manager as upkeepd makes one, minus the bus and the metrics, reading configs from config_dir. */
static Manager *manager_new_test(void) {
        Manager *m;

        ASSERT_OK(manager_new(&m));
        m->metrics_dir = mfree(m->metrics_dir);
        ASSERT_OK(strv_extend(&m->config_dirs, config_dir));
        return m;
}

/* Loads the apps from config_dir and returns the one named, which must be there. */
static App *load_apps_get(Manager *m, const char *name) {
        App *a;

        ASSERT_OK(manager_load_apps(m));
        a = manager_get_app(m, name);
        ASSERT_NOT_NULL(a);
        return a;
}

#define CONFIG(description, source) \
        "[App]\nDescription=" description "\nSource=" source "\nExec=bin/app\n"

static void test_load_new_changed_removed(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        App *web, *db;

        printf("%s\n", __func__);

        write_config("web", CONFIG("The web site", "https://example.com/web/"));
        write_config("db", CONFIG("The database", "https://example.com/db/"));
        m = manager_new_test();

        ASSERT_OK(manager_load_apps(m));
        ASSERT_EQ(m->n_apps, 2u);
        /* Sorted by name, for lookups. */
        ASSERT_STREQ(m->apps[0]->name, "db");
        ASSERT_STREQ(m->apps[1]->name, "web");
        web = manager_get_app(m, "web");
        db = manager_get_app(m, "db");
        ASSERT_NOT_NULL(web);
        ASSERT_NOT_NULL(db);
        ASSERT_NULL(manager_get_app(m, "nope"));
        ASSERT_STREQ(web->config->description, "The web site");
        ASSERT_STREQ(web->object_path, "/org/upkeep1/app/web");
        ASSERT_STREQ(app_state_string(web), "idle");
        ASSERT_NULL(web->state->current_version);

        /* Each app got its state directory. */
        char path[sizeof base + 64];
        struct stat st;
        (void) snprintf(path, sizeof path, "%s/state/apps/web", base);
        ASSERT_OK_ZERO(stat(path, &st));
        ASSERT_TRUE(S_ISDIR(st.st_mode));

        /* A changed config: the same object, with the new config. A new one appears. */
        write_config("web", CONFIG("The new web site", "https://example.com/web2/"));
        write_config("cache", CONFIG("The cache", "https://example.com/cache/"));
        ASSERT_OK(manager_load_apps(m));
        ASSERT_EQ(m->n_apps, 3u);
        ASSERT_TRUE(manager_get_app(m, "web") == web);
        ASSERT_TRUE(manager_get_app(m, "db") == db);
        ASSERT_STREQ(web->config->description, "The new web site");
        ASSERT_STREQ(web->config->source, "https://example.com/web2/");
        ASSERT_NOT_NULL(manager_get_app(m, "cache"));

        /* A removed config: the app goes. */
        remove_config("db");
        ASSERT_OK(manager_load_apps(m));
        ASSERT_EQ(m->n_apps, 2u);
        ASSERT_NULL(manager_get_app(m, "db"));
        ASSERT_STREQ(m->apps[0]->name, "cache");
        ASSERT_STREQ(m->apps[1]->name, "web");

        remove_config("web");
        remove_config("cache");
        ASSERT_OK(manager_load_apps(m));
        ASSERT_EQ(m->n_apps, 0u);
}

static void test_load_bad_config(void) {
        _cleanup_(manager_freep) Manager *m = NULL;

        printf("%s\n", __func__);

        write_config("good", CONFIG("Good", "https://example.com/good/"));
        write_config("bad", "[App]\nSource=ftp://example.com/\nExec=bin/app\n");
        write_config("worse", "this is not an app config\n");
        m = manager_new_test();

        /* Reported and skipped: the good one is loaded all the same. */
        ASSERT_OK(manager_load_apps(m));
        ASSERT_EQ(m->n_apps, 1u);
        ASSERT_NOT_NULL(manager_get_app(m, "good"));
        ASSERT_NULL(manager_get_app(m, "bad"));

        /* A config that turns bad drops its app; fixed, it is back. */
        write_config("good", "[App]\nSource=\nExec=\n");
        ASSERT_OK(manager_load_apps(m));
        ASSERT_NULL(manager_get_app(m, "good"));
        write_config("bad", CONFIG("Fixed", "https://example.com/bad/"));
        ASSERT_OK(manager_load_apps(m));
        ASSERT_NOT_NULL(manager_get_app(m, "bad"));

        remove_config("good");
        remove_config("bad");
        remove_config("worse");
}

static void test_reload_keeps_state(void) {
        _cleanup_(manager_freep) Manager *m = NULL, *m2 = NULL;
        App *a;

        printf("%s\n", __func__);

        write_config("svc", CONFIG("A service", "https://example.com/svc/"));
        m = manager_new_test();
        a = load_apps_get(m, "svc");

        /* 1 = changed, 0 = already so. */
        ASSERT_EQ(app_pause(a, "testing"), 1);
        ASSERT_EQ(app_pause(a, "testing"), 0);
        ASSERT_EQ(app_pin(a, "1.2.3"), 1);
        ASSERT_EQ(app_pin(a, "1.2.3"), 0);
        ASSERT_TRUE(a->state->paused);

        write_config("svc", CONFIG("The same service", "https://example.com/svc/"));
        ASSERT_OK(manager_load_apps(m));
        ASSERT_TRUE(manager_get_app(m, "svc") == a);
        ASSERT_TRUE(a->state->paused);
        ASSERT_STREQ(a->state->pause_reason, "testing");
        ASSERT_STREQ(a->state->pinned_version, "1.2.3");

        /* A new daemon finds it on disk. */
        m2 = manager_new_test();
        a = load_apps_get(m2, "svc");
        ASSERT_TRUE(a->state->paused);
        ASSERT_STREQ(a->state->pause_reason, "testing");
        ASSERT_STREQ(a->state->pinned_version, "1.2.3");

        ASSERT_EQ(app_resume(a), 1);
        ASSERT_EQ(app_resume(a), 0);
        ASSERT_EQ(app_unpin(a), 1);
        ASSERT_EQ(app_unpin(a), 0);
        ASSERT_FALSE(a->state->paused);
        ASSERT_NULL(a->state->pinned_version);

        remove_config("svc");
}

static bool canceled;

static void record_cancel(Job *j) {
        canceled = true;
}

static void test_reload_during_job(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        Job *j;
        App *a;

        printf("%s\n", __func__);

        write_config("busy", CONFIG("Busy", "https://example.com/busy/"));
        m = manager_new_test();
        a = load_apps_get(m, "busy");

        /* Its config goes while a job runs: the job is canceled, the app kept until the job ends. */
        ASSERT_OK(job_new(m, JOB_CHECK, a, &j));
        j->cancel = record_cancel;
        remove_config("busy");
        canceled = false;
        ASSERT_OK(manager_load_apps(m));
        ASSERT_TRUE(canceled);
        ASSERT_TRUE(manager_get_app(m, "busy") == a);
        ASSERT_TRUE(a->removed);
        ASSERT_STREQ(app_state_string(a), "checking");
        job_finish(j, "canceled");
        ASSERT_NULL(manager_get_app(m, "busy"));
        ASSERT_EQ(m->n_apps, 0u);
        ASSERT_EQ(m->n_jobs, 0u);

        /* It goes, and comes back before the job ended: the app stays. */
        write_config("busy", CONFIG("Busy", "https://example.com/busy/"));
        a = load_apps_get(m, "busy");
        ASSERT_OK(job_new(m, JOB_UPDATE, a, &j));
        remove_config("busy");
        ASSERT_OK(manager_load_apps(m));
        ASSERT_TRUE(a->removed);
        write_config("busy", CONFIG("Busy again", "https://example.com/busy/"));
        ASSERT_OK(manager_load_apps(m));
        ASSERT_TRUE(manager_get_app(m, "busy") == a);
        ASSERT_FALSE(a->removed);
        job_finish(j, "done");
        ASSERT_TRUE(manager_get_app(m, "busy") == a);
        ASSERT_STREQ(a->config->description, "Busy again");

        remove_config("busy");
}

static void test_load_corrupt_state(void) {
        _cleanup_(manager_freep) Manager *m = NULL;
        char path[sizeof base + 64];
        _cleanup_close_ int fd = -EBADF;
        App *a;
        FILE *f;

        printf("%s\n", __func__);

        /* An app directory with 2.0.0 installed and a state file that is not JSON. */
        (void) snprintf(path, sizeof path, "%s/state/apps/broken", base);
        ASSERT_OK_ZERO(mkdir(path, 0755));
        fd = open(path, O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_OK_ZERO(mkdirat(fd, "versions", 0755));
        ASSERT_OK_ZERO(mkdirat(fd, "versions/2.0.0", 0755));
        ASSERT_OK(switch_link_at(fd, APP_CURRENT_LINK, "2.0.0"));
        (void) snprintf(path, sizeof path, "%s/state/apps/broken/" STATE_FILE, base);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_OK(fputs("{ not json", f));
        ASSERT_OK_ZERO(fclose(f));

        write_config("broken", CONFIG("Broken state", "https://example.com/broken/"));
        m = manager_new_test();
        a = load_apps_get(m, "broken");
        /* Rebuilt from the links, and the problem said. */
        ASSERT_STREQ(a->state->current_version, "2.0.0");
        ASSERT_NOT_NULL(a->state->last_error);
        ASSERT_NOT_NULL(strstr(a->state->last_error, "corrupt"));

        remove_config("broken");
}

int main(void) {
        char dir[sizeof base + 16];

        ASSERT_NOT_NULL(mkdtemp(base));
        (void) snprintf(config_dir, sizeof config_dir, "%s/etc", base);
        ASSERT_OK_ZERO(mkdir(config_dir, 0755));
        (void) snprintf(dir, sizeof dir, "%s/state", base);
        ASSERT_OK_ZERO(mkdir(dir, 0755));
        ASSERT_OK_ZERO(setenv("STATE_DIRECTORY", dir, 1));
        (void) snprintf(dir, sizeof dir, "%s/run", base);
        ASSERT_OK_ZERO(mkdir(dir, 0755));
        ASSERT_OK_ZERO(setenv("RUNTIME_DIRECTORY", dir, 1));

        test_load_new_changed_removed();
        test_load_bad_config();
        test_reload_keeps_state();
        test_reload_during_job();
        test_load_corrupt_state();

        test_tmpdir_remove(base);
        return 0;
}
