#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""upkeep's Cockpit page in a real browser: headless Chromium driven through chromedriver (Selenium),
run inside the test guest, logging in through Cockpit's login page as an operator would.

  cockpit-browser.py admin USER PASSWORD SHOTS-DIR PUBLISH-CMD
      Logs in, turns on administrative access (Cockpit's own dialog: sudo with the login password),
      opens "Service updates", updates the app "example" from the page and watches the job end with
      the new version, without reloading; then runs PUBLISH-CMD (a slow release and a crashing one
      are published), cancels the update to the slow one while it downloads, updates to the
      crashing one and sees the rollback: the app paused, with the reason; resumes it, checks all
      apps and applies the version the check staged.
  cockpit-browser.py user USER PASSWORD SHOTS-DIR [states]
      Logs in without administrative access: sees the apps, and an action is refused by polkit,
      said in words on the page. With "states", then removes the apps (the page shows how to add
      one, and the man page), masks upkeepd.service (the page says upkeepd is not running) and
      removes its bus activation (the page says upkeep is not installed).

Prints "ok: …" for each check and "FAIL: …" for each failure; exits 1 on any failure. Screenshots
go to SHOTS-DIR."""
import os
import re
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL = "http://127.0.0.1:9090"
FRAME = "cockpit1:localhost/upkeep"
failures = 0


T0 = time.monotonic()


def ok(what):
    print(f"ok: {what} [{time.monotonic() - T0:.1f} s]", flush=True)


def fail(what):
    global failures
    failures += 1
    print(f"FAIL: {what}", flush=True)


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1440,1000", "--lang=en-US", "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-")]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


class Stopped(Exception):
    pass


class Page:
    def __init__(self, driver, shots):
        self.d = driver
        self.shots = shots

    def wait(self, what, cond, timeout=30, quiet=False):
        """Waits until cond() is truthy (exceptions count as not yet); records ok or FAIL."""
        end = time.monotonic() + timeout
        last = None
        while time.monotonic() < end:
            try:
                v = cond()
                if v:
                    if not quiet:
                        ok(what)
                    return v
            except WebDriverException as e:
                last = e
            time.sleep(0.2)
        fail(f"{what} (not within {timeout} s{'; ' + last.msg.splitlines()[0] if last and last.msg else ''})")
        # What follows builds on this step: stop here rather than time out on each.
        raise Stopped()

    def click(self, sel, what=None):
        """Clicks the element sel names, finding it again if the page drew it anew meanwhile."""
        def attempt():
            self.css(sel).click()
            return True
        return self.wait(what or f"click on {sel}", attempt, timeout=10, quiet=what is None)

    def css(self, sel):
        return self.d.find_element(By.CSS_SELECTOR, sel)

    def all(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def text(self, sel):
        els = self.all(sel)
        return els[0].text if els else ""

    def login(self, user, password):
        self.d.get(URL + "/upkeep")
        WebDriverWait(self.d, 30).until(lambda d: d.find_element(By.ID, "login-user-input").is_displayed())
        self.css("#login-user-input").send_keys(user)
        self.css("#login-password-input").send_keys(password)
        self.css("#login-button").click()
        self.wait(f"{user} logged in through Cockpit's login page", lambda: self.all("iframe[name='" + FRAME + "']"))

    def admin_access(self, password):
        """Cockpit's "Limited access" button and its dialog: sudo with the login password."""
        self.d.switch_to.default_content()
        btn = self.wait("Cockpit offers administrative access", lambda: self.all("button.ct-locked"))
        if not btn:
            return
        btn[0].click()
        pw = self.wait("... asking for the password", lambda: self.all("#switch-to-admin-access-password"))
        pw[0].send_keys(password)
        self.css(".pf-c-modal-box button.pf-m-primary").click()
        self.wait("... and the session has administrative access", lambda: self.all("button.ct-unlocked"))

    def frame(self):
        self.d.switch_to.default_content()
        WebDriverWait(self.d, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "iframe[name='" + FRAME + "']"))
        self.d.switch_to.frame(FRAME)

    def shot(self, name):
        """A screenshot of the whole Cockpit window (the page in its shell)."""
        self.d.switch_to.default_content()
        path = os.path.join(self.shots, name)
        self.d.save_screenshot(path)
        print(f"screenshot: {path}", flush=True)
        self.frame()

    def row(self, app):
        return f"tr[data-app='{app}']"

    def dump(self):
        try:
            self.frame()
            print("--- page text ---\n" + self.css("body").text)
        except WebDriverException:
            pass
        for entry in self.d.get_log("browser"):
            if entry.get("level") in ("SEVERE", "WARNING"):
                print("console:", entry.get("message"))


def admin(user, password, shots, publish_cmd):
    d = browser()
    p = Page(d, shots)
    try:
        p.login(user, password)
        p.admin_access(password)
        p.frame()
        # The page reloads itself when access changes; wait for it, then mark this document: a
        # reload would lose the mark.
        p.wait("the overview lists the app example", lambda: p.all(p.row("example")))
        d.execute_script("window.upkeepTestMark = 'not reloaded'")
        p.wait("... running 1.0.0", lambda: p.text(p.row("example") + " [data-field=current]") == "1.0.0")
        p.wait("... with no banner of limited access", lambda: not p.css("#limited").is_displayed())
        p.wait("the app whose config has an error is shown, with upkeepd's reason",
               lambda: "broken: configuration not loaded" in p.text("#broken-configs")
               and "/etc/upkeep/apps/broken.app" in p.text("#broken-configs")
               and "Missing Source= in [App], refusing." in p.text("#broken-configs"))
        p.shot("overview-before.png")

        # --- Update from the detail page; the job ends; the new version shows ------------------
        p.click(p.row("example") + " a.up-name")
        p.wait("the detail page opens", lambda: p.all("#status") and "example" in p.text("#detail h1"))
        p.wait("... showing the unit and its state", lambda: "upkeep@example.service" in p.text("#status")
               and p.all("#status [data-unit-state='active']"))
        p.wait("... the line of its config upkeepd ignored",
               lambda: re.search(r"line \d+: Unknown key Flavor= in section \[App\], ignoring\.", p.text("#config-warnings")))
        p.wait("... and the journal of the app, with the catalog's explanation",
               lambda: p.all("#journal li[data-message-id] details"))
        p.click("#actions button[data-action=pause]")
        p.wait("Pause asks for a reason", lambda: p.css("#pause-reason").is_displayed())
        p.css("#pause-reason").send_keys("waiting for the database migration")
        p.click("#dialog-submit")
        p.wait("... and the app shows as paused, with it",
               lambda: p.text("#detail h1 [data-state]") == "paused"
               and "Paused\nyes (waiting for the database migration)" in p.text("#status"))
        p.click("#actions button[data-action=resume]")
        p.wait("Resume makes it up to date again", lambda: p.text("#detail h1 [data-state]") == "up to date")
        p.click("#actions button[data-action=update]")
        p.wait("the update dialog offers the newest version the policy allows",
               lambda: p.css("#dialog").is_displayed() and "newest version the policy allows" in p.text("#dialog"))
        start = time.monotonic()
        p.click("#dialog-submit")
        p.wait("the update ends: 'example updated to 1.1.0.'",
               lambda: "example updated to 1.1.0." in p.text("#result"), timeout=60)
        print(f"update seen done in the page {time.monotonic() - start:.1f} s after the click", flush=True)
        p.wait("the status shows 1.1.0 current and 1.0.0 previous",
               lambda: "Current\n1.1.0" in p.text("#status") and "Previous\n1.0.0" in p.text("#status"))
        p.wait("the history shows the update by an operator", lambda: "by an operator" in p.text("#history"))
        p.wait("the page was not reloaded", lambda: d.execute_script("return window.upkeepTestMark") == "not reloaded")
        p.wait("the releases of the channel are listed", lambda: "1.1.0" in p.text("#releases") and "running" in p.text("#releases"))
        p.click("#back")
        p.wait("the overview shows 1.1.0, up to date",
               lambda: p.text(p.row("example") + " [data-field=current]") == "1.1.0"
               and p.text(p.row("example") + " [data-state]") == "up to date")
        p.shot("overview.png")

        # --- A slow download: its progress shows, and it is canceled -----------------------------
        subprocess.run(publish_cmd, shell=True, check=True)
        p.click(p.row("example") + " a.up-name")
        p.wait("the detail page opens again", lambda: p.all("#actions button[data-action=update]"))
        p.click("#actions button[data-action=update]")
        p.wait("the update dialog opens", lambda: p.css("#dialog").is_displayed())
        p.click("#dialog-submit")
        p.wait("the update to the newest release (1.3.0, 8 MiB at 1 MiB/s) shows its progress as it grows",
               lambda: 0 < int(p.css("#job [role=progressbar]").get_attribute("aria-valuenow")) < 100, timeout=20)
        p.click("#job button[data-action=cancel]")
        p.wait("Cancel ends it: 'example: update canceled.'", lambda: "example: update canceled." in p.text("#result"), timeout=20)
        p.wait("... and 1.1.0 still runs", lambda: "Current\n1.1.0" in p.text("#status") and not p.all("#job"))

        # --- A chosen release that crashes: the page shows the rollback and the pause -------------
        p.click("#actions button[data-action=update]")
        p.wait("the update dialog offers the channel's releases, 1.2.0 among them",
               lambda: p.all("#dialog input[name=version][value='1.2.0']"))
        p.click("#dialog input[name=version][value='1.2.0']")
        p.click("#dialog-submit")
        p.wait("1.2.0 crashes during its trial and is rolled back: the page says why",
               lambda: "example rolled back:" in p.text("#result") and "1.2.0 failed its trial" in p.text("#result"),
               timeout=60)
        p.wait("the app shows as paused", lambda: p.text("#detail h1 [data-state]") == "paused")
        p.wait("... with the reason", lambda: "Paused\nyes (" in p.text("#status") and "1.2.0 failed its trial" in p.text("#status"))
        p.wait("... 1.1.0 runs again", lambda: "Current\n1.1.0" in p.text("#status"))
        p.wait("the journal shows the catalogued rollback",
               lambda: p.all("#journal li[data-message-id='61a9e5eb076d493e8bc0598acddb3a6a']"), timeout=20)
        p.wait("the page was still not reloaded", lambda: d.execute_script("return window.upkeepTestMark") == "not reloaded")
        # The explanation of the rollback, open, for the screenshot.
        p.click("#journal li[data-message-id='61a9e5eb076d493e8bc0598acddb3a6a'] summary")
        d.execute_script("window.scrollTo(0, 0)")
        p.shot("detail.png")

        # --- Resume, Check all stages the newest release, Apply switches to it --------------------
        p.click("#actions button[data-action=resume]")
        p.wait("Resume: automatic updates again", lambda: p.text("#detail h1 [data-state]") != "paused")
        p.click("#back")
        p.click("#check-all")
        p.wait("Check all: the overview shows the download's progress",
               lambda: 0 < int(p.css(p.row("example") + " [role=progressbar]").get_attribute("aria-valuenow")) < 100, timeout=20)
        p.shot("overview-progress.png")
        p.wait("Check all stages 1.3.0 as pending, shown in the overview",
               lambda: p.text(p.row("example") + " [data-field=pending]") == "1.3.0", timeout=40)
        p.click(p.row("example") + " a.up-name")
        p.click("#actions button[data-action=apply]", "the detail page offers to apply 1.3.0")
        p.wait("Apply ends: 'example updated to 1.3.0.'", lambda: "example updated to 1.3.0." in p.text("#result"), timeout=60)
        p.wait("... 1.3.0 runs, nothing pending", lambda: "Current\n1.3.0" in p.text("#status") and "Pending\n" not in p.text("#status"))
        p.wait("the page was never reloaded", lambda: d.execute_script("return window.upkeepTestMark") == "not reloaded")
    except Stopped:
        pass
    except (WebDriverException, subprocess.CalledProcessError) as e:
        fail(f"the admin's session broke off: {e}")
    if failures:
        p.dump()
    d.quit()


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)


def empty_and_broken(p):
    """The page when there is nothing to show, or no upkeepd to ask."""
    paused = subprocess.run(["busctl", "get-property", "org.upkeep1", "/org/upkeep1/app/example", "org.upkeep1.App", "Paused"],
                            capture_output=True, text=True).stdout.strip()
    if paused == "b false":
        ok("upkeepd agrees: the refused Pause changed nothing")
    else:
        fail(f"the refused Pause changed something: Paused is {paused!r}")
    # The apps go; upkeepd reads its configs again: the page empties as it watches.
    sh("rm /etc/upkeep/apps/*.app && busctl call org.upkeep1 /org/upkeep1 org.upkeep1.Manager Reload")
    p.click("#back")
    p.wait("with no app, the page says how to add one", lambda: "No apps are managed yet" in p.text("#no-apps"))
    p.shot("empty.png")
    p.click("#man-link")
    p.wait("... and shows upkeep.app(5)", lambda: "Source=" in p.text("#man-text") and "upkeep.app" in p.text("#man-text"))
    p.click("#dialog-submit")
    # upkeepd cannot be started.
    sh("systemctl stop upkeepd.service && systemctl mask upkeepd.service")
    p.d.get(URL + "/upkeep")
    p.frame()
    p.wait("when upkeepd fails to start, the page says so, and why",
           lambda: "upkeepd is not running" in p.text("#daemon-failed") and "upkeepd.service is masked." in p.text("#daemon-failed"))
    # upkeep is not installed: no service on the bus provides org.upkeep1.
    sh("rm /usr/share/dbus-1/system-services/org.upkeep1.service && "
       "busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig")
    p.d.get(URL + "/upkeep")
    p.frame()
    p.wait("when upkeep is not installed, the page says so", lambda: "upkeep is not installed" in p.text("#daemon-missing"))


def user(name, password, shots, states=""):
    d = browser()
    p = Page(d, shots)
    try:
        p.login(name, password)
        p.frame()
        p.wait("an ordinary user sees the apps", lambda: p.all(p.row("example")))
        p.wait("... with their versions", lambda: p.text(p.row("example") + " [data-field=current]") == "1.3.0")
        p.wait("... and states", lambda: p.text(p.row("example") + " [data-state]") == "up to date")
        p.wait("... and is told the page is read-only for them", lambda: p.css("#limited").is_displayed())
        p.click(p.row("example") + " a.up-name")
        p.wait("the detail page shows the status and history",
               lambda: "Current\n1.3.0" in p.text("#status") and "rollback" in p.text("#history"))
        p.click("#actions button[data-action=pause]")
        p.wait("Pause asks for a reason", lambda: p.css("#pause-reason").is_displayed())
        p.css("#pause-reason").send_keys("trying")
        p.click("#dialog-submit")
        p.wait("Pause is refused by polkit, said in words",
               lambda: "Pause example: not permitted." in p.text("#result"), timeout=20)
        p.wait("... with polkit's own message", lambda: "polkit: " in p.text("#result")
               and "org.upkeep1.manage" in p.text("#result"))
        p.wait("... and the app is not paused", lambda: p.text("#detail h1 [data-state]") == "up to date")
        p.shot("refused.png")
        p.click("#status a.up-unit-link")
        p.d.switch_to.default_content()
        p.wait("the unit's link opens it in Cockpit's Services page",
               lambda: "/system/services#/upkeep@example.service" in p.d.current_url)
        p.d.back()
        p.frame()
        p.wait("... and back", lambda: p.all("#status"))
        if states:
            empty_and_broken(p)
    except Stopped:
        pass
    except WebDriverException as e:
        fail(f"the user's session broke off: {e}")
    if failures:
        p.dump()
    d.quit()


def main():
    start = time.monotonic()
    if sys.argv[1] == "admin":
        admin(*sys.argv[2:6])
    else:
        user(*sys.argv[2:6])
    print(f"{sys.argv[1]} session: {time.monotonic() - start:.1f} s, {failures} failure(s)", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
