/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault reports: what upkeep records each time an app's unit fails (a crash, a core dump, an OOM
 * kill, a watchdog timeout, a non-zero exit), whether or not upkeepd runs. upkeep-fault builds one
 * from what systemd hands ExecStopPost= ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS), the
 * invocation's journal and the app's files; upkeepd and upkeepctl read them back.
 *
 * On disk, in the app's state directory (STATE_DIR/apps/NAME/):
 *   faults/ID.json      one report per fault, written atomically; the newest FaultKeep= are kept
 *   faults/counts.json  faults per version, kept across the pruning (the metric's counter)
 *   faults/.lock        flock()ed by each recorder around writing, counting and pruning
 * IDs are the fault's time in UTC, "YYYYMMDD-HHMMSS-UUUUUU" (microseconds): sorted by name is sorted
 * by time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "time-util.h"

#define FAULT_DIR "faults"
#define FAULT_COUNTS_FILE "counts.json"
#define FAULT_LOCK_FILE ".lock"
#define FAULT_ID_LENGTH 22              /* YYYYMMDD-HHMMSS-UUUUUU */
#define FAULT_ID_MAX (FAULT_ID_LENGTH + 1)

#define FAULT_KEEP_DEFAULT 20U
#define FAULT_KEEP_MAX 1000U
/* The bounds of one report: the invocation's last journal lines, and the files FaultFiles= names. */
#define FAULT_JOURNAL_LINES_MAX 200U
#define FAULT_JOURNAL_BYTES_MAX (64U * 1024U)
#define FAULT_FILES_MAX 16U
#define FAULT_FILE_BYTES_MAX (16U * 1024U)      /* the end of each file */
#define FAULT_FILES_BYTES_MAX (64U * 1024U)     /* all files together */
#define FAULT_REPORT_SIZE_MAX (1024U * 1024U)   /* what a reader accepts */
/* Versions counts.json remembers; the one that faulted longest ago is forgotten beyond that. */
#define FAULT_COUNTS_VERSIONS_MAX 32U
/* Directory levels a FaultFiles= pattern may have. */
#define FAULT_GLOB_DEPTH_MAX 4U

typedef struct FaultFile {
        char *path;            /* absolute, as found */
        uint64_t size;         /* the file's size when read */
        bool truncated;        /* only its end is in content */
        bool binary;           /* content is base64 (the bytes were not UTF-8 text) */
        char *content;
} FaultFile;

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

/* The ID of a fault at time t; whether s is one (so an ID from a client never names another file). */
char *fault_id_format(char buf[static FAULT_ID_MAX], usec_t t);
bool fault_id_is_valid(const char *s);

int fault_report_to_json(const FaultReport *r, char **ret);
/* Refuses with -EBADMSG what is not a report: not JSON, a field of the wrong type, a bad ID. */
int fault_report_from_json(const char *json, FaultReport **ret);

/* A FaultFiles= pattern: a relative path whose components are fnmatch() patterns, at most
 * FAULT_GLOB_DEPTH_MAX of them, none empty, ".", ".." or starting with '.' unless spelled so. */
bool fault_glob_is_valid(const char *pattern);

/* Adds to *files the regular files below dir_fd (named dir_path in the report) matching pattern,
 * in name order: symbolic links are never followed (nor taken), each file's last
 * FAULT_FILE_BYTES_MAX bytes at most, while *budget (bytes) and FAULT_FILES_MAX files last. */
int fault_files_collect_at(int dir_fd, const char *dir_path, const char *pattern, size_t *budget,
                           FaultFile **files, size_t *n_files);

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

/* The app's faults on disk, below app_dir_fd (the app's state directory).
 *
 * save: under faults/.lock, gives r an ID (its time, moved on by a microsecond while taken), writes
 * it atomically (unless keep is 0), counts it in counts.json, then removes the oldest reports beyond
 * keep. Returns the ID in r->id.
 * load_counts: -ENOENT when the app never faulted, -EBADMSG when corrupt.
 * list: every report's ID, oldest first (a missing directory: none).
 * load: one report; -EINVAL for what is not an ID, -ENOENT when there is none by that ID. */
int fault_save_at(int app_dir_fd, FaultReport *r, unsigned keep);
int fault_load_counts_at(int app_dir_fd, FaultCounts *ret);
int fault_list_at(int app_dir_fd, char ***ret);
int fault_load_at(int app_dir_fd, const char *id, FaultReport **ret);
