/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault reports: what upkeep records each time an app's unit fails (a crash, a core dump, an OOM
 * kill, a watchdog timeout, a non-zero exit), whether or not upkeepd runs. upkeep-fault builds one
 * from what systemd hands ExecStopPost= ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS), the
 * invocation's journal and the app's files (fault-files.h), and stores it (fault-store.h); upkeepd
 * and upkeepctl read them back. This is the model: a report, the counts per version, their JSON.
 * IDs are the fault's time in UTC, "YYYYMMDD-HHMMSS-UUUUUU" (microseconds): sorted by name is sorted
 * by time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"
#include "time-util.h"

#define FAULT_ID_LENGTH 22              /* YYYYMMDD-HHMMSS-UUUUUU */
#define FAULT_ID_MAX (FAULT_ID_LENGTH + 1)

#define FAULT_KEEP_DEFAULT 20U
/* ListFaults() reads every report kept, on the daemon's loop: 100 of at most ~150 KiB each. */
#define FAULT_KEEP_MAX 100U
/* The bounds of one report: the invocation's last journal lines, and the files FaultFiles= names. */
#define FAULT_JOURNAL_LINES_MAX 200U
#define FAULT_JOURNAL_BYTES_MAX (64U * 1024U)
#define FAULT_FILES_MAX 16U
#define FAULT_FILE_BYTES_MAX (16U * 1024U)      /* the end of each file */
#define FAULT_FILES_BYTES_MAX (64U * 1024U)     /* all files together */
#define FAULT_REPORT_SIZE_MAX (1024U * 1024U)   /* what a reader accepts */
/* Versions counts.json remembers; the one that faulted longest ago is forgotten beyond that. */
#define FAULT_COUNTS_VERSIONS_MAX 32U

typedef struct FaultFile {
        char *path;            /* absolute, as found */
        uint64_t size;         /* the file's size when read */
        bool truncated;        /* only its end is in content */
        bool binary;           /* content is base64 (the bytes were not UTF-8 text) */
        char *content;
} FaultFile;

void fault_file_done(FaultFile *f);

typedef struct FaultReport {
        char *id;
        usec_t time;           /* realtime */
        char *app;
        char *version;         /* the version that ran; NULL = unknown */
        bool trial;            /* the version was on trial */
        char *unit;
        char *invocation_id;   /* 32 hex digits; NULL = unknown */
        char *result;          /* $SERVICE_RESULT: exit-code, signal, core-dump, watchdog, oom-kill, … */
        char *exit_code;       /* $EXIT_CODE: exited, killed, dumped; NULL = none */
        char *exit_status;     /* $EXIT_STATUS: a number, or a signal name (SEGV); NULL = none */
        char **journal;        /* the invocation's last lines, oldest first */
        bool journal_truncated;
        char **coredump;       /* systemd-coredump's journal fields, FIELD, value, FIELD, value, …; NULL = none */
        FaultFile *files;
        size_t n_files;
} FaultReport;

FaultReport *fault_report_free(FaultReport *r);
static inline void fault_report_freep(FaultReport **r) {
        fault_report_free(*r);
}
void fault_reports_free(FaultReport **l, size_t n);

/* Whether $SERVICE_RESULT of a stopped unit means it failed: anything but success and the results
 * that mean the program never ran (a failed ExecCondition=, the start rate limit). */
bool fault_result_is_fault(const char *result);

/* The fault said the way an operator reads it: "was killed by the OOM killer", "exited with status
 * 3", "dumped core on signal SEGV", "was killed by signal KILL", "missed its watchdog", … */
int fault_describe(const FaultReport *r, char **ret);

/* The version a run of the app's unit ran, and whether it was on trial, from the app's state read
 * after the run ended: what "current" named when the run started (started: its
 * ExecMainStartTimestamp, 0 = unknown). A switch or rollback since (upkeepd rolls a failed trial back
 * the moment the unit goes down, while the recorder runs) moved "current" on; its history entry
 * names what ran. *ret_version points into s (NULL = none known). */
void fault_version_of_run(const AppState *s, usec_t started, const char **ret_version, bool *ret_trial);

/* The ID of a fault at time t; whether s is one (so an ID from a client never names another file). */
char *fault_id_format(char buf[static FAULT_ID_MAX], usec_t t);
bool fault_id_is_valid(const char *s);

int fault_report_to_json(const FaultReport *r, char **ret);
/* Refuses with -EBADMSG what is not a report: not JSON, a field of the wrong type, a bad ID. */
int fault_report_from_json(const char *json, FaultReport **ret);

/* What a line of text must be for a JSON string: invalid UTF-8 replaced by U+FFFD. */
char *fault_text_sanitize(const char *s, size_t n);

typedef struct FaultVersionCount {
        char *version;         /* "" = unknown */
        uint64_t faults;
        uint64_t after_trial;  /* those while the version was no longer on trial */
        usec_t last;
} FaultVersionCount;

typedef struct FaultCounts {
        uint64_t total;        /* every fault ever recorded */
        usec_t last;           /* 0 = none */
        FaultVersionCount *versions;
        size_t n_versions;
} FaultCounts;

void fault_counts_done(FaultCounts *c);
/* Counts one fault of version (NULL = unknown) at time t; forgets the version that faulted longest
 * ago beyond FAULT_COUNTS_VERSIONS_MAX. */
int fault_counts_add(FaultCounts *c, const char *version, bool trial, usec_t t);
const FaultVersionCount *fault_counts_find(const FaultCounts *c, const char *version);
int fault_counts_to_json(const FaultCounts *c, char **ret);
int fault_counts_from_json(const char *json, FaultCounts *ret);
