"""The browser journey's harness: a real deadbolt-server on the embedded default in a temporary folder, and
Debian's Chromium driven by Selenium (offline: SE_OFFLINE=true, so Selenium Manager downloads nothing).

Every page the journey visits is saved as a screenshot under .build-browser/screenshots/ (git-ignored), and the
test fails on any console error or Content-Security-Policy violation the browser reports.
"""

import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SERVICE_DIR = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = SERVICE_DIR / ".build-browser" / "screenshots"


def server_binary():
    """The deadbolt-server built by `swift build` (debug unless DEADBOLT_SERVER_BIN names another)."""
    explicit = os.environ.get("DEADBOLT_SERVER_BIN")
    if explicit:
        return explicit
    bin_path = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=SERVICE_DIR, check=True, capture_output=True, text=True
    ).stdout.strip()
    return os.path.join(bin_path, "deadbolt-server")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A deadbolt-server process started with no flags but --port, in its own working folder."""

    def __init__(self, binary, folder):
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(folder, "server.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port)],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.banner = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            if "/dev/mailbox" in line:
                return
        self.stop()
        raise RuntimeError("the server did not start: " + "\n".join(self.banner) + self.read_log())

    def read_log(self):
        with open(os.path.join(self.folder, "server.log")) as log:
            return log.read()

    def admin(self, *arguments, stdin=""):
        """Runs `deadbolt-server admin ...` against the same data folder, as an operator would."""
        return subprocess.run(
            [self.binary, "admin", *arguments], cwd=self.folder, input=stdin, capture_output=True, text=True, timeout=60
        )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def server():
    folder = tempfile.mkdtemp(prefix="deadbolt-browser-")
    running = Server(server_binary(), folder)
    yield running
    running.stop()
    assert running.process.returncode == 0, "the server did not stop cleanly on SIGTERM:\n" + running.read_log()
    shutil.rmtree(folder, ignore_errors=True)


class Person:
    """One person at one browser: a fresh Chromium profile, with screenshots and console checks on every page."""

    counter = 0

    def __init__(self, name, server):
        self.name = name
        self.server = server
        self.profile = tempfile.mkdtemp(prefix=f"deadbolt-profile-{name}-")
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,1100",
                         f"--user-data-dir={self.profile}", "--no-first-run", "--disable-background-networking"):
            options.add_argument(argument)
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)

    def open(self, path):
        self.driver.get(self.server.url + path)
        return self

    def shot(self, label):
        """Saves a screenshot of the current page and fails on console errors or CSP violations so far."""
        Person.counter += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{label}".lower()).strip("-")
        height = self.driver.execute_script("return document.documentElement.scrollHeight") or 1100
        self.driver.set_window_size(1000, max(700, min(int(height) + 40, 4000)))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{Person.counter:03d}-{slug}.png"))
        self.check_console()

    def check_console(self):
        problems = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] in ("SEVERE", "ERROR") or "Content Security Policy" in entry["message"]
        ]
        assert not problems, f"{self.name}: the browser reported: {problems}"

    def field(self, name):
        return self.driver.find_element(By.NAME, name)

    def fill(self, **values):
        for name, value in values.items():
            element = self.field(name)
            element.clear()
            element.send_keys(value)

    def submit(self, label=None):
        """Clicks the form's submit button (by its text when given), then waits for the next page."""
        if label:
            button = self.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']")
        else:
            button = self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
        button.click()

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "main").text

    def quit(self):
        self.check_console()
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def people(server):
    created = []

    def make(name):
        person = Person(name, server)
        created.append(person)
        return person

    yield make
    for person in created:
        person.quit()
