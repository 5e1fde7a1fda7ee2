/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The events an operator searches the journal for, with structured fields (UPKEEP_APP=,
 * UPKEEP_VERSION=, UPKEEP_OLD_VERSION=, UPKEEP_JOB=, UPKEEP_FAULT=) and catalogued MESSAGE_IDs, so that
 * "journalctl UPKEEP_APP=NAME" tells an app's story and "journalctl -x" explains each entry.
 * The IDs match catalog/upkeep.catalog. */
#pragma once

#include "macro.h"

#define UPKEEP_MESSAGE_UPDATE_FOUND         "454f9a0dd5d74fb49d22dadd35c5504b"
#define UPKEEP_MESSAGE_STAGED               "5ed54014084547669ceb2b684d1bda7b"
#define UPKEEP_MESSAGE_INSTALLED            "1ce31d992fa44205baafc30ffd3aa2c0"
#define UPKEEP_MESSAGE_APPLIED              "d6c71994fecd40dbafee8c5c905f476b"
#define UPKEEP_MESSAGE_ROLLED_BACK          "61a9e5eb076d493e8bc0598acddb3a6a"
#define UPKEEP_MESSAGE_VERIFICATION_FAILED  "650f3ce66f54405fac791bc5ab3e7e7d"
#define UPKEEP_MESSAGE_PAUSED               "217f6c92433349ca85314033faa1ff77"
#define UPKEEP_MESSAGE_STATE_RESET          "c9717381ebc2410dbe8fb38fa3d1051a"
#define UPKEEP_MESSAGE_LOG_FORKED           "526904178dc7443090bf701b2e59e06f"
#define UPKEEP_MESSAGE_HOOK_FAILED          "043171f293084ddfb732802a14cb82d5"
#define UPKEEP_MESSAGE_BACKING_OFF          "37ea8a3c72ab4c3685377806d9cf1915"
#define UPKEEP_MESSAGE_FAULT                "062e44bba4d94e0b98a7babeba3b7082"

typedef struct AppEvent {
        const char *message_id;   /* one of the above, or NULL for an uncatalogued entry */
        int priority;             /* LOG_INFO, … */
        const char *app;
        const char *version;      /* may be NULL */
        const char *old_version;  /* may be NULL */
        const char *job;          /* job id as a string, may be NULL */
        const char *fault;        /* a fault report's ID (UPKEEP_FAULT=), may be NULL */
} AppEvent;

/* Sends one entry to the journal (also echoed by log_* when running in a terminal). Failure to log is
 * not an error for the caller: returns nothing. */
void app_journal(const AppEvent *e, const char *format, ...) _printf_(2, 3);
