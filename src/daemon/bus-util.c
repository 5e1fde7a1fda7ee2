/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "bus-util.h"
#include "macro.h"

int bus_add_fallback_objects(sd_bus *bus, const char *prefix, const char *interface, const sd_bus_vtable *vtable,
                             sd_bus_object_find_t find, sd_bus_node_enumerator_t enumerate, void *userdata) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, prefix, interface, vtable, find, userdata);
        if (r < 0)
                return r;

        return sd_bus_add_node_enumerator(bus, NULL, prefix, enumerate, userdata);
}

int bus_reply_array_new(sd_bus_message *call, const char *contents, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(reply, 'a', contents);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(reply);
        return 0;
}

int bus_reply_array_send(sd_bus_message *reply) {
        int r;

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        return sd_bus_send(NULL, reply, NULL);
}

int bus_check_file_fd(int fd, const char *what, sd_bus_error *error) {
        struct stat st;
        int flags;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The %s is not a regular file.", what);
        flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        if ((flags & O_PATH) || (flags & O_ACCMODE) == O_WRONLY)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The %s is not open for reading.", what);
        return 0;
}
