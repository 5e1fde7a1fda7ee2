/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep's named D-Bus errors, and the errno each maps to for clients (sd_bus_error_get_errno()),
 * e.g. for exit codes. Call bus_error_register() once before using sd-bus. InvalidVersion has no errno
 * of its own: EINVAL is too common to stand for it. */
#pragma once

#include <stdbool.h>

#define BUS_ERROR_NO_SUCH_APP        "org.upkeep1.Error.NoSuchApp"
#define BUS_ERROR_NO_SUCH_JOB        "org.upkeep1.Error.NoSuchJob"
#define BUS_ERROR_NO_SUCH_VERSION    "org.upkeep1.Error.NoSuchVersion"
#define BUS_ERROR_BUSY               "org.upkeep1.Error.Busy"
/* The version a call was authorized for is no longer the one it would act on. */
#define BUS_ERROR_VERSION_CHANGED    "org.upkeep1.Error.VersionChanged"
#define BUS_ERROR_PAUSED             "org.upkeep1.Error.Paused"
#define BUS_ERROR_BACKING_OFF        "org.upkeep1.Error.BackingOff"
#define BUS_ERROR_NOT_ALLOWED        "org.upkeep1.Error.NotAllowed"
#define BUS_ERROR_NOT_SUPPORTED      "org.upkeep1.Error.NotSupported"
#define BUS_ERROR_SIGNATURE_INVALID  "org.upkeep1.Error.SignatureInvalid"
#define BUS_ERROR_INVALID_VERSION    "org.upkeep1.Error.InvalidVersion"

/* Why a job failed, named in its JobRemoved signal. The first ones are refusals: what the network
 * handed us failed verification, and nothing of it was kept. */
#define BUS_ERROR_WRONG_KEY          "org.upkeep1.Error.WrongKey"
#define BUS_ERROR_CHANNEL_MALFORMED  "org.upkeep1.Error.ChannelMalformed"
#define BUS_ERROR_CHANNEL_EXPIRED    "org.upkeep1.Error.ChannelExpired"
#define BUS_ERROR_CHANNEL_REPLAYED   "org.upkeep1.Error.ChannelReplayed"
#define BUS_ERROR_WRONG_APP          "org.upkeep1.Error.WrongApp"
#define BUS_ERROR_SIZE_MISMATCH      "org.upkeep1.Error.SizeMismatch"
#define BUS_ERROR_HASH_MISMATCH      "org.upkeep1.Error.HashMismatch"
#define BUS_ERROR_UNSAFE_RELEASE     "org.upkeep1.Error.UnsafeRelease"
#define BUS_ERROR_RELEASE_TOO_LARGE  "org.upkeep1.Error.ReleaseTooLarge"
/* Go apps: the module proxy listed garbage; a gobuild record that is not what was asked for, or not
 * proven to be in the log the signed tree head describes; a log that forked. */
#define BUS_ERROR_PROXY_MALFORMED    "org.upkeep1.Error.ProxyMalformed"
#define BUS_ERROR_RECORD_MISMATCH    "org.upkeep1.Error.RecordMismatch"
#define BUS_ERROR_PROOF_INVALID      "org.upkeep1.Error.ProofInvalid"
#define BUS_ERROR_LOG_FORKED         "org.upkeep1.Error.LogForked"
/* Failures that are not refusals. */
#define BUS_ERROR_DOWNLOAD_FAILED    "org.upkeep1.Error.DownloadFailed"
#define BUS_ERROR_SWITCH_FAILED      "org.upkeep1.Error.SwitchFailed"
#define BUS_ERROR_INSTALL_HOOK_FAILED "org.upkeep1.Error.InstallHookFailed"
#define BUS_ERROR_ROLLED_BACK        "org.upkeep1.Error.RolledBack"
#define BUS_ERROR_NO_SUCH_FAULT      "org.upkeep1.Error.NoSuchFault"

int bus_error_register(void);

/* True for the names above that mean "refused by verification" (SignatureInvalid through
 * LogForked). */
bool bus_error_is_refusal(const char *name);

/* The error a client sees for each rule channel_check() refuses a channel by (its errno). */
const char *bus_error_from_channel_check(int error);
