"""The whole journey of issue 11 in a real browser (Chromium), against a server on the embedded default: sign up,
confirm the email with the code from the development mailbox, have the identity verified by the operator command,
choose a PIN (1234 refused with its reason), sign in on a new browser (second factor asked), sign in with
"remember this device" and again (not asked), six wrong PINs (locked, told when), Forgot PIN (code, new PIN, other
sessions ended), enroll an authenticator (the code computed from the QR's secret with oathtool), review activity,
sign out, sign out everywhere.
"""

import re
import subprocess
import time

from selenium.webdriver.common.by import By

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery staple"
FACTS = "birth-date: 1990-04-12\nssn-last-four: 6789\nphone: +12025550143\n"


USED_CODES = set()


def mailbox_code(person, address, subject_word, shot=None):
    """Reads the newest code sent to `address` from the /dev/mailbox page, as a person would, waiting for the
    outbox worker to deliver a code not seen before."""
    flow_tab = person.driver.current_window_handle
    person.driver.switch_to.new_window("tab")
    try:
        code = read_new_code(person, address, subject_word)
        if shot:
            person.shot(shot)
        return code
    finally:
        person.driver.close()
        person.driver.switch_to.window(flow_tab)


def read_new_code(person, address, subject_word):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        person.open("/dev/mailbox")
        for article in person.driver.find_elements(By.CSS_SELECTOR, ".mailbox article"):
            header = article.find_element(By.TAG_NAME, "h2").text + " " + article.find_element(By.CSS_SELECTOR, ".meta").text
            if address in header and subject_word.lower() in header.lower():
                match = re.search(r"\b(\d{6})\b", article.find_element(By.TAG_NAME, "pre").text)
                if match and match.group(1) not in USED_CODES:
                    USED_CODES.add(match.group(1))
                    return match.group(1)
                break
        time.sleep(0.5)
    raise AssertionError(f"no new {subject_word!r} message with a code for {address} in the mailbox")


def sign_in_until(person, email=EMAIL, password=PASSWORD, pin=None):
    person.open("/sign-in")
    person.shot("sign-in-email")
    person.fill(email=email)
    person.submit()
    assert person.heading() == "Enter your password", person.text()
    person.shot("sign-in-password")
    person.fill(password=password)
    person.submit()
    if pin is not None:
        assert person.heading() == "Enter your PIN", person.text()
        person.shot("sign-in-pin")
        person.fill(pin=pin)
        person.submit()


def second_factor_by_email(person, remember=False, label="second-factor"):
    assert person.heading() == "Confirm it is you", person.text()
    person.shot(f"{label}-choose")
    person.driver.find_element(By.ID, "choice-email").click()
    person.submit()
    assert person.heading() == "Enter your code", person.text()
    person.shot(f"{label}-code")
    code = mailbox_code(person, EMAIL, "sign-in code")
    person.fill(code=code)
    if remember:
        person.field("remember").click()
    person.submit()


USED_TOTP = set()


def totp_code(secret):
    """The authenticator's current code (oathtool, RFC 6238), waiting for a fresh 30-second step when this one's
    code was already used: the server accepts each step once."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        code = subprocess.run(["oathtool", "--totp", "--base32", secret], capture_output=True, text=True, check=True).stdout.strip()
        if code not in USED_TOTP:
            USED_TOTP.add(code)
            return code
        time.sleep(1)
    raise AssertionError("no fresh TOTP step within 40 seconds")


def second_factor_by_app(person, secret, remember=False, label="second-factor"):
    assert person.heading() == "Confirm it is you", person.text()
    person.shot(f"{label}-choose")
    person.driver.find_element(By.ID, "choice-app").click()
    person.submit()
    assert person.heading() == "Enter your code", person.text()
    person.shot(f"{label}-app-code")
    person.fill(code=totp_code(secret))
    if remember:
        person.field("remember").click()
    person.submit()


def test_journey(server, people):
    ada = people("ada")

    # Sign up, confirm with the emailed code.
    ada.open("/")
    ada.shot("start")
    ada.open("/sign-up")
    ada.shot("sign-up")
    ada.fill(email=EMAIL, password="short")
    ada.submit()
    assert "at least 12 characters" in ada.text().lower(), ada.text()
    ada.shot("sign-up-password-refused")
    ada.fill(email=EMAIL, password=PASSWORD)
    ada.submit()
    assert ada.heading() == "Check your email", ada.text()
    ada.shot("sign-up-confirm")
    code = mailbox_code(ada, EMAIL, "confirm your email", shot="mailbox")
    ada.fill(code=code)
    ada.submit()
    assert ada.heading() == "Your account is ready", ada.text()
    ada.shot("account-created")

    # Before verification: the password alone reaches only "verify your identity".
    sign_in_until(ada)
    assert ada.heading() == "Your account", ada.text()
    assert "Verify your identity" in ada.text()
    ada.shot("account-pending-verification")

    # The operator verifies the identity.
    verified = server.admin("verify-identity", EMAIL, "--approved-by", "journey-test", "--evidence", "ticket-1", stdin=FACTS)
    assert verified.returncode == 0, verified.stderr
    assert "Identity verified" in verified.stdout
    shown = server.admin("show", EMAIL)
    assert shown.returncode == 0, shown.stderr
    assert "needs-pin" in shown.stdout and "6789" not in shown.stdout and "1990" not in shown.stdout

    # Choose a PIN: 1234 is refused with its reason, then one is accepted.
    sign_in_until(ada)
    assert ada.heading() == "Choose your login PIN", ada.text()
    ada.shot("choose-pin")
    ada.fill(**{"pin": "1234", "pin-again": "1234"})
    ada.submit()
    assert ada.heading() == "Choose your login PIN"
    errors = ada.driver.find_element(By.ID, "field-pin-error").text
    assert errors, "the refused PIN shows its reasons"
    pin_field = ada.field("pin")
    assert pin_field.get_attribute("value") == "", "a PIN is never pre-filled"
    assert "field-pin-error" in pin_field.get_attribute("aria-describedby")
    assert pin_field.get_attribute("inputmode") == "numeric"
    ada.shot("choose-pin-refused")
    ada.fill(**{"pin": "738261", "pin-again": "738261"})
    ada.submit()
    if ada.heading() == "Confirm it is you":
        second_factor_by_email(ada, label="first-pin")
    assert ada.heading() == "Your account", ada.text()
    ada.shot("account")

    # Enroll an authenticator app: the code computed from the QR's secret (oathtool).
    ada.open("/account/authenticator")
    ada.shot("authenticator-intro")
    ada.submit()
    assert ada.heading() == "Set up an authenticator app", ada.text()
    assert ada.driver.find_element(By.CSS_SELECTOR, "svg.qr")
    ada.shot("authenticator-qr")
    secret = ada.driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    ada.fill(code=totp_code(secret))
    ada.submit()
    assert "authenticator app is set up" in ada.text(), ada.text()
    ada.shot("authenticator-added")
    ada.submit("Make recovery codes")
    assert ada.heading() == "Your recovery codes", ada.text()
    codes = [item.text for item in ada.driver.find_elements(By.CSS_SELECTOR, ".codes li")]
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code) for code in codes), codes
    ada.shot("recovery-codes")
    ada.open("/account")
    assert "10 left" in ada.text()

    # Confirming it is the person inside the session (what a change asks for 15 minutes after a sign-in): a wrong
    # PIN is told beside its field, the right one confirms.
    ada.open("/account/confirm")
    assert ada.heading() == "Enter your password and PIN again", ada.text()
    ada.fill(password=PASSWORD, pin="000000")
    ada.submit()
    assert "That PIN is not right." in ada.text(), ada.text()
    ada.shot("confirm-wrong-pin")
    ada.fill(password=PASSWORD, pin="738261")
    ada.submit()
    assert ada.heading() == "Your account" and "For the next 15 minutes" in ada.text(), ada.text()

    # A new browser profile: the second factor is asked.
    laptop = people("ada-laptop")
    sign_in_until(laptop, pin="738261")
    second_factor_by_app(laptop, secret, remember=True, label="laptop")
    assert laptop.heading() == "Your account", laptop.text()
    laptop.shot("laptop-account")
    # Remembered: the next sign-in on this browser is not asked for a second factor.
    laptop.driver.delete_cookie("__Host-deadbolt-session")
    sign_in_until(laptop, pin="738261")
    assert laptop.heading() == "Your account", laptop.text()
    laptop.shot("laptop-remembered")

    # Six wrong PINs: locked, and told when.
    carol = people("ada-phone")
    sign_in_until(carol)
    for attempt in range(6):
        if carol.heading() != "Enter your PIN":
            break
        carol.fill(pin="111111")
        carol.submit()
    assert carol.heading() == "Too many tries", carol.text()
    assert re.search(r"try again in \d+ (seconds|minutes)", carol.text()), carol.text()
    carol.shot("locked")

    # Forgot PIN: code, password, new PIN; other sessions end.
    carol.open("/forgot-pin")
    carol.shot("forgot-pin")
    carol.fill(email=EMAIL)
    carol.submit()
    assert carol.heading() == "Where should we send a code?", carol.text()
    carol.shot("forgot-pin-channel")
    carol.driver.find_element(By.ID, "choice-email").click()
    carol.submit()
    assert carol.heading() == "Enter the code", carol.text()
    code = mailbox_code(carol, EMAIL, "reset your PIN")
    carol.fill(code=code)
    carol.submit()
    assert carol.heading() == "Enter your password", carol.text()
    carol.fill(password=PASSWORD)
    carol.submit()
    assert carol.heading() == "Choose a new PIN", carol.text()
    carol.shot("forgot-pin-new")
    carol.fill(**{"pin": "592746", "pin-again": "592746"})
    carol.submit()
    assert carol.heading() == "Your PIN is changed", carol.text()
    carol.shot("forgot-pin-done")
    ada.open("/account")
    assert ada.heading() == "Sign in", "the other sessions ended"

    # Sign in again: the laptop's remembered device was forgotten with the reset, so it is asked again.
    sign_in_until(ada, pin="592746")
    # The reset lifted every lock on the account, this address's included.
    assert ada.heading() == "Confirm it is you", ada.text()
    second_factor_by_app(ada, secret, label="after-reset")
    assert ada.heading() == "Your account", ada.text()

    # Review activity.
    ada.open("/account/activity")
    activity = ada.text()
    for entry in ("Wrong PIN", "Locked after too many wrong tries", "PIN set or changed", "Authenticator app added", "Signed in"):
        assert entry in activity, f"{entry!r} missing from the activity page"
    ada.shot("activity")

    # Sign out, then sign out everywhere from another browser.
    ada.open("/account")
    ada.submit("Sign out")
    assert ada.heading() == "You are signed out", ada.text()
    ada.shot("signed-out")
    sign_in_until(laptop, pin="592746")
    second_factor_by_app(laptop, secret, label="laptop-again")
    assert laptop.heading() == "Your account", laptop.text()
    sign_in_until(carol, pin="592746")
    second_factor_by_app(carol, secret, label="phone-again")
    assert carol.heading() == "Your account", carol.text()
    carol.submit("Sign out everywhere")
    assert carol.heading() == "You are signed out everywhere", carol.text()
    carol.shot("signed-out-everywhere")
    laptop.open("/account")
    assert laptop.heading() == "Sign in", "sign out everywhere ended the laptop's session"
