/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <systemd/sd-bus.h>

#include "bus-error.h"
#include "macro.h"

static const sd_bus_error_map upkeep_errors[] = {
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_APP,       ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_JOB,       ESRCH),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_VERSION,   ENXIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_BUSY,              EBUSY),
        SD_BUS_ERROR_MAP(BUS_ERROR_PAUSED,            ESTALE),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_ALLOWED,       EPERM),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_SUPPORTED,     EOPNOTSUPP),
        SD_BUS_ERROR_MAP(BUS_ERROR_SIGNATURE_INVALID, EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_WRONG_KEY,         EKEYREJECTED),
        SD_BUS_ERROR_MAP(BUS_ERROR_CHANNEL_MALFORMED, EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_CHANNEL_EXPIRED,   EKEYEXPIRED),
        SD_BUS_ERROR_MAP(BUS_ERROR_CHANNEL_REPLAYED,  ESTALE),
        SD_BUS_ERROR_MAP(BUS_ERROR_WRONG_APP,         EXDEV),
        SD_BUS_ERROR_MAP(BUS_ERROR_SIZE_MISMATCH,     EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_HASH_MISMATCH,     EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_UNSAFE_RELEASE,    EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_RELEASE_TOO_LARGE, EFBIG),
        SD_BUS_ERROR_MAP(BUS_ERROR_DOWNLOAD_FAILED,   EIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_SWITCH_FAILED,     EIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_ROLLED_BACK,       ECANCELED),
        SD_BUS_ERROR_MAP_END
};

int bus_error_register(void) {
        return sd_bus_error_add_map(upkeep_errors);
}

bool bus_error_is_refusal(const char *name) {
        return name && IN_SET_STR(name, BUS_ERROR_SIGNATURE_INVALID, BUS_ERROR_WRONG_KEY,
                                  BUS_ERROR_CHANNEL_MALFORMED, BUS_ERROR_CHANNEL_EXPIRED,
                                  BUS_ERROR_CHANNEL_REPLAYED, BUS_ERROR_WRONG_APP, BUS_ERROR_SIZE_MISMATCH,
                                  BUS_ERROR_HASH_MISMATCH, BUS_ERROR_UNSAFE_RELEASE,
                                  BUS_ERROR_RELEASE_TOO_LARGE);
}
