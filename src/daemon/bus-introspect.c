/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "app-dbus.h"
#include "bus-introspect.h"
#include "job-dbus.h"
#include "manager.h"
#include "log.h"
#include "manager-dbus.h"

static const struct {
        const char *interface;
        const char *path;
} objects[] = {
        { UPKEEP_MANAGER_INTERFACE, UPKEEP_MANAGER_PATH },
        { UPKEEP_APP_INTERFACE,     UPKEEP_APP_PATH_PREFIX "/example" },
        { UPKEEP_JOB_INTERFACE,     UPKEEP_JOB_PATH_PREFIX "/1" },
};

/* The child serves the vtables on a private peer-to-peer connection; nothing touches the system bus. */
static _Noreturn void serve(int fd) {
        _cleanup_(manager_freep) Manager *m = NULL;
        sd_bus *bus = NULL;
        sd_id128_t id;
        int r;

        r = manager_new(&m);
        if (r >= 0)
                r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_server(bus, true, id);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0) {
                m->bus = bus;
                r = manager_dbus_register(m);
        }
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, objects[1].path, UPKEEP_APP_INTERFACE, app_vtable, NULL);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, objects[2].path, UPKEEP_JOB_INTERFACE, job_vtable, NULL);
        if (r < 0)
                _exit(EXIT_FAILURE);

        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        _exit(r == -ECONNRESET || r == -ENOTCONN ? EXIT_SUCCESS : EXIT_FAILURE);
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        _exit(EXIT_SUCCESS);
        }
}

/* Keeps only <interface name="interface">…</interface> of a node's XML. */
static int print_interface(const char *xml, const char *interface) {
        _cleanup_free_ char *open_tag = NULL;
        const char *start, *end;

        if (asprintf(&open_tag, "<interface name=\"%s\">", interface) < 0)
                return -ENOMEM;

        start = strstr(xml, open_tag);
        end = start ? strstr(start, "</interface>") : NULL;
        if (!end)
                return -ENOENT;
        end += strlen("</interface>");

        printf("<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
               "\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
               "<node>\n %.*s\n</node>\n", (int) (end - start), start);
        return 0;
}

int bus_introspect_print(const char *interface) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *path = NULL, *xml;
        int fds[2], r;
        pid_t pid;

        for (size_t i = 0; i < ELEMENTSOF(objects); i++)
                if (streq(objects[i].interface, interface))
                        path = objects[i].path;
        if (!path)
                return log_error_errno(EINVAL, "Unknown interface '%s'; known: %s, %s, %s.", interface,
                                       objects[0].interface, objects[1].interface, objects[2].interface);

        if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, fds) < 0)
                return log_error_errno(errno, "Failed to create socket pair: %m");

        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork: %m");
        if (pid == 0) {
                (void) close(fds[1]);
                serve(fds[0]);
        }
        (void) close(fds[0]);

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fds[1], fds[1]);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, NULL, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                                       &error, &reply, "");
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &xml);
        if (r >= 0)
                r = print_interface(xml, interface);

        bus = sd_bus_flush_close_unref(bus);
        (void) waitpid(pid, NULL, 0);

        if (r < 0)
                return log_error_errno(r, "Failed to introspect %s: %s", interface,
                                       error.message ?: strerror(-r));
        return 0;
}
