/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl faults APP [ID]: the fault reports upkeep-fault recorded, listed (App.ListFaults()) or one
 * in full (App.GetFault(), which polkit guards: a report holds journal lines and the app's files). */
#include <inttypes.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "cli.h"
#include "ctl.h"
#include "fault-store.h"
#include "macro.h"

static int list_faults(sd_bus *bus, const char *name, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        _cleanup_(table_freep) Table *table = NULL;
        const char *id, *version, *result, *status, *description;
        uint64_t t;
        size_t n;
        int r;

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "ListFaults", &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list the faults of %s", name);

        r = sd_bus_message_enter_container(reply, 'a', "(stssss)");
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the faults of %s: %m", name);

        if (arg_json != JSON_OFF) {
                array = json_object_new_array();
                if (!array)
                        return log_oom();
        } else {
                r = table_new(4, (const char *const[]) { "ID", "TIME", "VERSION", "FAULT" }, &table);
                if (r < 0)
                        return log_oom();
        }

        while ((r = sd_bus_message_read(reply, "(stssss)", &id, &t, &version, &result, &status, &description)) > 0) {
                if (array) {
                        _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                        if (!o ||
                            json_add_string(o, "id", id) < 0 ||
                            json_add_timestamp(o, "time", t) < 0 ||
                            json_add_string(o, "version", version) < 0 ||
                            json_add_string(o, "result", result) < 0 ||
                            json_add_string(o, "exitStatus", status) < 0 ||
                            json_add_string(o, "description", description) < 0 ||
                            json_object_array_add(array, o) < 0)
                                return log_oom();
                        TAKE_PTR(o);
                } else {
                        char ts[TIMESTAMP_LOCAL_MAX];

                        r = table_add_row(table, (const char *const[]) {
                                        id, format_timestamp_local(ts, sizeof ts, t), version, description });
                        if (r < 0)
                                return log_oom();
                }
        }
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the faults of %s: %m", name);

        if (array)
                return json_print(array);

        n = table_n_rows(table);
        if (n > 0) {
                _cleanup_free_ char *text = NULL;

                if (table_format(table, arg_legend, &text) < 0)
                        return log_oom();
                fputs(text, stdout);
        }
        if (arg_legend)
                printf("%s%zu fault %s listed.\n", n > 0 ? "\n" : "", n, n == 1 ? "report" : "reports");
        return 0;
}

/* What the app wrote, for a terminal: its control characters (an escape sequence could rewrite what
 * the operator sees) shown as \xNN; newlines and tabs kept where keep_newlines says. */
static void print_untrusted(const char *s, bool keep_newlines) {
        for (; s && *s; s++) {
                unsigned char c = (unsigned char) *s;

                if ((c < ' ' && !(c == '\t' || (c == '\n' && keep_newlines))) || c == 0x7f)
                        printf("\\x%02x", c);
                else
                        putchar(c);
        }
}

static void print_report(const FaultReport *f, const char *description) {
        char ts[TIMESTAMP_LOCAL_MAX];

        printf("%12s: %s\n", "Fault", f->id);
        printf("%12s: %s\n", "Time", format_timestamp_local(ts, sizeof ts, f->time) ?: "?");
        printf("%12s: %s%s\n", "Version", f->version ?: "unknown", f->trial ? " (on trial)" : "");
        printf("%12s: %s (result %s)\n", "What", description, strempty(f->result));
        printf("%12s: %s\n", "Unit", strempty(f->unit));
        if (f->invocation_id)
                printf("%12s: %s (journalctl _SYSTEMD_INVOCATION_ID=%s)\n", "Invocation", f->invocation_id,
                       f->invocation_id);
        for (size_t i = 0; f->coredump && f->coredump[i] && f->coredump[i + 1]; i += 2) {
                printf("%12s  %s=", i == 0 ? "Core dump:" : "", f->coredump[i]);
                print_untrusted(f->coredump[i + 1], false);
                putchar('\n');
        }

        if (f->journal) {
                printf("\nJournal of the run%s:\n", f->journal_truncated ? " (its last lines)" : "");
                for (char **l = f->journal; *l; l++) {
                        fputs("  ", stdout);
                        print_untrusted(*l, false);
                        putchar('\n');
                }
        }
        for (size_t i = 0; i < f->n_files; i++) {
                putchar('\n');
                print_untrusted(f->files[i].path, false);
                printf(" (%" PRIu64 " bytes%s%s):\n", f->files[i].size,
                       f->files[i].truncated ? ", its end" : "", f->files[i].binary ? ", base64" : "");
                print_untrusted(f->files[i].content, true);
                if (!f->files[i].content || !endswith_char(f->files[i].content, '\n'))
                        putchar('\n');
        }
}

static int show_fault(sd_bus *bus, const char *name, const char *path, const char *id) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(fault_report_freep) FaultReport *f = NULL;
        _cleanup_free_ char *description = NULL;
        const char *json;
        int r;

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "GetFault", &error, &reply, "s", id);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to read fault %s of %s", id, name);

        r = sd_bus_message_read(reply, "s", &json);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read fault %s of %s: %m", id, name);

        if (arg_json != JSON_OFF) {
                _cleanup_(json_object_putp) json_object *o = NULL;

                r = json_parse_strict(json, strlen(json), 0, &o);
                if (r < 0)
                        return ctl_log_error_errno(r, "Fault %s of %s is not valid JSON: %m", id, name);
                return json_print(TAKE_PTR(o));
        }

        r = fault_report_from_json(json, &f);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to parse fault %s of %s: %m", id, name);
        r = fault_describe(f, &description);
        if (r < 0)
                return log_oom();
        print_report(f, description);
        return 0;
}

int verb_faults(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        const char *name = argv[1], *id = argc > 2 ? argv[2] : NULL;
        int r;

        if (id && !fault_id_is_valid(id)) {
                ctl_log_error("'%s' is not a fault report ID (expected YYYYMMDD-HHMMSS-UUUUUU, as "
                              "'upkeepctl faults %s' lists them).", id, name);
                return EXIT_USAGE;
        }

        /* A report may need polkit's password prompt; the list never does. */
        r = id ? bus_connect_for_change(&bus) : bus_connect(&bus);
        if (r < 0)
                return r;

        r = app_lookup(bus, name, &error, &path);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to show the faults of %s", name);

        return id ? show_fault(bus, name, path, id) : list_faults(bus, name, path);
}
