/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep's Cockpit page. Everything comes from org.upkeep1 on the system bus (org.upkeep1(5)):
 * the apps and jobs from ObjectManager.GetManagedObjects and Manager.ListJobs, kept up to date by
 * PropertiesChanged, InterfacesAdded/InterfacesRemoved, JobNew and JobRemoved; every action is a
 * method call, which upkeepd authorizes through polkit. Units and timers come from systemd's bus
 * API, the journal from journalctl, the versions a channel offers from the app's last verified
 * channel.json. Nothing is polled. The logic without DOM is in format.js (tested under node). */
(function () {
    "use strict";

    const _ = cockpit.gettext;
    const F = window.UpkeepFormat;
    const fmt = F.fmt;

    const BUS_NAME = "org.upkeep1";
    const MANAGER_PATH = "/org/upkeep1";
    const MANAGER = "org.upkeep1.Manager";
    const APP = "org.upkeep1.App";
    const JOB = "org.upkeep1.Job";
    const PROPS = "org.freedesktop.DBus.Properties";
    const OBJMGR = "org.freedesktop.DBus.ObjectManager";
    const APPLY_FLAGS_NONE = 0;
    const CONFIG_DIRS = ["/etc/upkeep/apps", "/run/upkeep/apps", "/usr/lib/upkeep/apps"];
    const STATE_DIR = "/var/lib/upkeep/apps";

    const upkeep = cockpit.dbus(BUS_NAME, { bus: "system", superuser: "try" });
    const systemd = cockpit.dbus("org.freedesktop.systemd1", { bus: "system", superuser: "try" });
    const busd = cockpit.dbus("org.freedesktop.DBus", { bus: "system" });

    /* --- the model ------------------------------------------------------------------------------ */

    const model = {
        daemon: "loading",      /* "loading", "ok", "missing" (not installed), "failed" */
        daemonError: "",
        daemonLog: [],
        manager: {},            /* Version, LastCheck */
        apps: {},               /* object path → properties */
        jobs: {},               /* object path → { Id, App, Type, Progress } */
        results: {},            /* app name → { tone, text, time } : the last job's end, or a refused call */
        configs: [],            /* [{ path, name, problems }]: configs upkeepd did not load */
        configWarnings: {},     /* app name → { path, problems }: lines upkeepd ignored */
        units: {},              /* unit name → { path, ActiveState, SubState, LoadState, NextElapseUSecRealtime } */
        admin: null,            /* null: not yet known */
        platform: "",
        channels: {},           /* app name → parsed channel.json or null */
        journal: { app: null, entries: [], error: "", catalog: {} },
        alerts: [],             /* page-wide: { id, tone, title, text } */
        filter: "",
    };

    function now() {
        return Date.now() * 1000;
    }

    function unwrap(dict) {
        const out = {};
        for (const k in dict)
            out[k] = (dict[k] && typeof dict[k] === "object" && "v" in dict[k]) ? dict[k].v : dict[k];
        return out;
    }

    function appByName(name) {
        for (const p in model.apps)
            if (model.apps[p].Name === name)
                return model.apps[p];
        return null;
    }

    function appPath(name) {
        for (const p in model.apps)
            if (model.apps[p].Name === name)
                return p;
        return null;
    }

    function jobOfApp(name) {
        for (const p in model.jobs)
            if (model.jobs[p].App === name)
                return Object.assign({ path: p }, model.jobs[p]);
        return null;
    }

    function sortedApps() {
        return Object.keys(model.apps).map(p => model.apps[p]).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    }

    /* --- loading and live updates --------------------------------------------------------------- */

    let reloadSerial = 0;

    function loadAll() {
        const serial = ++reloadSerial;
        return Promise.all([
            upkeep.call(MANAGER_PATH, PROPS, "GetAll", [MANAGER]),
            upkeep.call(MANAGER_PATH, OBJMGR, "GetManagedObjects", []),
            upkeep.call(MANAGER_PATH, MANAGER, "ListJobs", []).catch(() => [[]]),
        ]).then(([[managerProps], [objects], [jobs]]) => {
            if (serial !== reloadSerial)
                return;
            model.daemon = "ok";
            model.daemonError = "";
            model.manager = unwrap(managerProps);
            model.apps = {};
            model.jobs = {};
            for (const path in objects) {
                if (objects[path][APP])
                    model.apps[path] = unwrap(objects[path][APP]);
                if (objects[path][JOB])
                    model.jobs[path] = unwrap(objects[path][JOB]);
            }
            /* ListJobs: a(ussuoo) id, app, type, progress, job, app object */
            for (const j of jobs || [])
                model.jobs[j[4]] = Object.assign(model.jobs[j[4]] || {}, { Id: j[0], App: j[1], Type: j[2], Progress: j[3] });
            for (const a of Object.values(model.apps))
                watchUnitsOf(a);
            loadConfigs();
            render();
        }).catch(err => {
            if (serial !== reloadSerial)
                return;
            daemonFailed(err);
        });
    }

    /* upkeepd did not answer. Cockpit says "not-found" both when nothing provides org.upkeep1 and
     * when its activation failed: the bus's list of activatable names tells the two apart, and
     * systemd says what became of upkeepd.service. */
    function daemonFailed(err) {
        model.apps = {};
        model.jobs = {};
        const why = (err && (err.message || err.name || err.problem)) || _("unknown error");
        busd.call("/org/freedesktop/DBus", "org.freedesktop.DBus", "ListActivatableNames", [])
                .then(([names]) => names.includes(BUS_NAME))
                .catch(() => true)
                .then(activatable => {
                    if (!activatable) {
                        model.daemon = "missing";
                        model.daemonError = why;
                        render();
                        return;
                    }
                    model.daemon = "failed";
                    model.daemonError = why;
                    render();
                    systemd.call("/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit", ["upkeepd.service"])
                            .then(([path]) => systemd.call(path, PROPS, "GetAll", ["org.freedesktop.systemd1.Unit"]))
                            .then(([props]) => {
                                const u = unwrap(props);
                                if (u.LoadState === "masked")
                                    model.daemonError = _("upkeepd.service is masked.");
                                else if (u.LoadState !== "loaded")
                                    model.daemonError = fmt(_("upkeepd.service cannot be loaded ({state})."), { state: u.LoadState });
                                else if (u.ActiveState === "failed")
                                    model.daemonError = fmt(_("upkeepd.service failed ({state})."), { state: u.SubState });
                                render();
                            })
                            .catch(() => {});
                    cockpit.spawn(["journalctl", "--no-pager", "-o", "short-iso", "-n", "12", "-u", "upkeepd.service"],
                                  { superuser: "try", err: "message" })
                            .then(out => { model.daemonLog = out.trim() ? out.trim().split("\n") : []; render(); })
                            .catch(() => { model.daemonLog = []; render(); });
                });
    }

    function onPropertiesChanged(path, iface, signal, args) {
        const [name, changed, invalidated] = args;
        let target = null;
        if (name === APP)
            target = model.apps[path];
        else if (name === JOB)
            target = model.jobs[path];
        else if (name === MANAGER && path === MANAGER_PATH)
            target = model.manager;
        if (!target)
            return;
        Object.assign(target, unwrap(changed));
        if (invalidated && invalidated.length > 0)
            upkeep.call(path, PROPS, "GetAll", [name])
                    .then(([props]) => { Object.assign(target, unwrap(props)); render(); })
                    .catch(() => {});
        if (name === APP)
            watchUnitsOf(target);
        render();
    }

    function onInterfacesAdded(path, iface, signal, args) {
        const [objPath, ifaces] = args;
        if (ifaces[APP]) {
            model.apps[objPath] = unwrap(ifaces[APP]);
            watchUnitsOf(model.apps[objPath]);
            loadConfigs();
        }
        if (ifaces[JOB])
            model.jobs[objPath] = Object.assign(model.jobs[objPath] || {}, unwrap(ifaces[JOB]));
        render();
    }

    function onInterfacesRemoved(path, iface, signal, args) {
        const [objPath, ifaces] = args;
        if (ifaces.includes(APP)) {
            delete model.apps[objPath];
            loadConfigs();
        }
        render();
    }

    function onJobNew(path, iface, signal, args) {
        const [id, jobPath, app] = args;
        model.jobs[jobPath] = Object.assign({ Id: id, App: app, Type: "", Progress: 0 }, model.jobs[jobPath] || {});
        upkeep.call(jobPath, PROPS, "GetAll", [JOB])
                .then(([props]) => {
                    if (model.jobs[jobPath]) {
                        Object.assign(model.jobs[jobPath], unwrap(props));
                        render();
                    }
                })
                .catch(() => {}); /* it may have ended already */
        render();
    }

    /* Types of jobs this page started, in case one ends before its properties were read. */
    const startedJobs = {};

    function onJobRemoved(path, iface, signal, args) {
        const [id, jobPath, result, error, message] = args;
        const job = Object.assign({ Id: id }, startedJobs[jobPath] || {}, model.jobs[jobPath] || {});
        delete model.jobs[jobPath];
        delete startedJobs[jobPath];
        render();
        if (!job.App)
            return;
        /* The app's properties after the job, read after the signal, so the sentence names the
         * version that runs now. */
        const path_ = appPath(job.App);
        const fresh = path_
            ? upkeep.call(path_, PROPS, "GetAll", [APP]).then(([p]) => Object.assign(model.apps[path_] || {}, unwrap(p)))
            : Promise.resolve(null);
        fresh.catch(() => appByName(job.App)).then(app => {
            const r = F.describeJobResult(job, result, error, message, app || {});
            const title = result === "done" ? _("Done") : result === "canceled" ? _("Canceled")
                : error === "org.upkeep1.Error.RolledBack" ? _("Rolled back") : F.isRefusal(error) ? _("Refused") : _("Failed");
            model.results[job.App] = { tone: r.tone, title, text: r.text, time: now() };
            render();
        });
    }

    function onNameOwnerChanged(path, iface, signal, args) {
        const [name, , newOwner] = args;
        if (name !== BUS_NAME)
            return;
        if (newOwner) {
            /* upkeepd was started (activated again after it exited idle, or restarted): what it
             * serves now is the truth. */
            loadAll();
        } else {
            /* It exited: idle (its apps are as they were) or it died (its jobs died with it). */
            model.jobs = {};
            render();
        }
    }

    function subscribe() {
        upkeep.subscribe({ interface: PROPS, member: "PropertiesChanged", path_namespace: MANAGER_PATH }, onPropertiesChanged);
        upkeep.subscribe({ interface: OBJMGR, member: "InterfacesAdded", path: MANAGER_PATH }, onInterfacesAdded);
        upkeep.subscribe({ interface: OBJMGR, member: "InterfacesRemoved", path: MANAGER_PATH }, onInterfacesRemoved);
        upkeep.subscribe({ interface: MANAGER, member: "JobNew", path: MANAGER_PATH }, onJobNew);
        upkeep.subscribe({ interface: MANAGER, member: "JobRemoved", path: MANAGER_PATH }, onJobRemoved);
        busd.subscribe({ interface: "org.freedesktop.DBus", member: "NameOwnerChanged", path: "/org/freedesktop/DBus" }, onNameOwnerChanged);
    }

    /* --- systemd: each app's unit and update timer ------------------------------------------------ */

    const watchedUnits = {};
    let systemdSubscribed = false;

    function watchUnit(unit, iface) {
        if (!unit || watchedUnits[unit])
            return;
        watchedUnits[unit] = true;
        if (!systemdSubscribed) {
            systemdSubscribed = true;
            /* systemd announces changes of units only while someone subscribed. */
            systemd.call("/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "Subscribe", []).catch(() => {});
        }
        systemd.call("/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit", [unit])
                .then(([path]) => {
                    model.units[unit] = Object.assign(model.units[unit] || {}, { path });
                    const refresh = () => Promise.all([
                        systemd.call(path, PROPS, "GetAll", ["org.freedesktop.systemd1.Unit"]),
                        iface ? systemd.call(path, PROPS, "GetAll", [iface]) : Promise.resolve([{}]),
                    ]).then(([[u], [t]]) => {
                        Object.assign(model.units[unit], unwrap(u), unwrap(t));
                        render();
                    }).catch(() => {});
                    systemd.subscribe({ interface: PROPS, member: "PropertiesChanged", path }, (p, i, s, args) => {
                        Object.assign(model.units[unit], unwrap(args[1]));
                        if (args[2] && args[2].length)
                            refresh();
                        render();
                    });
                    return refresh();
                })
                .catch(() => { watchedUnits[unit] = false; });
    }

    function timerOf(app) {
        return app.Unit && app.Unit.startsWith("upkeep@") ? "upkeep-update@" + app.Name + ".timer" : "";
    }

    function watchUnitsOf(app) {
        watchUnit(app.Unit, "");
        watchUnit(timerOf(app), "org.freedesktop.systemd1.Timer");
    }

    /* --- configs upkeepd did not load ----------------------------------------------------------- */

    let configSerial = 0;

    /* The .app files in the config directories whose app upkeepd does not serve: it skipped them,
     * and said why in its journal ("Failed to read PATH, skipping: REASON"). */
    function loadConfigs() {
        const serial = ++configSerial;
        const script = "for d in " + CONFIG_DIRS.join(" ") + "; do for f in \"$d\"/*.app; do [ -f \"$f\" ] && echo \"$f\"; done; done; true";
        cockpit.script(script, [], { err: "ignore" })
                .then(out => {
                    const seen = new Set();
                    const missing = [];
                    for (const path of out.split("\n").filter(l => l)) {
                        const name = F.appNameOfConfig(path);
                        if (!name || seen.has(name))
                            continue; /* the first found wins, as upkeepd reads them */
                        seen.add(name);
                        if (!appByName(name))
                            missing.push({ path, name, problems: [] });
                    }
                    return cockpit.spawn(["journalctl", "--no-pager", "-o", "json", "-n", "2000", "-u", "upkeepd.service"],
                                         { superuser: "try", err: "ignore" })
                            .catch(() => "")
                            .then(log => {
                                const problems = F.configProblems(log.split("\n").map(F.journalEntry));
                                for (const m of missing)
                                    m.problems = problems[m.path] || [];
                                /* Lines upkeepd ignored in the configs of apps it loaded. */
                                model.configWarnings = {};
                                for (const path in problems)
                                    if (!missing.some(m => m.path === path))
                                        model.configWarnings[F.appNameOfConfig(path)] = { path, problems: problems[path] };
                                return missing;
                            });
                })
                .then(missing => {
                    if (serial !== configSerial)
                        return;
                    model.configs = missing;
                    render();
                })
                .catch(() => {});
    }

    function watchConfigDirs() {
        for (const dir of CONFIG_DIRS) {
            const ch = cockpit.channel({ payload: "fswatch1", path: dir, superuser: "try" });
            ch.addEventListener("message", () => loadConfigs());
        }
    }

    /* --- the versions an app's channel offers ---------------------------------------------------- */

    const channelFiles = {};

    function watchChannel(name) {
        if (channelFiles[name])
            return;
        channelFiles[name] = cockpit.file(STATE_DIR + "/" + name + "/channel.json", { syntax: JSON, superuser: "try" });
        channelFiles[name].watch(content => {
            model.channels[name] = content;
            render();
        });
    }

    /* --- the journal of the app shown --------------------------------------------------------------- */

    let journalProc = null;

    function followJournal(name) {
        if (model.journal.app === name)
            return;
        if (journalProc)
            journalProc.close("cancelled");
        model.journal = { app: name, entries: [], error: "", catalog: model.journal.catalog, loaded: false };
        let buffer = "";
        journalProc = cockpit.spawn(["journalctl", "--no-pager", "-o", "json", "-n", "40", "--follow", "UPKEEP_APP=" + name],
                                    { superuser: "try", err: "message" });
        journalProc.stream(data => {
            buffer += data;
            const lines = buffer.split("\n");
            buffer = lines.pop();
            const ids = new Set();
            for (const line of lines) {
                const e = F.journalEntry(line);
                if (!e)
                    continue;
                model.journal.entries.push(e);
                if (e.id && !(e.id in model.journal.catalog))
                    ids.add(e.id);
            }
            model.journal.loaded = true;
            if (model.journal.entries.length > 200)
                model.journal.entries.splice(0, model.journal.entries.length - 200);
            loadCatalog(Array.from(ids));
            render();
        });
        journalProc.catch(err => {
            if (model.journal.app === name && err.problem !== "cancelled") {
                model.journal.error = err.message || err.problem || String(err);
                render();
            }
        });
        /* journalctl prints nothing when nothing matches: say so after a moment. */
        window.setTimeout(() => { if (model.journal.app === name) { model.journal.loaded = true; render(); } }, 1500);
    }

    function stopJournal() {
        if (journalProc)
            journalProc.close("cancelled");
        journalProc = null;
        model.journal.app = null;
    }

    function loadCatalog(ids) {
        if (ids.length === 0)
            return;
        for (const id of ids)
            model.journal.catalog[id] = null; /* asked */
        cockpit.spawn(["journalctl", "--dump-catalog"].concat(ids), { err: "ignore" })
                .then(out => {
                    Object.assign(model.journal.catalog, F.parseCatalog(out));
                    render();
                })
                .catch(() => {});
    }

    /* --- actions ------------------------------------------------------------------------------- */

    /* Calls a method; a job it returns is remembered with its app and type; a refusal (polkit) or
     * error is said as a sentence on the app (and at the top of the page for the manager's). */
    function act(what, appName, path, iface, method, args, signature, jobType) {
        return upkeep.call(path, iface, method, args, { type: signature })
                .then(reply => {
                    const job = reply && reply[0];
                    if (typeof job === "string" && job.startsWith("/org/upkeep1/job/")) {
                        startedJobs[job] = { App: appName, Type: jobType };
                        if (!model.jobs[job])
                            model.jobs[job] = { App: appName, Type: jobType, Progress: 0 };
                        else if (!model.jobs[job].Type)
                            model.jobs[job].Type = jobType;
                    }
                    if (appName)
                        delete model.results[appName];
                    render();
                    return reply;
                })
                .catch(err => {
                    const text = F.describeCallError(err, what);
                    const title = F.isAuthorizationError(err.name, err.problem) ? _("Not permitted") : _("Not done");
                    if (appName)
                        model.results[appName] = { tone: "danger", title, text, time: now() };
                    else
                        addAlert("danger", _("Not done"), text);
                    render();
                });
    }

    function appAction(app, method) {
        const path = appPath(app.Name);
        const n = app.Name;
        switch (method) {
        case "Check":
            return act(fmt(_("Check {app}"), { app: n }), n, path, APP, "Check", [], "", "check");
        case "Apply":
            return act(fmt(_("Apply {version} to {app}"), { app: n, version: app.PendingVersion }), n, path, APP, "Apply", [APPLY_FLAGS_NONE], "t", "update");
        case "Resume":
            return act(fmt(_("Resume {app}"), { app: n }), n, path, APP, "Resume", [], "", "");
        case "Unpin":
            return act(fmt(_("Unpin {app}"), { app: n }), n, path, APP, "Unpin", [], "", "");
        case "Update":
            return updateDialog(app);
        case "Rollback":
            return rollbackDialog(app);
        case "Pause":
            return pauseDialog(app);
        case "Pin":
            return pinDialog(app);
        }
    }

    function cancelJob(job) {
        return act(fmt(_("Cancel the {job} of {app}"), { job: F.jobTypeLabel(job.Type), app: job.App }), job.App,
                   job.path, JOB, "Cancel", [], "", "");
    }

    function checkAll() {
        return upkeep.call(MANAGER_PATH, MANAGER, "CheckAll", [])
                .then(([jobs]) => {
                    for (const j of jobs)
                        if (!model.jobs[j])
                            model.jobs[j] = { Type: "check", Progress: 0 };
                    addAlert("info", _("Checking"), fmt(cockpit.ngettext("Checking {n} app for updates.", "Checking {n} apps for updates.", jobs.length), { n: jobs.length }));
                })
                .catch(err => addAlert("danger", _("Not done"), F.describeCallError(err, _("Check all"))));
    }

    function reloadConfigs() {
        return upkeep.call(MANAGER_PATH, MANAGER, "Reload", [])
                .then(() => { addAlert("success", _("Reloaded"), _("upkeepd read the app configurations again.")); loadConfigs(); })
                .catch(err => addAlert("danger", _("Not done"), F.describeCallError(err, _("Reload configurations"))));
    }

    let alertSerial = 0;

    function addAlert(tone, title, text) {
        const id = ++alertSerial;
        model.alerts.push({ id, tone, title, text });
        if (model.alerts.length > 4)
            model.alerts.shift();
        if (tone === "success" || tone === "info")
            window.setTimeout(() => { model.alerts = model.alerts.filter(a => a.id !== id); render(); }, 8000);
        render();
    }

    /* --- DOM helpers --------------------------------------------------------------------------- */

    function h(tag, attrs, ...children) {
        const el = document.createElement(tag);
        for (const k in attrs || {}) {
            const v = attrs[k];
            if (v === undefined || v === null || v === false)
                continue;
            if (k.startsWith("on"))
                el.addEventListener(k.slice(2), v);
            else if (k === "class")
                el.className = v;
            else
                el.setAttribute(k, v === true ? "" : v);
        }
        for (const c of children.flat(Infinity)) {
            if (c === undefined || c === null || c === false)
                continue;
            el.append(c instanceof Node ? c : document.createTextNode(String(c)));
        }
        return el;
    }

    function button(label, onclick, kind, attrs) {
        return h("button", Object.assign({ type: "button", class: "up-btn " + (kind || ""), onclick }, attrs || {}), label);
    }

    function label(status) {
        return h("span", { class: "up-label up-tone-" + status.tone, "data-state": status.id }, status.label);
    }

    function version(v) {
        return v ? h("span", { class: "up-version" }, v) : h("span", { class: "up-version up-none" }, "—");
    }

    function alertBox(tone, title, text, onclose, inline) {
        return h("div", { class: "up-alert up-alert-" + tone + (inline ? " up-alert-inline" : ""), role: "alert" },
                 h("div", { class: "up-alert-text" }, title ? h("span", { class: "up-alert-title" }, title) : null, text),
                 onclose ? h("button", { class: "up-alert-close", type: "button", "aria-label": _("Close"), onclick: onclose }, "×") : null);
    }

    function jumpToUnit(unit) {
        return h("a", { href: "#", class: "up-unit-link", onclick: ev => { ev.preventDefault(); cockpit.jump("/system/services#/" + unit) } }, unit);
    }

    function toneTitle(tone) {
        return { success: _("Done"), danger: _("Failed"), warning: _("Warning"), info: _("Note") }[tone] || "";
    }

    /* --- rendering ----------------------------------------------------------------------------- */

    let renderScheduled = false;

    function render() {
        if (renderScheduled)
            return;
        renderScheduled = true;
        window.setTimeout(() => { renderScheduled = false; renderNow(); }, 0);
    }

    function renderNow() {
        document.getElementById("limited").hidden = model.admin !== false;
        const alerts = document.getElementById("alerts");
        alerts.replaceChildren(...model.alerts.map(a => alertBox(a.tone, a.title, a.text, () => {
            model.alerts = model.alerts.filter(x => x.id !== a.id);
            render();
        })));

        const path = cockpit.location.path;
        const detail = path[0] === "app" && path[1];
        document.getElementById("loading").hidden = model.daemon !== "loading";
        document.getElementById("overview").hidden = model.daemon === "loading" || !!detail;
        document.getElementById("detail").hidden = model.daemon === "loading" || !detail;
        if (model.daemon === "loading")
            return;
        if (detail) {
            stopJournalUnless(path[1]);
            renderDetail(path[1]);
        } else {
            stopJournalUnless(null);
            renderOverview();
        }
    }

    function stopJournalUnless(name) {
        if (model.journal.app && model.journal.app !== name)
            stopJournal();
    }

    /* The overview's header stays, so the filter keeps its focus; the rest is drawn anew. */
    let overviewParts = null;

    function overviewSkeleton() {
        const main = document.getElementById("overview");
        const filter = h("input", {
            class: "up-input", type: "search", id: "filter", placeholder: _("Filter by name, state or version"),
            "aria-label": _("Filter"),
            oninput: ev => { model.filter = ev.target.value; render() },
        });
        const checkAllBtn = button(_("Check all"), checkAll, "up-btn-primary", { id: "check-all" });
        const subtitle = h("p", { class: "up-subtitle", id: "manager-line" });
        const header = h("div", { class: "up-header" },
                         h("div", null, h("h1", { class: "up-title" }, _("Service updates")), subtitle),
                         h("div", { class: "up-toolbar" }, h("span", { class: "up-search" }, filter), checkAllBtn));
        const body = h("div", { id: "overview-body", class: "up-card" });
        const broken = h("div", { id: "broken-configs" });
        main.replaceChildren(header, broken, body);
        overviewParts = { subtitle, body, broken, checkAllBtn, filter };
    }

    function renderOverview() {
        if (!overviewParts)
            overviewSkeleton();
        const { subtitle, body, broken, checkAllBtn } = overviewParts;
        const t = now();

        if (model.daemon !== "ok") {
            subtitle.replaceChildren(_("Automated updates of systemd services, by upkeep"));
            checkAllBtn.hidden = true;
            broken.replaceChildren();
            body.replaceChildren(renderDaemonProblem());
            return;
        }
        checkAllBtn.hidden = false;
        subtitle.replaceChildren(
            fmt(_("upkeepd {version}"), { version: model.manager.Version || "" }), " · ",
            h("span", { id: "manager-last-check" }, fmt(_("last check of any app: {time}"), { time: model.manager.LastCheck ? F.formatRelative(model.manager.LastCheck, t, cockpit.language) : _("never") })));

        broken.replaceChildren(...model.configs.map(c => alertBox("danger", fmt(_("{app}: configuration not loaded"), { app: c.name }),
            [h("div", null, c.problems.length ? fmt(_("upkeepd refused {path}:"), { path: c.path }) : fmt(_("upkeepd did not load {path}; its journal says why (journalctl -u upkeepd.service)."), { path: c.path })),
             c.problems.length ? h("ul", { class: "up-problems" }, c.problems.map(p => h("li", null, p.line ? fmt(_("line {line}: {reason}"), { line: p.line, reason: p.reason }) : p.reason))) : null,
             h("div", { class: "up-small" }, _("Fix the file (see upkeep.app(5)), then reload: "),
               h("a", { href: "#", onclick: ev => { ev.preventDefault(); reloadConfigs() } }, _("Reload configurations")), " · ",
               h("a", { href: "#", onclick: ev => { ev.preventDefault(); manDialog("5", "upkeep.app") } }, "upkeep.app(5)"))],
            null, true)));

        const apps = sortedApps();
        if (apps.length === 0) {
            body.replaceChildren(renderNoApps());
            return;
        }

        const rows = [];
        for (const app of apps) {
            const status = F.appStatus(app, t);
            if (!F.matchesFilter(app, status, model.filter))
                continue;
            const job = jobOfApp(app.Name);
            const result = model.results[app.Name];
            const unit = model.units[timerOf(app)];
            const next = F.nextUpdate(app, unit ? unit.NextElapseUSecRealtime : 0, t, cockpit.language);
            rows.push(h("tr", { "data-app": app.Name },
                h("td", null,
                  h("a", { class: "up-name", href: "#/app/" + encodeURIComponent(app.Name), onclick: ev => { ev.preventDefault(); cockpit.location.go(["app", app.Name]) } }, app.Name),
                  app.Description ? h("div", { class: "up-desc" }, app.Description) : null,
                  result ? h("div", { class: "up-row-note up-result up-result-" + result.tone }, result.text) : null),
                h("td", { class: "up-state" }, job ? renderJob(job) : label(status)),
                h("td", { "data-field": "current" }, version(app.CurrentVersion)),
                h("td", { "data-field": "available" }, version(app.AvailableVersion)),
                h("td", { "data-field": "pending" }, version(app.PendingVersion)),
                h("td", { class: "up-small" }, next.usec || app.PendingVersion ? next.text : h("span", { class: "up-muted" }, next.text)),
                h("td", { class: "up-small" }, app.LastCheck ? F.formatRelative(app.LastCheck, t, cockpit.language) : h("span", { class: "up-muted" }, _("never"))),
                h("td", null, job ? null : button(_("Check"), () => appAction(app, "Check"), "up-btn-small", { "data-action": "check" }))));
        }
        const table = h("table", { class: "up-table", id: "apps" },
            h("thead", null, h("tr", null, ...[_("App"), _("State"), _("Current"), _("Available"), _("Pending"), _("Next update"), _("Last check"), ""].map(c => h("th", null, c)))),
            h("tbody", null, rows));
        body.replaceChildren(rows.length ? table : h("div", { class: "up-empty" }, h("p", null, _("No app matches the filter."))));
    }

    function renderJob(job) {
        const pct = Math.max(0, Math.min(100, Number(job.Progress || 0)));
        /* Through the CSSOM: Cockpit's Content-Security-Policy refuses style attributes. */
        const bar = h("div");
        bar.style.width = pct + "%";
        const what = { check: _("Checking"), update: _("Updating"), rollback: _("Rolling back"), stage: _("Staging") }[job.Type] || _("Working");
        return h("div", { class: "up-job", "data-job": job.Type || "" },
                 h("div", { class: "up-spinner", "aria-hidden": "true" }),
                 h("span", null, what),
                 h("div", { class: "up-progress", role: "progressbar", "aria-valuenow": pct, "aria-valuemin": 0, "aria-valuemax": 100 }, bar),
                 h("span", null, pct + "%"),
                 job.path ? button(_("Cancel"), () => cancelJob(job), "up-btn-link up-btn-small", { "data-action": "cancel" }) : null);
    }

    function renderNoApps() {
        return h("div", { class: "up-empty", id: "no-apps" },
            h("div", { class: "up-empty-icon", "aria-hidden": "true" }, "⟳"),
            h("h2", null, _("No apps are managed yet")),
            h("p", null, _("An app is a file in /etc/upkeep/apps/ that says where its releases come from, which key signs them, how to run it, and which updates to take when. For example, /etc/upkeep/apps/hello.app:")),
            h("pre", { class: "up-pre" }, "[App]\nDescription=Hello, a small HTTP service\nSource=https://releases.example.com/hello/\nPublicKey=RWQ…\nExec=bin/hello --port 8081\n\n[Update]\nPolicy=minor\nWindow=Mon..Fri 09..17"),
            h("p", null, _("Then, in a terminal: systemctl daemon-reload, and upkeepctl update hello to install its newest release. A Go program is added in one command: upkeepctl init go:MODULE/PATH.")),
            h("p", null, _("All the settings are in "), h("a", { href: "#", id: "man-link", onclick: ev => { ev.preventDefault(); manDialog("5", "upkeep.app") } }, "upkeep.app(5)"),
              _("; the commands in "), h("a", { href: "#", onclick: ev => { ev.preventDefault(); manDialog("1", "upkeepctl") } }, "upkeepctl(1)"), "."));
    }

    function renderDaemonProblem() {
        if (model.daemon === "missing")
            return h("div", { class: "up-empty", id: "daemon-missing" },
                h("div", { class: "up-empty-icon", "aria-hidden": "true" }, "⚠"),
                h("h2", null, _("upkeep is not installed")),
                h("p", null, _("No service on the system bus provides org.upkeep1: upkeepd and its D-Bus activation file (/usr/share/dbus-1/system-services/org.upkeep1.service) are missing. Install upkeep, then come back to this page.")),
                h("p", { class: "up-small up-muted" }, fmt(_("Cockpit says: {error}"), { error: model.daemonError })));
        return h("div", { class: "up-empty", id: "daemon-failed" },
            h("div", { class: "up-empty-icon", "aria-hidden": "true" }, "⚠"),
            h("h2", null, _("upkeepd is not running")),
            h("p", null, fmt(_("org.upkeep1 is installed, but upkeepd could not be started: {error}"), { error: model.daemonError })),
            model.daemonLog.length ? h("pre", { class: "up-pre" }, model.daemonLog.join("\n")) : null,
            h("p", null, h("a", { href: "#", onclick: ev => { ev.preventDefault(); cockpit.jump("/system/services#/upkeepd.service") } }, _("upkeepd.service in Services")), " · ",
              h("a", { href: "#", onclick: ev => { ev.preventDefault(); model.daemon = "loading"; render(); loadAll() } }, _("Try again"))));
    }

    function renderDetail(name) {
        const main = document.getElementById("detail");
        const app = appByName(name);
        const t = now();
        const crumbs = h("div", { class: "up-breadcrumb" },
                         h("a", { href: "#", id: "back", onclick: ev => { ev.preventDefault(); cockpit.location.go([]) } }, _("Service updates")),
                         h("span", { class: "up-sep" }, "›"), name);
        if (model.daemon !== "ok" || !app) {
            main.replaceChildren(crumbs, h("div", { class: "up-card" },
                model.daemon !== "ok" ? renderDaemonProblem()
                    : h("div", { class: "up-empty" }, h("h2", null, fmt(_("{app} is not managed"), { app: name })),
                        h("p", null, _("upkeepd serves no app of that name (any more).")))));
            return;
        }
        watchChannel(name);
        followJournal(name);

        const status = F.appStatus(app, t);
        const job = jobOfApp(name);
        const result = model.results[name];
        const timer = model.units[timerOf(app)];
        const unit = model.units[app.Unit] || {};
        const next = F.nextUpdate(app, timer ? timer.NextElapseUSecRealtime : 0, t, cockpit.language);

        const actions = h("div", { class: "up-toolbar", id: "actions" },
            button(_("Check"), () => appAction(app, "Check"), "", { "data-action": "check" }),
            button(_("Update…"), () => appAction(app, "Update"), "up-btn-primary", { "data-action": "update" }),
            app.PendingVersion ? button(fmt(_("Apply {version}"), { version: app.PendingVersion }), () => appAction(app, "Apply"), "", { "data-action": "apply" }) : null,
            app.PreviousVersion ? button(fmt(_("Roll back to {version}"), { version: app.PreviousVersion }), () => appAction(app, "Rollback"), "", { "data-action": "rollback" }) : null,
            app.Paused ? button(_("Resume"), () => appAction(app, "Resume"), "", { "data-action": "resume" })
                : button(_("Pause…"), () => appAction(app, "Pause"), "", { "data-action": "pause" }),
            app.PinnedVersion ? button(fmt(_("Unpin {version}"), { version: app.PinnedVersion }), () => appAction(app, "Unpin"), "", { "data-action": "unpin" })
                : button(_("Pin…"), () => appAction(app, "Pin"), "", { "data-action": "pin" }));

        const header = h("div", { class: "up-header" },
            h("div", null, crumbs,
              h("h1", { class: "up-title" }, name, " ", label(status)),
              app.Description ? h("p", { class: "up-subtitle" }, app.Description) : null),
            actions);

        const notes = [];
        const warn = model.configWarnings[name];
        if (warn)
            notes.push(h("div", { id: "config-warnings" }, alertBox("warning", fmt(_("upkeepd ignored lines of {path}"), { path: warn.path }),
                h("ul", { class: "up-problems" }, warn.problems.map(p => h("li", null, p.line ? fmt(_("line {line}: {reason}"), { line: p.line, reason: p.reason }) : p.reason))),
                null, true)));
        if (job)
            notes.push(h("div", { class: "up-card up-card-body", id: "job" }, renderJob(job)));
        if (result)
            notes.push(h("div", { id: "result" }, alertBox(result.tone, result.title || toneTitle(result.tone), result.text,
                () => { delete model.results[name]; render() })));

        const fields = [
            [_("Source"), app.Source],
            [_("Policy"), app.Policy],
            [_("State"), app.State],
            [_("Current"), version(app.CurrentVersion)],
            app.PreviousVersion ? [_("Previous"), version(app.PreviousVersion)] : null,
            app.AvailableVersion ? [_("Available"), version(app.AvailableVersion)] : null,
            app.PendingVersion ? [_("Pending"), version(app.PendingVersion)] : null,
            app.PinnedVersion ? [_("Pinned"), version(app.PinnedVersion)] : null,
            app.ScheduledFor ? [_("Scheduled"), F.formatTimeWithRelative(app.ScheduledFor, t, cockpit.language)] : null,
            [_("Window"), app.Window || _("any time")],
            [_("Next update"), next.text],
            app.FailedAttempts ? [_("Failed"), fmt(cockpit.ngettext("{n} scheduled update in a row", "{n} scheduled updates in a row", app.FailedAttempts), { n: app.FailedAttempts })] : null,
            app.BackoffUntil > t ? [_("Backing off"), fmt(_("until {time}"), { time: F.formatTimeWithRelative(app.BackoffUntil, t, cockpit.language) })] : null,
            [_("Last check"), F.formatTimeWithRelative(app.LastCheck, t, cockpit.language)],
            app.LastError ? [_("Last error"), h("span", { class: "up-last-error" }, app.LastError)] : null,
            [_("Paused"), app.Paused ? fmt(_("yes ({reason})"), { reason: app.PauseReason || _("no reason given") }) : _("no")],
            [_("Unit"), h("span", null, jumpToUnit(app.Unit), " ",
                          unit.ActiveState ? h("span", { class: "up-label up-tone-" + unitTone(unit), "data-unit-state": unit.ActiveState },
                                               unit.SubState ? unit.ActiveState + " (" + unit.SubState + ")" : unit.ActiveState) : null)],
            timer && timer.LoadState === "loaded" ? [_("Update timer"), h("span", null, jumpToUnit(timerOf(app)), " ",
                h("span", { class: "up-muted" }, F.isTime(timer.NextElapseUSecRealtime) ? fmt(_("next event {time}"), { time: F.formatTimeWithRelative(timer.NextElapseUSecRealtime, t, cockpit.language) }) : (timer.ActiveState || "")))] : null,
        ].filter(x => x);
        const statusCard = h("section", { class: "up-card", id: "status" },
            h("h2", { class: "up-card-title" }, _("Status")),
            h("div", { class: "up-card-body" }, h("dl", { class: "up-dl" }, fields.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]))));

        const history = (app.History || []).slice().reverse();
        const historyCard = h("section", { class: "up-card", id: "history" },
            h("h2", { class: "up-card-title" }, _("Version history")),
            h("div", { class: "up-card-body" }, history.length === 0 ? h("p", { class: "up-muted" }, _("No version changes yet."))
                : h("table", { class: "up-table up-table-compact" },
                    h("thead", null, h("tr", null, [_("When"), _("From"), _("To"), _("How")].map(c => h("th", null, c)))),
                    h("tbody", null, history.map(([when, from, to, how]) => h("tr", null,
                        h("td", null, F.formatTimeWithRelative(when, t, cockpit.language)), h("td", null, version(from)), h("td", null, version(to)),
                        h("td", null, F.historyHowLabel(how))))))));

        const offered = F.offeredVersions(model.channels[name], app, model.platform);
        const releasesCard = h("section", { class: "up-card", id: "releases" },
            h("h2", { class: "up-card-title" }, _("Releases in the channel")),
            h("div", { class: "up-card-body" }, offered.length === 0
                ? h("p", { class: "up-muted" }, model.channels[name] === undefined ? _("Loading…") : _("No verified channel yet: check the app to fetch it."))
                : h("table", { class: "up-table up-table-compact" },
                    h("thead", null, h("tr", null, [_("Version"), _("Published"), _("Notes"), ""].map(c => h("th", null, c)))),
                    h("tbody", null, offered.map(o => h("tr", null,
                        h("td", null, version(o.version), o.note ? h("div", { class: "up-small up-muted" }, o.note) : null),
                        h("td", { class: "up-small" }, o.published ? new Date(o.published).toLocaleDateString(cockpit.language) : ""),
                        h("td", { class: "up-small" }, o.notes),
                        h("td", null, o.current ? null : button(_("Update to this"), () => confirmUpdateTo(app, o.version), "up-btn-small", { "data-version": o.version }))))))));

        main.replaceChildren(header, ...notes, h("div", { class: "up-grid" }, statusCard, h("div", { class: "up-main-col" }, historyCard)), releasesCard, renderJournalCard(app));
    }

    function unitTone(unit) {
        if (unit.ActiveState === "active")
            return "ok";
        if (unit.ActiveState === "failed")
            return "danger";
        if (unit.ActiveState === "activating" || unit.ActiveState === "deactivating" || unit.ActiveState === "reloading")
            return "busy";
        return "grey";
    }

    function renderJournalCard(app) {
        const j = model.journal;
        const entries = j.entries.slice().reverse();
        let body;
        if (j.error)
            body = h("p", { class: "up-card-body up-muted" }, fmt(_("The journal could not be read: {error}"), { error: j.error }));
        else if (entries.length === 0)
            body = h("p", { class: "up-card-body up-muted" }, !j.loaded ? _("Loading…")
                : model.admin ? _("No journal entries for this app.")
                    : _("No journal entries to show. upkeep's entries are in the system journal, which only administrators and members of the systemd-journal and adm groups may read."));
        else
            body = h("ul", { class: "up-journal" }, entries.map(e => {
                const cat = e.id && j.catalog[e.id];
                const prio = e.priority <= 3 ? "up-prio-err" : e.priority === 4 ? "up-prio-warn" : "";
                return h("li", { "data-message-id": e.id || "" },
                    h("span", { class: "up-time" }, F.formatTime(e.time, cockpit.language)),
                    h("div", null, h("span", { class: prio }, e.message),
                      cat ? renderCatalog(e, cat) : null));
            }));
        return h("section", { class: "up-card", id: "journal" },
            h("div", { class: "up-card-head" }, h("h2", { class: "up-card-title" }, _("Journal")),
              h("span", { class: "up-small up-muted" }, "journalctl -x UPKEEP_APP=" + app.Name)),
            body);
    }

    const openCatalogs = new Set();

    function renderCatalog(e, cat) {
        const d = h("details", { open: openCatalogs.has(e.cursor), ontoggle: ev => { ev.target.open ? openCatalogs.add(e.cursor) : openCatalogs.delete(e.cursor) } },
                    h("summary", null, F.fillCatalog(cat.subject, e.fields) || _("Explanation")),
                    h("div", { class: "up-catalog" }, F.fillCatalog(cat.body, e.fields)));
        return d;
    }

    /* --- dialogs ------------------------------------------------------------------------------- */

    const dialog = document.getElementById("dialog");

    /* A modal with a form: fields() builds the body; onsubmit(form) returns a promise or nothing. */
    function openDialog(title, bodyNodes, submitLabel, onsubmit, danger) {
        const form = h("form", { method: "dialog" },
            h("h2", { class: "up-modal-title" }, title),
            h("div", { class: "up-modal-body" }, bodyNodes),
            h("div", { class: "up-modal-foot" },
              h("button", { type: "submit", class: "up-btn " + (danger ? "up-btn-danger" : "up-btn-primary"), id: "dialog-submit" }, submitLabel),
              button(_("Cancel"), () => dialog.close(), "up-btn-link", { id: "dialog-cancel" })));
        form.addEventListener("submit", ev => {
            ev.preventDefault();
            dialog.close();
            onsubmit(form);
        });
        dialog.replaceChildren(form);
        dialog.showModal();
        const first = form.querySelector("input:not([type=radio]), select, input[type=radio]:checked");
        if (first)
            first.focus();
    }

    function updateDialog(app) {
        const offered = F.offeredVersions(model.channels[app.Name], app, model.platform).filter(o => !o.current);
        const radios = [h("label", { class: "up-radio" },
            h("input", { type: "radio", name: "version", value: "", checked: true }),
            h("span", null, _("The newest version the policy allows"), " ", h("span", { class: "up-muted" }, fmt(_("(Policy={policy})"), { policy: app.Policy }))))];
        for (const o of offered)
            radios.push(h("label", { class: "up-radio" },
                h("input", { type: "radio", name: "version", value: o.version }),
                h("span", null, h("span", { class: "up-version" }, o.version), o.note ? h("span", { class: "up-muted" }, " — " + o.note) : null)));
        openDialog(fmt(_("Update {app}"), { app: app.Name }),
                   [h("p", null, fmt(_("{app} runs {version}. upkeep downloads and verifies the version, switches to it, and rolls back by itself if it fails its trial."), { app: app.Name, version: F.formatVersion(app.CurrentVersion) })),
                       ...radios,
                       offered.length === 0 ? h("p", { class: "up-small up-muted" }, _("The versions the channel offers are listed once the app was checked.")) : null],
                   _("Update"),
                   form => {
                       const v = form.querySelector("input[name=version]:checked").value;
                       doUpdate(app, v);
                   });
    }

    function confirmUpdateTo(app, v) {
        const downgrade = app.CurrentVersion && F.compareVersions(v, app.CurrentVersion) < 0;
        openDialog(fmt(_("Update {app} to {version}?"), { app: app.Name, version: v }),
                   [h("p", null, downgrade ? fmt(_("{version} is older than the running {current}: this is a downgrade."), { version: v, current: app.CurrentVersion })
                       : fmt(_("{app} runs {current}; it switches to {version} and keeps it if it passes its trial."), { app: app.Name, current: F.formatVersion(app.CurrentVersion), version: v }))],
                   fmt(_("Update to {version}"), { version: v }), () => doUpdate(app, v), downgrade);
    }

    function doUpdate(app, v) {
        const what = v ? fmt(_("Update {app} to {version}"), { app: app.Name, version: v }) : fmt(_("Update {app}"), { app: app.Name });
        return act(what, app.Name, appPath(app.Name), APP, "Update", [v], "s", "update");
    }

    function rollbackDialog(app) {
        openDialog(fmt(_("Roll back {app}?"), { app: app.Name }),
                   [h("p", null, fmt(_("{app} goes back to {previous} at once. {current} is marked bad and automatic updates of {app} are paused until you resume them."),
                                     { app: app.Name, previous: app.PreviousVersion, current: F.formatVersion(app.CurrentVersion) }))],
                   fmt(_("Roll back to {version}"), { version: app.PreviousVersion }),
                   () => act(fmt(_("Roll back {app}"), { app: app.Name }), app.Name, appPath(app.Name), APP, "Rollback", [], "", "rollback"),
                   true);
    }

    function pauseDialog(app) {
        const input = h("input", { class: "up-input", name: "reason", id: "pause-reason", placeholder: _("e.g. waiting for the database migration") });
        openDialog(fmt(_("Pause automatic updates of {app}"), { app: app.Name }),
                   [h("p", null, _("No version is checked out, staged or switched to by itself until you resume. You can still update by hand.")),
                       h("label", null, _("Reason"), input)],
                   _("Pause"),
                   () => act(fmt(_("Pause {app}"), { app: app.Name }), app.Name, appPath(app.Name), APP, "Pause", [input.value.trim()], "s", ""));
    }

    function pinDialog(app) {
        const offered = F.offeredVersions(model.channels[app.Name], app, model.platform).map(o => o.version);
        if (app.CurrentVersion && !offered.includes(app.CurrentVersion))
            offered.unshift(app.CurrentVersion);
        const select = h("select", { class: "up-select", name: "version", id: "pin-version" },
                         offered.map(v => h("option", { value: v, selected: v === app.CurrentVersion }, v === app.CurrentVersion ? fmt(_("{version} (running)"), { version: v }) : v)));
        openDialog(fmt(_("Pin {app}"), { app: app.Name }),
                   [h("p", null, _("A pinned app takes no other version automatically.")),
                       offered.length ? h("label", null, _("Version"), select) : h("p", { class: "up-muted" }, _("No version to pin yet."))],
                   _("Pin"),
                   () => select.value && act(fmt(_("Pin {app} at {version}"), { app: app.Name, version: select.value }), app.Name, appPath(app.Name), APP, "Pin", [select.value], "s", ""));
    }

    function manDialog(section, page) {
        const pre = h("pre", { class: "up-pre up-man", id: "man-text" }, _("Loading…"));
        openDialog(page + "(" + section + ")", [pre], _("Close"), () => {});
        dialog.classList.add("up-modal-wide");
        dialog.addEventListener("close", () => dialog.classList.remove("up-modal-wide"), { once: true });
        cockpit.spawn(["man", section, page], { environ: ["MANWIDTH=80", "MANPAGER=cat", "PAGER=cat"], err: "message" })
                .then(out => { pre.textContent = out.replace(/.\x08/g, ""); })
                .catch(err => { pre.textContent = fmt(_("man {section} {page} could not be shown: {error}"), { section, page, error: err.message || err.problem }); });
    }

    /* --- who is looking -------------------------------------------------------------------------- */

    function watchSuperuser() {
        const su = cockpit.dbus(null, { bus: "internal" }).proxy("cockpit.Superuser", "/superuser");
        let known = null;
        const update = () => {
            if (!su.valid || su.Current === "init")
                return;
            const admin = su.Current !== "none";
            /* Channels opened with superuser: "try" stay with the bridge they were opened on; a
             * change of access means starting over, as Cockpit's own pages do. */
            if (known !== null && known !== admin)
                window.location.reload();
            known = admin;
            model.admin = admin;
            render();
        };
        su.addEventListener("changed", update);
        su.wait(update);
    }

    /* --- start --------------------------------------------------------------------------------- */

    function start() {
        cockpit.translate();
        watchSuperuser();
        subscribe();
        watchConfigDirs();
        cockpit.spawn(["uname", "-m"]).then(out => { model.platform = F.platformOf(out); render(); }).catch(() => {});
        cockpit.addEventListener("locationchanged", render);
        /* Relative times ("5 minutes ago") age: draw them again now and then. No data is fetched. */
        window.setInterval(render, 30000);
        loadAll();
    }

    start();
}());
