/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli.h"

int cli_version(void) {
        printf("upkeep %s\n", PROJECT_VERSION);
        return 0;
}
