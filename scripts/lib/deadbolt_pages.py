"""A minimal scripted browser for deadbolt-server's pages, for the deployment, fault and load scripts.

It keeps cookies (the server's are all __Host-, Secure: sent here over http://127.0.0.1 too, as Chromium does),
sends Origin on every POST, reads each page's CSRF token and its form's action, and walks a sign-in by answering
whatever step the page asks for. Nothing here is a test by itself; the scripts assert.
"""

import http.client
import re
import ssl
import subprocess
import time
import urllib.parse

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]+)"')
CODE = re.compile(r"\b(\d{6})\b")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name lower-case, value)
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    @property
    def action(self):
        """The first form's action on the page (the step it asks for), or None."""
        match = FORM_ACTION.search(self.body)
        return match.group(1) if match else None


class Browser:
    """One person's browser: its own cookies, one connection at a time to `base` (http:// or https://)."""

    def __init__(self, base, cafile=None, source_address=None, timeout=60):
        url = urllib.parse.urlsplit(base)
        self.origin = f"{url.scheme}://{url.netloc}"
        self.https = url.scheme == "https"
        self.host = url.hostname
        self.port = url.port or (443 if self.https else 80)
        self.context = ssl.create_default_context(cafile=cafile) if self.https else None
        self.source_address = (source_address, 0) if source_address else None
        self.timeout = timeout
        self.cookies = {}
        self.csrf = None
        self.connection = None

    def _connect(self):
        if self.https:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self.context, source_address=self.source_address)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout, source_address=self.source_address)

    def request(self, method, path, fields=None, headers=None):
        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        sent = {"Accept": "text/html"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
        sent.update(headers or {})
        for attempt in range(2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.request(method, path, body=body, headers=sent)
                raw = self.connection.getresponse()
                data = raw.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                # A keep-alive connection the server or proxy closed while idle: reconnect once.
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        response = Response(raw.status, [(k.lower(), v) for k, v in raw.getheaders()], data.decode("utf-8", "replace"))
        if raw.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        for key, value in response.headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or cookie_value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        match = CSRF.search(response.body)
        if match:
            self.csrf = match.group(1)
        return response

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields, headers=None):
        return self.request("POST", path, dict(fields, csrf=self.csrf or ""), headers=headers)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def latest_code(read_messages, destination, after=0.0, wait=30.0, exclude=()):
    """The 6-digit code in the newest message to `destination` that arrived after `after` (seconds since the epoch),
    is not in `exclude` (codes seen before it was asked for), waiting up to `wait` seconds for the outbox to deliver
    it. `read_messages()` yields (arrived, to, body)."""
    deadline = time.time() + wait
    while time.time() < deadline:
        found = [m for m in read_messages() if m[1] == destination and m[0] >= after]
        for arrived, _, body in sorted(found, reverse=True):
            match = CODE.search(body)
            if match and match.group(1) not in exclude:
                return match.group(1)
        time.sleep(0.2)
    raise TimeoutError(f"no code for {destination} within {wait} s")


def codes_sent(read_messages, destination):
    """Every code already in a message to `destination`: what a code asked for now must not be mistaken for (the
    outbox may deliver the new one a moment after the step that sends it answers)."""
    return {match.group(1) for _, to, body in read_messages() if to == destination for match in [CODE.search(body)]
            if match}


def maildir_messages(folder):
    """(arrived, recipient, decoded body) for every message in a Maildir's new/ (what the SMTP test server wrote)."""
    import email
    import email.policy
    import os

    out = []
    new = os.path.join(folder, "new")
    for name in os.listdir(new) if os.path.isdir(new) else []:
        path = os.path.join(new, name)
        with open(path, "rb") as file:
            message = email.message_from_binary_file(file, policy=email.policy.default)
        recipient = message.get("X-Test-Envelope-To", "") or str(message.get("To", ""))
        out.append((os.path.getmtime(path), recipient.strip(), message.get_content()))
    return out


def mailbox_messages(folder):
    """(arrived, recipient, decoded body) for every .eml in the development mailbox (text messages are addressed
    to <number>@sms.invalid there)."""
    import email
    import email.policy
    import os

    out = []
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if not name.endswith(".eml"):
            continue
        path = os.path.join(folder, name)
        with open(path, "rb") as file:
            message = email.message_from_binary_file(file, policy=email.policy.default)
        out.append((os.path.getmtime(path), str(message.get("To", "")).strip(), message.get_content()))
    return out


def sign_up(browser, email, password, read_messages):
    """Creates an account through the pages: the form, then the emailed code."""
    started = time.time() - 1
    browser.get("/sign-up")
    page = browser.post("/sign-up", {"email": email, "password": password})
    if page.action != "/sign-up/confirm":
        raise AssertionError(f"sign-up answered {page.status} with form {page.action}")
    code = latest_code(read_messages, email, after=started)
    page = browser.post("/sign-up/confirm", {"code": code})
    if page.status >= 400:
        raise AssertionError(f"confirming the sign-up code answered {page.status}")
    return page


def verify_identity(admin_command, email, phone=None):
    """Runs `deadbolt-server admin verify-identity EMAIL` (admin_command is the argv up to 'admin')."""
    facts = f"phone: {phone}\n" if phone else ""
    subprocess.run(admin_command + ["admin", "verify-identity", email], input=facts.encode(), check=True,
                   stdout=subprocess.DEVNULL)


def sign_in(browser, email, password, pin, read_messages=None, remember=True, on_step=None, max_steps=12):
    """Walks sign-in from the email form to the account page, answering each step the server asks for (password,
    PIN or a first PIN, a second factor by email code). `on_step(path, response)` sees every step's answer.
    Returns the final response (303 to /account) or raises AssertionError with the step that failed."""
    started = time.time() - 1
    earlier_codes = codes_sent(read_messages, email) if read_messages else set()
    browser.get("/sign-in")
    path, fields = "/sign-in", {"email": email}
    for _ in range(max_steps):
        page = browser.post(path, fields)
        if on_step:
            on_step(path, page)
        if page.status == 303 and (page.header("location") or "").endswith("/account"):
            return page
        if page.status >= 400 or page.action is None:
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.body, re.S)
            raise AssertionError(
                f"step {path} answered {page.status} (next form: {page.action}; page: "
                f"{heading.group(1).strip() if heading else 'no heading'})")
        path = page.action
        if path == "/sign-in/password":
            fields = {"password": password}
        elif path == "/sign-in/pin":
            fields = {"pin": pin}
        elif path == "/sign-in/new-pin":
            fields = {"pin": pin, "pin-again": pin}
        elif path == "/sign-in/second-factor/choose":
            fields = {"method": "email"}
            if remember:
                fields["remember"] = "on"
        elif path == "/sign-in/second-factor":
            if read_messages is None:
                raise AssertionError("a second factor was asked for and no mailbox was given")
            fields = {"code": latest_code(read_messages, email, after=started, exclude=earlier_codes),
                      "method": "sent"}
            if remember:
                fields["remember"] = "on"
        else:
            raise AssertionError(f"unexpected step {path}")
    raise AssertionError("sign-in did not finish")
