"""The browser journey's harness: a real deadbolt-server on the embedded default in a temporary folder, and
Debian's Chromium driven by Selenium (offline: SE_OFFLINE=true, so Selenium Manager downloads nothing).

Every page the journey visits is saved as a screenshot under .build-browser/screenshots/ (git-ignored), and the
test fails on any console error or Content-Security-Policy violation the browser reports.
"""

import os
import re
import shutil
import tempfile

import pytest

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

from deadbolt_harness import SERVICE_DIR  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402


def replaced(element):
    """Whether `element`'s page has been replaced by the next one. Chromium answers a probe of a node whose document
    is being torn down either as a stale element or, during the navigation itself, with the inspector error "Node
    with given id does not belong to the document" (seen in CI); both mean the old page is gone."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise

SCREENSHOTS = SERVICE_DIR / ".build-browser" / "screenshots"


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
        page = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        WebDriverWait(self.driver, 30).until(lambda _: replaced(page))

    def heading(self):
        headings = self.driver.find_elements(By.TAG_NAME, "h1")
        return headings[0].text if headings else f"(no heading at {self.driver.current_url}: {self.driver.page_source[:300]})"

    def text(self):
        main = self.driver.find_elements(By.TAG_NAME, "main")
        return main[0].text if main else self.driver.page_source[:500]

    def quit(self):
        self.check_console()
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)


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
