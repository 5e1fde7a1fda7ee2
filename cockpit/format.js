/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep's Cockpit page: the logic that has no DOM and no bus. How an app's properties read as a
 * state, versions ordered and offered, times said, D-Bus errors and job results put into sentences,
 * journal catalog texts filled in. A plain script: in the page it defines window.UpkeepFormat and
 * translates with cockpit.gettext; under node (tests/cockpit/) it is a CommonJS module and
 * translates nothing. */
(function (root, factory) {
    "use strict";
    if (typeof module === "object" && module.exports)
        module.exports = factory(s => s);
    else
        root.UpkeepFormat = factory(root.cockpit ? root.cockpit.gettext : s => s);
}(typeof self !== "undefined" ? self : this, function (_) {
    "use strict";

    const USEC_PER_SEC = 1000000;

    /* "{app} was updated" with named fields, so translators can reorder them. */
    function fmt(template, fields) {
        return template.replace(/\{([a-z_]+)\}/g, (m, k) => (fields && k in fields) ? String(fields[k]) : m);
    }

    /* --- versions ----------------------------------------------------------------------------- */

    const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.+-]+))?$/;

    function parseVersion(v) {
        const m = SEMVER.exec(v || "");
        if (!m)
            return null;
        return {
            major: Number(m[1]),
            minor: Number(m[2]),
            patch: Number(m[3]),
            pre: m[4] ? m[4].split(".") : [],
            build: m[5] || "",
        };
    }

    function comparePre(a, b) {
        if (a.length === 0 || b.length === 0)
            return (a.length === 0) - (b.length === 0);
        for (let i = 0; i < Math.min(a.length, b.length); i++) {
            const na = /^\d+$/.test(a[i]), nb = /^\d+$/.test(b[i]);
            if (na && nb) {
                const d = Number(a[i]) - Number(b[i]);
                if (d !== 0)
                    return Math.sign(d);
            } else if (na !== nb) {
                return na ? -1 : 1;
            } else if (a[i] !== b[i]) {
                return a[i] < b[i] ? -1 : 1;
            }
        }
        return Math.sign(a.length - b.length);
    }

    /* Semantic version order (-1, 0, 1); build metadata (a Go app's "+go1.22.1") breaks ties, as
     * upkeep orders two builds of one module version. Strings that are no version sort first. */
    function compareVersions(a, b) {
        const pa = parseVersion(a), pb = parseVersion(b);
        if (!pa || !pb)
            return (!!pa - !!pb) || (a < b ? -1 : a > b ? 1 : 0);
        for (const k of ["major", "minor", "patch"])
            if (pa[k] !== pb[k])
                return pa[k] < pb[k] ? -1 : 1;
        const p = comparePre(pa.pre, pb.pre);
        if (p !== 0)
            return p;
        return pa.build < pb.build ? -1 : pa.build > pb.build ? 1 : 0;
    }

    /* A version as shown: "none" for the empty string the bus uses for none. */
    function formatVersion(v) {
        return v ? v : _("none");
    }

    /* Which updates a policy allows, from the running version: patch, minor, major (or any). */
    function policyAllows(policy, from, to) {
        const pf = parseVersion(from), pt = parseVersion(to);
        if (!pt)
            return false;
        if (!pf)
            return true;
        switch (policy) {
        case "patch":
            return pf.major === pt.major && pf.minor === pt.minor;
        case "minor":
            return pf.major === pt.major;
        default:
            return true;
        }
    }

    /* The versions the app's last verified channel.json offers for this machine, newest first, each
     * with what choosing it means. `channel` is the parsed channel.json (or null); `platform` is
     * "linux-amd64" and the like ("" for any). */
    function offeredVersions(channel, app, platform) {
        if (!channel || !Array.isArray(channel.releases))
            return [];
        const out = [];
        for (const r of channel.releases) {
            if (!r || typeof r.version !== "string" || !parseVersion(r.version))
                continue;
            const artifacts = Array.isArray(r.artifacts) ? r.artifacts : [];
            if (platform && artifacts.length > 0 && !artifacts.some(a => a && a.platform === platform))
                continue;
            const cmp = compareVersions(r.version, app.CurrentVersion || "");
            let note = "";
            if (r.version === app.CurrentVersion)
                note = _("running");
            else if (app.CurrentVersion && cmp < 0)
                note = _("older: a downgrade");
            else if (!policyAllows(app.Policy, app.CurrentVersion, r.version))
                note = fmt(_("beyond Policy={policy}"), { policy: app.Policy });
            out.push({
                version: r.version,
                published: typeof r.published === "string" ? r.published : "",
                notes: typeof r.notes === "string" ? r.notes : "",
                current: r.version === app.CurrentVersion,
                note,
            });
        }
        out.sort((a, b) => compareVersions(b.version, a.version));
        return out;
    }

    /* linux- plus Go's name of the architecture, from what the kernel says (uname -m). */
    function platformOf(machine) {
        const arch = {
            x86_64: "amd64", aarch64: "arm64", armv7l: "arm", armv6l: "arm", i686: "386", i386: "386",
            ppc64le: "ppc64le", s390x: "s390x", riscv64: "riscv64",
        }[(machine || "").trim()];
        return arch ? "linux-" + arch : "";
    }

    /* --- times -------------------------------------------------------------------------------- */

    /* A time from the bus is µs since the epoch; 0 (and what is not a time: systemd's "infinity",
     * garbage) means none. */
    function isTime(usec) {
        const n = Number(usec);
        return Number.isFinite(n) && n > 0 && n < 8.64e18;
    }

    function usecToDate(usec) {
        return new Date(Math.floor(Number(usec) / 1000));
    }

    /* "Dec 5, 2026, 3:10 AM" in the page's language; "never" for 0. */
    function formatTime(usec, locale) {
        if (!isTime(usec))
            return _("never");
        return new Intl.DateTimeFormat(locale || "en", { dateStyle: "medium", timeStyle: "short" })
                .format(usecToDate(usec));
    }

    /* "in 3 hours", "5 minutes ago", "now"; "never" for 0. Both are µs since the epoch. */
    function formatRelative(usec, nowUsec, locale) {
        if (!isTime(usec))
            return _("never");
        const rtf = new Intl.RelativeTimeFormat(locale || "en", { numeric: "auto" });
        const secs = Math.round((Number(usec) - Number(nowUsec)) / USEC_PER_SEC);
        const abs = Math.abs(secs);
        if (abs < 45)
            return secs >= 0 ? _("in a moment") : _("just now");
        const units = [[60, "minute"], [3600, "hour"], [86400, "day"], [7 * 86400, "week"], [30 * 86400, "month"], [365 * 86400, "year"]];
        let unit = units[0];
        for (const u of units)
            if (abs >= u[0] * 0.95)
                unit = u;
        return rtf.format(Math.round(secs / unit[0]), unit[1]);
    }

    function formatTimeWithRelative(usec, nowUsec, locale) {
        if (!isTime(usec))
            return _("never");
        return formatTime(usec, locale) + " (" + formatRelative(usec, nowUsec, locale) + ")";
    }

    /* --- states ------------------------------------------------------------------------------- */

    /* What an operator asks first: is it fine, does it need me. The bus's State says where the app
     * is in an update (idle, available, staged, scheduled, trial, and while a job runs checking,
     * downloading, applying); a pause, a back-off and a last error say more, and win. `tone` is the
     * look: "ok", "info", "warning", "danger", "busy". */
    function appStatus(app, nowUsec) {
        const state = app.State || "";
        if (["checking", "downloading", "applying"].includes(state))
            return { id: state, label: { checking: _("checking"), downloading: _("downloading"), applying: _("applying") }[state], tone: "busy" };
        if (state === "trial")
            return { id: "trial", label: _("on trial"), tone: "info" };
        if (app.Paused)
            return { id: "paused", label: _("paused"), tone: "warning" };
        if (app.BackoffUntil && Number(app.BackoffUntil) > Number(nowUsec))
            return { id: "backing-off", label: _("backing off"), tone: "warning" };
        if (app.LastError)
            return { id: "failed", label: _("failed"), tone: "danger" };
        if (!app.CurrentVersion && !app.PendingVersion)
            return { id: "not-installed", label: _("not installed"), tone: "info" };
        switch (state) {
        case "scheduled":
            return { id: "scheduled", label: _("scheduled"), tone: "info" };
        case "staged":
            return { id: "staged", label: _("ready to apply"), tone: "info" };
        case "available":
            return { id: "available", label: _("update available"), tone: "info" };
        case "idle":
            return { id: "idle", label: _("up to date"), tone: "ok" };
        default:
            return { id: state || "unknown", label: state || _("unknown"), tone: "info" };
        }
    }

    /* When the pending version will be switched to: by the app's update timer, at its first event
     * not before the version is due (ScheduledFor) nor before a back-off ends; upkeep-condition skips
     * the events before. `timerNext` is the timer's NextElapseUSecRealtime (0 if unknown or the timer
     * is not running). Returns { usec, text } with usec 0 when nothing will happen by itself. */
    function nextUpdate(app, timerNext, nowUsec, locale) {
        if (!app.PendingVersion)
            return { usec: 0, text: _("nothing pending") };
        if (app.State === "trial")
            return { usec: 0, text: _("after the running trial") };
        if (app.Paused)
            return { usec: 0, text: fmt(_("{version} is held: automatic updates are paused"), { version: app.PendingVersion }) };
        const notBefore = Math.max(Number(app.ScheduledFor || 0), Number(app.BackoffUntil || 0));
        if (isTime(timerNext) && Number(timerNext) >= notBefore)
            return { usec: Number(timerNext), text: fmt(_("{version} at {time}"), { version: app.PendingVersion, time: formatTimeWithRelative(timerNext, nowUsec, locale) }) };
        if (notBefore > Number(nowUsec))
            return {
                usec: notBefore,
                text: fmt(_("{version} not before {time}, inside the window"), { version: app.PendingVersion, time: formatTimeWithRelative(notBefore, nowUsec, locale) }),
            };
        return { usec: 0, text: fmt(_("{version} at the update timer's next event"), { version: app.PendingVersion }) };
    }

    /* The overview's filter: words that must each appear in the name, description, state, a
     * version or the unit. */
    function matchesFilter(app, status, query) {
        const words = (query || "").toLowerCase().split(/\s+/).filter(w => w);
        if (words.length === 0)
            return true;
        const hay = [app.Name, app.Description, app.Unit, app.CurrentVersion, app.AvailableVersion,
            app.PendingVersion, status && status.label, app.State].join(" ").toLowerCase();
        return words.every(w => hay.includes(w));
    }

    /* --- errors and results ------------------------------------------------------------------- */

    const ERROR_SENTENCES = {
        "org.upkeep1.Error.NoSuchApp": _("No app of that name is configured."),
        "org.upkeep1.Error.NoSuchJob": _("The job had already ended."),
        "org.upkeep1.Error.InvalidVersion": _("That is not a version (versions look like 1.2.3)."),
        "org.upkeep1.Error.NoSuchVersion": _("The release channel does not offer that version, or no version is pending."),
        "org.upkeep1.Error.Busy": _("Another job of this app is running; wait for it to end or cancel it."),
        "org.upkeep1.Error.Paused": _("Automatic updates of this app are paused."),
        "org.upkeep1.Error.BackingOff": _("This app is backing off after failed scheduled updates."),
        "org.upkeep1.Error.NotAllowed": _("The app's policy does not allow this version."),
        "org.upkeep1.Error.NotSupported": _("This version of upkeepd cannot do that."),
        "org.upkeep1.Error.SignatureInvalid": _("Refused: the release channel's signature does not verify."),
        "org.upkeep1.Error.WrongKey": _("Refused: the release channel is signed by another key than the app's PublicKey=."),
        "org.upkeep1.Error.ChannelMalformed": _("Refused: the release channel is not a valid channel.json."),
        "org.upkeep1.Error.ChannelExpired": _("Refused: the release channel has expired (a freeze, or a publisher who stopped signing)."),
        "org.upkeep1.Error.ChannelReplayed": _("Refused: the release channel is older than one accepted before (a replay)."),
        "org.upkeep1.Error.WrongApp": _("Refused: the release channel is for another app."),
        "org.upkeep1.Error.SizeMismatch": _("Refused: the download is not the size the channel declares."),
        "org.upkeep1.Error.HashMismatch": _("Refused: the download's SHA-256 is not the one the channel declares."),
        "org.upkeep1.Error.UnsafeRelease": _("Refused: the archive holds an entry that is not allowed in a release."),
        "org.upkeep1.Error.ReleaseTooLarge": _("Refused: the archive unpacks to more than allowed."),
        "org.upkeep1.Error.ProxyMalformed": _("Refused: the Go module proxy answered with something that is not a version list."),
        "org.upkeep1.Error.RecordMismatch": _("Refused: the gobuild service answered with the record of another build."),
        "org.upkeep1.Error.ProofInvalid": _("Refused: the build is not proven to be in the gobuild transparency log."),
        "org.upkeep1.Error.LogForked": _("Refused: the gobuild transparency log was rewritten (it forked)."),
        "org.upkeep1.Error.DownloadFailed": _("The download failed."),
        "org.upkeep1.Error.SwitchFailed": _("Nothing was switched."),
        "org.upkeep1.Error.InstallHookFailed": _("An install hook failed; nothing was switched."),
        "org.upkeep1.Error.RolledBack": _("The new version failed its trial and was rolled back."),
        "org.freedesktop.DBus.Error.InvalidArgs": _("upkeepd refused the request as invalid."),
    };

    function isRefusal(name) {
        return /^org\.upkeep1\.Error\.(SignatureInvalid|WrongKey|Channel\w+|WrongApp|SizeMismatch|HashMismatch|UnsafeRelease|ReleaseTooLarge|ProxyMalformed|RecordMismatch|ProofInvalid|LogForked)$/.test(name || "");
    }

    function isAuthorizationError(name, problem) {
        return problem === "access-denied" || problem === "not-authorized" ||
            name === "org.freedesktop.DBus.Error.AccessDenied" ||
            name === "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" ||
            name === "org.freedesktop.PolicyKit1.Error.NotAuthorized";
    }

    /* The polkit action a method needs (polkit/org.upkeep1.policy), for saying what was refused. */
    function actionOf(method, args) {
        switch (method) {
        case "Check":
        case "CheckAll":
            return "org.upkeep1.check";
        case "Update":
            return args && args[0] ? "org.upkeep1.update-to-version" : "org.upkeep1.update";
        case "Apply":
            return "org.upkeep1.update";
        default:
            return "org.upkeep1.manage";
        }
    }

    /* A failed call, as a sentence for the operator: an error thrown by cockpit.dbus() (D-Bus error
     * `name` and `message`) or a Cockpit `problem`. `what` names the action ("Update example"). */
    function describeCallError(err, what) {
        const name = (err && err.name) || "";
        const problem = (err && err.problem) || "";
        const message = (err && err.message) || "";
        if (isAuthorizationError(name, problem)) {
            const detail = message && message !== problem ? " " + fmt(_("(polkit: {message})"), { message }) : "";
            return fmt(_("{what}: not permitted. Changing updates needs administrative access: log in as an administrator, or turn on administrative access at the top of the page."), { what }) + detail;
        }
        if (name === "org.freedesktop.DBus.Error.ServiceUnknown" || problem === "not-found")
            return fmt(_("{what}: upkeepd is not available (org.upkeep1 is not on the system bus)."), { what });
        if (name === "org.freedesktop.DBus.Error.UnknownMethod")
            return fmt(_("{what}: this upkeepd does not know that call; is it older than this page?"), { what });
        if (name === "org.freedesktop.DBus.Error.NoReply" || name === "org.freedesktop.DBus.Error.Timeout" || problem === "timeout")
            return fmt(_("{what}: upkeepd did not answer."), { what });
        if (problem === "disconnected" || problem === "terminated")
            return fmt(_("{what}: the connection to the machine was lost."), { what });
        const sentence = ERROR_SENTENCES[name];
        if (sentence && message && message !== sentence)
            return fmt(_("{what}: {sentence} {message}"), { what, sentence, message: ensurePeriod(message) });
        if (sentence)
            return fmt(_("{what}: {sentence}"), { what, sentence });
        return fmt(_("{what} failed: {message}"), { what, message: ensurePeriod(message || name || problem || _("unknown error")) });
    }

    function ensurePeriod(s) {
        return /[.!?]$/.test(s) ? s : s + ".";
    }

    /* The end of a job (JobRemoved: result, error, message) as { tone, text }, said where the
     * operator looks. `job` has Type and App; `app` is the app's properties after the job. */
    function describeJobResult(job, result, error, message, app) {
        const name = job.App || (app && app.Name) || "";
        const type = job.Type || "";
        if (result === "canceled")
            return { tone: "info", text: fmt(_("{app}: {job} canceled."), { app: name, job: jobTypeLabel(type) }) };
        if (result === "done") {
            switch (type) {
            case "update":
                return { tone: "success", text: fmt(_("{app} updated to {version}."), { app: name, version: formatVersion(app && app.CurrentVersion) }) };
            case "rollback":
                return { tone: "success", text: fmt(_("{app} rolled back to {version}."), { app: name, version: formatVersion(app && app.CurrentVersion) }) };
            case "stage":
                return { tone: "success", text: fmt(_("{app}: {version} staged."), { app: name, version: formatVersion(app && app.PendingVersion) }) };
            case "check": {
                if (app && app.PendingVersion)
                    return { tone: "success", text: fmt(_("{app} checked: {version} is staged and pending."), { app: name, version: app.PendingVersion }) };
                if (app && app.AvailableVersion && compareVersions(app.AvailableVersion, app.CurrentVersion || "") > 0)
                    return { tone: "success", text: fmt(_("{app} checked: {version} is available."), { app: name, version: app.AvailableVersion }) };
                return { tone: "success", text: fmt(_("{app} checked: up to date."), { app: name }) };
            }
            default:
                return { tone: "success", text: fmt(_("{app}: {job} done."), { app: name, job: jobTypeLabel(type) }) };
            }
        }
        if (error === "org.upkeep1.Error.RolledBack")
            return { tone: "danger", text: fmt(_("{app} rolled back: {message}"), { app: name, message: ensurePeriod(message || _("the new version failed its trial")) }) };
        const sentence = ERROR_SENTENCES[error];
        const tail = message ? ensurePeriod(message) : "";
        if (isRefusal(error))
            return { tone: "danger", text: fmt(_("{app}: {sentence} {message}"), { app: name, sentence, message: tail }).trim() };
        if (sentence)
            return { tone: "danger", text: fmt(_("{app}: {job} failed. {sentence} {message}"), { app: name, job: jobTypeLabel(type), sentence, message: tail }).trim() };
        return { tone: "danger", text: fmt(_("{app}: {job} failed: {message}"), { app: name, job: jobTypeLabel(type), message: tail || error || _("unknown error") }) };
    }

    function jobTypeLabel(type) {
        return {
            check: _("check"), update: _("update"), rollback: _("rollback"), stage: _("stage"),
        }[type] || type || _("job");
    }

    /* How a History entry's change came about. */
    function historyHowLabel(how) {
        return { scheduled: _("scheduled"), manual: _("by an operator"), rollback: _("rollback") }[how] || how;
    }

    /* --- the journal -------------------------------------------------------------------------- */

    /* `journalctl --dump-catalog ID…` prints entries as "-- ID\nHeader: value\n…\n\nbody"; returns
     * { ID: { subject, body } } with the IDs in lower case. */
    function parseCatalog(text) {
        const out = {};
        const parts = (text || "").split(/^-- ([0-9a-fA-F]{32})(?: [^\n]*)?\n/m);
        for (let i = 1; i + 1 < parts.length; i += 2) {
            const id = parts[i].toLowerCase();
            const block = parts[i + 1];
            const blank = block.indexOf("\n\n");
            const header = blank >= 0 ? block.slice(0, blank) : block;
            const body = blank >= 0 ? block.slice(blank + 2) : "";
            const m = /^Subject: (.*)$/m.exec(header);
            out[id] = { subject: m ? m[1] : "", body: body.replace(/\s+$/, "") };
        }
        return out;
    }

    /* A catalog text with @FIELD@ replaced by the entry's field, as journalctl -x does. */
    function fillCatalog(template, entry) {
        return (template || "").replace(/@([A-Z0-9_]+)@/g, (m, k) => {
            const v = entry[k];
            return typeof v === "string" ? v : m;
        });
    }

    /* One line of `journalctl -o json`: { time (µs), priority, message, id, unit }. */
    function journalEntry(line) {
        let e;
        try {
            e = JSON.parse(line);
        } catch (ex) {
            return null;
        }
        let message = e.MESSAGE;
        if (Array.isArray(message)) /* bytes, when not valid UTF-8 */
            message = String.fromCharCode.apply(null, message);
        return {
            fields: e,
            time: Number(e.__REALTIME_TIMESTAMP || 0),
            priority: Number(e.PRIORITY !== undefined ? e.PRIORITY : 6),
            message: typeof message === "string" ? message : "",
            id: (e.MESSAGE_ID || "").toLowerCase(),
            cursor: e.__CURSOR || "",
        };
    }

    /* upkeepd's word on a config, in its journal: "PATH: REASON, refusing." (the app is not
     * loaded), "PATH:LINE: REASON, ignoring." (a line is not understood), or "Failed to read PATH,
     * skipping: REASON". Returns { path, line, reason, refused } or null. */
    function configProblem(message) {
        let m = /^Failed to read (\/\S+\.app), skipping: (.*)$/.exec(message || "");
        if (m)
            return { path: m[1], line: 0, reason: m[2], refused: true };
        m = /^(\/\S+\.app)(?::(\d+))?: (.*)$/.exec(message || "");
        if (m)
            return { path: m[1], line: m[2] ? Number(m[2]) : 0, reason: m[3], refused: !m[2] };
        return null;
    }

    /* From upkeepd's journal (entries as journalEntry() reads them, oldest first), what its most
     * recent reading of each config said: { PATH: [problem…] }, refusals first. A reading ends with
     * its "Loaded N app(s)." line. */
    function configProblems(entries) {
        const out = {};
        let reading = {};
        for (const e of entries) {
            if (!e)
                continue;
            if (/^Loaded \d+ app\(s\)\.$/.test(e.message)) {
                Object.assign(out, reading);
                for (const path in out)
                    if (!(path in reading))
                        delete out[path];
                reading = {};
                continue;
            }
            const p = configProblem(e.message);
            if (p)
                (reading[p.path] = reading[p.path] || []).push(p);
        }
        Object.assign(out, reading); /* a reading still under way */
        for (const path in out)
            out[path].sort((a, b) => b.refused - a.refused);
        return out;
    }

    function appNameOfConfig(path) {
        const m = /([^/]+)\.app$/.exec(path || "");
        return m ? m[1] : "";
    }

    return {
        fmt, isTime, parseVersion, compareVersions, formatVersion, policyAllows, offeredVersions, platformOf,
        formatTime, formatRelative, formatTimeWithRelative,
        appStatus, nextUpdate, matchesFilter,
        isRefusal, isAuthorizationError, actionOf, describeCallError, describeJobResult, jobTypeLabel, historyHowLabel,
        parseCatalog, fillCatalog, journalEntry, configProblem, configProblems, appNameOfConfig,
    };
}));
