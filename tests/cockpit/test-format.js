// SPDX-License-Identifier: LGPL-2.1-or-later
// The Cockpit page's logic without a browser: node's own test runner (node --test), no npm package.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const F = require(path.join(process.env.UPKEEP_COCKPIT_DIR || path.join(__dirname, "../../cockpit"), "format.js"));

const SEC = 1000000;
const NOW = Date.UTC(2026, 11, 5, 12, 0, 0) * 1000; // µs

test("versions are ordered as semantic versions", () => {
    const sorted = ["1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-beta", "0.9.9", "2.0.0", "1.2.0-rc.10", "v0.3.1+go1.22.2", "v0.3.1+go1.22.1"]
            .sort(F.compareVersions);
    assert.deepEqual(sorted, ["v0.3.1+go1.22.1", "v0.3.1+go1.22.2", "0.9.9", "1.2.0-beta", "1.2.0-rc.1", "1.2.0-rc.10", "1.2.0", "1.10.0", "2.0.0"]);
    assert.equal(F.compareVersions("1.0.0", "1.0.0"), 0);
    assert.equal(F.compareVersions("", "1.0.0"), -1, "none sorts before any version");
    assert.equal(F.parseVersion("1.2"), null);
    assert.equal(F.parseVersion("01.2.3"), null);
    assert.deepEqual(F.parseVersion("1.2.3-rc.1+b5"), { major: 1, minor: 2, patch: 3, pre: ["rc", "1"], build: "b5" });
});

test("an empty version reads as none", () => {
    assert.equal(F.formatVersion(""), "none");
    assert.equal(F.formatVersion("1.1.0"), "1.1.0");
});

test("policies allow what upkeep's Policy= allows", () => {
    assert.ok(F.policyAllows("patch", "1.2.3", "1.2.9"));
    assert.ok(!F.policyAllows("patch", "1.2.3", "1.3.0"));
    assert.ok(F.policyAllows("minor", "1.2.3", "1.9.0"));
    assert.ok(!F.policyAllows("minor", "1.2.3", "2.0.0"));
    assert.ok(F.policyAllows("major", "1.2.3", "7.0.0"));
    assert.ok(F.policyAllows("minor", "", "3.0.0"), "with nothing installed, any version");
});

test("the channel's releases are offered newest first, each saying what choosing it means", () => {
    const channel = {
        app: "example",
        releases: [
            { version: "1.0.0", artifacts: [{ platform: "linux-amd64" }] },
            { version: "1.1.0", notes: "Fixes.", artifacts: [{ platform: "linux-amd64" }] },
            { version: "2.0.0", artifacts: [{ platform: "linux-amd64" }] },
            { version: "1.2.0", artifacts: [{ platform: "linux-arm64" }] },
            { version: "garbage", artifacts: [] },
        ],
    };
    const app = { CurrentVersion: "1.1.0", Policy: "minor" };
    const offered = F.offeredVersions(channel, app, "linux-amd64");
    assert.deepEqual(offered.map(o => o.version), ["2.0.0", "1.1.0", "1.0.0"]);
    assert.deepEqual(offered.map(o => o.note), ["beyond Policy=minor", "running", "older: a downgrade"]);
    assert.equal(offered[1].notes, "Fixes.");
    assert.ok(offered[1].current);
    assert.deepEqual(F.offeredVersions(null, app, "linux-amd64"), []);
    assert.deepEqual(F.offeredVersions({ releases: "no" }, app, ""), []);
    assert.equal(F.platformOf("x86_64\n"), "linux-amd64");
    assert.equal(F.platformOf("aarch64"), "linux-arm64");
    assert.equal(F.platformOf("mips"), "");
});

test("times are said absolutely and relatively, and 0 is never", () => {
    assert.equal(F.formatTime(0), "never");
    assert.equal(F.formatRelative(0, NOW), "never");
    assert.equal(F.formatRelative(NOW - 5 * SEC, NOW), "just now");
    assert.equal(F.formatRelative(NOW + 10 * SEC, NOW), "in a moment");
    assert.equal(F.formatRelative(NOW - 5 * 60 * SEC, NOW), "5 minutes ago");
    assert.equal(F.formatRelative(NOW + 3 * 3600 * SEC, NOW), "in 3 hours");
    assert.equal(F.formatRelative(NOW - 86400 * SEC, NOW), "yesterday");
    assert.equal(F.formatRelative(NOW + 2 * 86400 * SEC, NOW), "in 2 days");
    assert.match(F.formatTime(NOW, "en"), /2026/);
    assert.match(F.formatTimeWithRelative(NOW + 3600 * SEC, NOW, "en"), /^.*2026.* \(in 1 hour\)$/);
    assert.match(F.formatRelative(NOW - 5 * 60 * SEC, NOW, "de"), /vor 5 Minuten/);
});

test("an app's state: a trial, a pause, a back-off and an error say more than State", () => {
    const base = { State: "idle", CurrentVersion: "1.0.0", Paused: false, BackoffUntil: 0, LastError: "" };
    const st = p => F.appStatus({ ...base, ...p }, NOW).id;
    assert.equal(st({}), "idle");
    assert.equal(F.appStatus(base, NOW).label, "up to date");
    assert.equal(st({ State: "available" }), "available");
    assert.equal(st({ State: "staged", PendingVersion: "1.1.0" }), "staged");
    assert.equal(st({ State: "scheduled", PendingVersion: "1.1.0" }), "scheduled");
    assert.equal(st({ State: "trial" }), "trial");
    assert.equal(F.appStatus({ ...base, State: "trial" }, NOW).label, "on trial");
    assert.equal(st({ State: "trial", Paused: true }), "trial", "a trial runs whatever a pause says");
    assert.equal(st({ Paused: true, LastError: "x" }), "paused");
    assert.equal(st({ BackoffUntil: NOW + 3600 * SEC }), "backing-off");
    assert.equal(st({ BackoffUntil: NOW - SEC }), "idle", "a back-off that ended is over");
    assert.equal(st({ LastError: "Download failed" }), "failed");
    assert.equal(F.appStatus({ ...base, LastError: "x" }, NOW).tone, "danger");
    assert.equal(st({ CurrentVersion: "" }), "not-installed");
    assert.equal(st({ State: "downloading" }), "downloading");
    assert.equal(F.appStatus({ ...base, State: "checking" }, NOW).tone, "busy");
});

test("the next update: the timer's first event not before the due time nor the back-off", () => {
    const app = { PendingVersion: "1.1.0", ScheduledFor: NOW + 3600 * SEC, BackoffUntil: 0, Paused: false, State: "scheduled" };
    assert.equal(F.nextUpdate({ ...app, PendingVersion: "" }, 0, NOW).usec, 0);
    assert.equal(F.nextUpdate(app, NOW + 7200 * SEC, NOW, "en").usec, NOW + 7200 * SEC);
    assert.match(F.nextUpdate(app, NOW + 7200 * SEC, NOW, "en").text, /^1\.1\.0 at .*\(in 2 hours\)$/);
    const early = F.nextUpdate(app, NOW + 60 * SEC, NOW, "en");
    assert.equal(early.usec, NOW + 3600 * SEC);
    assert.match(early.text, /not before .* inside the window/);
    assert.equal(F.nextUpdate({ ...app, BackoffUntil: NOW + 5 * 3600 * SEC }, NOW + 7200 * SEC, NOW).usec, NOW + 5 * 3600 * SEC);
    assert.match(F.nextUpdate({ ...app, Paused: true }, NOW, NOW).text, /paused/);
    assert.match(F.nextUpdate({ ...app, State: "trial" }, NOW, NOW).text, /trial/);
    assert.match(F.nextUpdate({ ...app, ScheduledFor: NOW - SEC }, 0, NOW).text, /next event/);
});

test("the filter matches every word anywhere", () => {
    const app = { Name: "example", Description: "Hello service", CurrentVersion: "1.0.0", Unit: "upkeep@example.service" };
    const status = { label: "paused" };
    assert.ok(F.matchesFilter(app, status, ""));
    assert.ok(F.matchesFilter(app, status, "EXA paused"));
    assert.ok(F.matchesFilter(app, status, "hello 1.0"));
    assert.ok(!F.matchesFilter(app, status, "example failed"));
});

test("polkit's refusal is said in words, with polkit's message", () => {
    const s = F.describeCallError({ name: "org.freedesktop.DBus.Error.AccessDenied", message: "Access denied: not authorized for org.upkeep1.update." }, "Update example");
    assert.match(s, /^Update example: not permitted\. .*administrative access.*\(polkit: Access denied: not authorized for org\.upkeep1\.update\.\)$/);
    assert.match(F.describeCallError({ name: "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", message: "m" }, "Pause example"), /not permitted/);
    assert.match(F.describeCallError({ problem: "access-denied" }, "Check all"), /^Check all: not permitted\./);
    assert.equal(F.actionOf("Update", [""]), "org.upkeep1.update");
    assert.equal(F.actionOf("Update", ["1.2.0"]), "org.upkeep1.update-to-version");
    assert.equal(F.actionOf("Pause", ["x"]), "org.upkeep1.manage");
});

test("D-Bus errors of calls become sentences", () => {
    assert.equal(F.describeCallError({ name: "org.upkeep1.Error.Busy", message: "A check of example is running." }, "Update example"),
        "Update example: Another job of this app is running; wait for it to end or cancel it. A check of example is running.");
    assert.equal(F.describeCallError({ name: "org.upkeep1.Error.NoSuchVersion", message: "" }, "Apply example"),
        "Apply example: The release channel does not offer that version, or no version is pending.");
    assert.match(F.describeCallError({ name: "org.freedesktop.DBus.Error.ServiceUnknown", message: "x" }, "Check all"), /upkeepd is not available/);
    assert.equal(F.describeCallError({ name: "com.example.Odd", message: "it broke" }, "Resume example"), "Resume example failed: it broke.");
    assert.equal(F.describeCallError({}, "Resume example"), "Resume example failed: unknown error.");
});

test("job results are said where the operator looks", () => {
    const job = { App: "example", Type: "update" };
    assert.deepEqual(F.describeJobResult(job, "done", "", "", { CurrentVersion: "1.1.0" }), { tone: "success", text: "example updated to 1.1.0." });
    assert.deepEqual(F.describeJobResult({ App: "example", Type: "rollback" }, "done", "", "", { CurrentVersion: "1.0.0" }),
        { tone: "success", text: "example rolled back to 1.0.0." });
    const rolled = F.describeJobResult(job, "failed", "org.upkeep1.Error.RolledBack",
        "version 1.2.0 failed its trial (the unit exited), rolled back to 1.1.0", { CurrentVersion: "1.1.0" });
    assert.equal(rolled.tone, "danger");
    assert.equal(rolled.text, "example rolled back: version 1.2.0 failed its trial (the unit exited), rolled back to 1.1.0.");
    const refused = F.describeJobResult({ App: "example", Type: "check" }, "failed", "org.upkeep1.Error.WrongKey", "Signature made by key 1234", {});
    assert.equal(refused.text, "example: Refused: the release channel is signed by another key than the app's PublicKey=. Signature made by key 1234.");
    assert.ok(F.isRefusal("org.upkeep1.Error.ChannelExpired"));
    assert.ok(!F.isRefusal("org.upkeep1.Error.DownloadFailed"));
    assert.equal(F.describeJobResult({ App: "example", Type: "check" }, "canceled", "", "", {}).text, "example: check canceled.");
    assert.equal(F.describeJobResult({ App: "example", Type: "check" }, "done", "", "", { CurrentVersion: "1.0.0", AvailableVersion: "1.0.0" }).text,
        "example checked: up to date.");
    assert.equal(F.describeJobResult({ App: "example", Type: "check" }, "done", "", "", { CurrentVersion: "1.0.0", AvailableVersion: "1.1.0", PendingVersion: "1.1.0" }).text,
        "example checked: 1.1.0 is staged and pending.");
    assert.equal(F.describeJobResult(job, "failed", "org.upkeep1.Error.DownloadFailed", "HTTP 404", {}).text,
        "example: update failed. The download failed. HTTP 404.");
    assert.equal(F.describeJobResult(job, "failed", "System.Error.ENOSPC", "No space left on device", {}).text,
        "example: update failed: No space left on device.");
});

test("catalog texts are found and filled in as journalctl -x does", () => {
    const dump = "-- 61a9e5eb076d493e8bc0598acddb3a6a\nSubject: @UPKEEP_APP@ was rolled back from @UPKEEP_OLD_VERSION@ to @UPKEEP_VERSION@\n" +
        "Defined-By: upkeep\nSupport: man:upkeepctl(1)\n\nVersion @UPKEEP_OLD_VERSION@ of @UPKEEP_APP@ did not come up.\n" +
        "Run \"journalctl -u upkeep@@UPKEEP_APP@.service\".\n\n" +
        "-- 454F9A0DD5D74FB49D22DADD35C5504B\nSubject: An update of @UPKEEP_APP@ is available\n\nBody two.\n";
    const cat = F.parseCatalog(dump);
    assert.deepEqual(Object.keys(cat).sort(), ["454f9a0dd5d74fb49d22dadd35c5504b", "61a9e5eb076d493e8bc0598acddb3a6a"]);
    const entry = { UPKEEP_APP: "example", UPKEEP_OLD_VERSION: "1.2.0", UPKEEP_VERSION: "1.1.0" };
    assert.equal(F.fillCatalog(cat["61a9e5eb076d493e8bc0598acddb3a6a"].subject, entry), "example was rolled back from 1.2.0 to 1.1.0");
    assert.equal(F.fillCatalog(cat["61a9e5eb076d493e8bc0598acddb3a6a"].body, entry),
        "Version 1.2.0 of example did not come up.\nRun \"journalctl -u upkeep@example.service\".");
    assert.equal(cat["454f9a0dd5d74fb49d22dadd35c5504b"].body, "Body two.");
    assert.equal(F.fillCatalog("@MISSING@ stays", entry), "@MISSING@ stays");
});

test("journal lines and the daemon's word on a broken config are read", () => {
    const e = F.journalEntry(JSON.stringify({ __REALTIME_TIMESTAMP: "1764936000000000", PRIORITY: "3", MESSAGE: "boom", MESSAGE_ID: "61A9E5EB076D493E8BC0598ACDDB3A6A", __CURSOR: "c" }));
    assert.equal(e.time, 1764936000000000);
    assert.equal(e.priority, 3);
    assert.equal(e.message, "boom");
    assert.equal(e.id, "61a9e5eb076d493e8bc0598acddb3a6a");
    assert.equal(F.journalEntry("{ not json"), null);
    assert.equal(F.journalEntry(JSON.stringify({ MESSAGE: [104, 105] })).message, "hi");
    assert.deepEqual(F.configProblem("Failed to read /etc/upkeep/apps/broken.app, skipping: Permission denied"),
        { path: "/etc/upkeep/apps/broken.app", line: 0, reason: "Permission denied", refused: true });
    assert.deepEqual(F.configProblem("/etc/upkeep/apps/broken.app: Missing Source= in [App], refusing."),
        { path: "/etc/upkeep/apps/broken.app", line: 0, reason: "Missing Source= in [App], refusing.", refused: true });
    assert.deepEqual(F.configProblem("/etc/upkeep/apps/broken.app:4: Unknown key Policy= in section [App], ignoring."),
        { path: "/etc/upkeep/apps/broken.app", line: 4, reason: "Unknown key Policy= in section [App], ignoring.", refused: false });
    assert.equal(F.configProblem("Reloading."), null);
    assert.equal(F.appNameOfConfig("/etc/upkeep/apps/broken.app"), "broken");
});

test("templates take named fields", () => {
    assert.equal(F.fmt("{app} updated to {version}.", { app: "a", version: "1" }), "a updated to 1.");
    assert.equal(F.fmt("{unknown} stays", {}), "{unknown} stays");
});

test("what is not a time reads as never", () => {
    assert.ok(F.isTime(NOW));
    for (const v of [0, -1, "x", 2 ** 64, undefined])
        assert.ok(!F.isTime(v), String(v));
    assert.equal(F.formatTime(2 ** 64), "never");
    assert.equal(F.formatTimeWithRelative(-5, NOW), "never");
});

test("a config's problems are those of upkeepd's most recent reading", () => {
    const m = message => ({ message });
    const a = "/etc/upkeep/apps/a.app", b = "/etc/upkeep/apps/b.app";
    const log = [
        m(a + ": Missing Source= in [App], refusing."), m(b + ":2: Unknown key X= in section [App], ignoring."),
        m("Loaded 0 app(s)."),
        m("Received SIGHUP, reloading app configs."),
        m(a + ":4: Unknown key Policy= in section [App], ignoring."), m(a + ": Missing Exec= in [App], refusing."),
        m("Loaded 1 app(s)."),
    ];
    const p = F.configProblems(log);
    assert.deepEqual(Object.keys(p), [a], "b was fixed: the last reading said nothing of it");
    assert.deepEqual(p[a].map(x => x.reason), ["Missing Exec= in [App], refusing.", "Unknown key Policy= in section [App], ignoring."]);
    assert.deepEqual(F.configProblems([]), {});
});
