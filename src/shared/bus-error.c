/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <systemd/sd-bus.h>

#include "bus-error.h"

static const sd_bus_error_map upkeep_errors[] = {
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_APP,       ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_JOB,       ESRCH),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_VERSION,   ENXIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_BUSY,              EBUSY),
        SD_BUS_ERROR_MAP(BUS_ERROR_PAUSED,            ESTALE),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_ALLOWED,       EPERM),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_SUPPORTED,     EOPNOTSUPP),
        SD_BUS_ERROR_MAP(BUS_ERROR_SIGNATURE_INVALID, EBADMSG),
        SD_BUS_ERROR_MAP_END
};

int bus_error_register(void) {
        return sd_bus_error_add_map(upkeep_errors);
}
