/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep's named D-Bus errors, and the errno each maps to for clients (sd_bus_error_get_errno()),
 * e.g. for exit codes. Call bus_error_register() once before using sd-bus. InvalidVersion has no errno
 * of its own: EINVAL is too common to stand for it. */
#pragma once

#define BUS_ERROR_NO_SUCH_APP        "org.upkeep1.Error.NoSuchApp"
#define BUS_ERROR_NO_SUCH_JOB        "org.upkeep1.Error.NoSuchJob"
#define BUS_ERROR_NO_SUCH_VERSION    "org.upkeep1.Error.NoSuchVersion"
#define BUS_ERROR_BUSY               "org.upkeep1.Error.Busy"
#define BUS_ERROR_PAUSED             "org.upkeep1.Error.Paused"
#define BUS_ERROR_NOT_ALLOWED        "org.upkeep1.Error.NotAllowed"
#define BUS_ERROR_NOT_SUPPORTED      "org.upkeep1.Error.NotSupported"
#define BUS_ERROR_SIGNATURE_INVALID  "org.upkeep1.Error.SignatureInvalid"
#define BUS_ERROR_INVALID_VERSION    "org.upkeep1.Error.InvalidVersion"

int bus_error_register(void);
