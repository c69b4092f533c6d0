"""The JSON API against its OpenAPI 3.1 document (Sources/DeadboltServer/openapi.json): every route in the
document exists on the server, and every response these tests receive validates against the document's schema for
that path, method and status (jsonschema, draft 2020-12, which OpenAPI 3.1 schemas are)."""

import json
import re
import uuid

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from deadbolt_harness import SERVICE_DIR

DOCUMENT = json.loads((SERVICE_DIR / "Sources" / "DeadboltServer" / "openapi.json").read_text())
EMAIL = "grace@example.com"
PASSWORD = "an unremarkable sentence of words"
FACTS = "birth-date: 1985-11-30\nssn-last-four: 4321\nphone: +12025550199\n"


def test_document_is_valid_openapi_31():
    validate_spec(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


class API:
    """Calls the server and checks each response against the document."""

    def __init__(self, server):
        self.server = server
        self.session = requests.Session()
        self.client_id = "api-test-" + uuid.uuid4().hex
        self.checked = []

    def call(self, method, path, body=None, token=None, expect=200, headers=None):
        sent = {"Deadbolt-Client": self.client_id}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        response = self.session.request(method, self.server.url + path, json=body, headers=sent, timeout=30)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        self.validate(method, path, response)
        return response.json() if response.content else None

    def validate(self, method, path, response):
        operation = DOCUMENT["paths"][path.split("?")[0]][method.lower()]
        described = operation["responses"].get(str(response.status_code))
        assert described, f"{method} {path} answered {response.status_code}, which the document does not describe"
        content = described.get("content")
        if not content:
            assert not response.content, f"{method} {path} {response.status_code} has an undescribed body"
            return
        media = response.headers["Content-Type"].split(";")[0]
        assert media in content, f"{method} {path} {response.status_code} answered {media}"
        schema = dict(content[media]["schema"])
        schema["components"] = DOCUMENT["components"]
        Draft202012Validator(schema).validate(response.json())
        if media == "application/problem+json":
            assert response.json()["type"].startswith("urn:deadbolt:problem:")
        self.checked.append((method, path, response.status_code))


def test_every_documented_route_exists(server):
    for path, operations in DOCUMENT["paths"].items():
        for method in operations:
            response = requests.request(method.upper(), server.url + path, timeout=30)
            assert response.status_code not in (404, 405), f"{method.upper()} {path} is in the document but not served"


def test_flows_validate_against_the_document(server):
    api = API(server)

    # Sign up and confirm with the emailed code.
    refused = api.call("POST", "/api/v1/sign-up", {"email": EMAIL, "password": "short"}, expect=422)
    assert refused["violations"]
    step = api.call("POST", "/api/v1/sign-up", {"email": EMAIL, "password": PASSWORD})
    assert step["next"] == "confirm-email"
    code = server.mailbox_code(EMAIL, "confirm your email")
    wrong = api.call("POST", "/api/v1/sign-up/confirm", {"stepToken": step["stepToken"], "code": "000000" if code != "000000" else "111111"}, expect=401)
    assert wrong["type"] == "urn:deadbolt:problem:wrong-credentials"
    assert api.call("POST", "/api/v1/sign-up/confirm", {"stepToken": step["stepToken"], "code": code})["next"] == "sign-in"

    # Before verification: a limited session.
    step = api.call("POST", "/api/v1/sign-in", {"email": EMAIL})
    wrong = api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["stepToken"], "password": "not the password at all"}, expect=401)
    assert wrong["field"] == "password"
    answer = api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["stepToken"], "password": PASSWORD})
    assert answer["next"] == "signed-in" and answer["session"]["access"] == "identity-verification-pending"
    account = api.call("GET", "/api/v1/account", token=answer["session"]["token"])
    assert account["access"] == "identity-verification-pending"

    verified = server.admin("verify-identity", EMAIL, stdin=FACTS)
    assert verified.returncode == 0, verified.stderr

    # First PIN: refused with every reason, then accepted; then the second factor by email.
    step = api.call("POST", "/api/v1/sign-in", {"email": EMAIL})
    step = api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["stepToken"], "password": PASSWORD})
    assert step["next"] == "new-pin"
    refused = api.call("POST", "/api/v1/sign-in/new-pin", {"stepToken": step["stepToken"], "pin": "1234"}, expect=422)
    assert len(refused["violations"]) >= 1
    step = api.call("POST", "/api/v1/sign-in/new-pin", {"stepToken": step["stepToken"], "pin": "738261"})
    if step["next"] == "second-factor":
        assert "email" in step["choices"]
        step = api.call("POST", "/api/v1/sign-in/second-factor/send", {"stepToken": step["stepToken"], "channel": "email"})
        assert step["next"] == "code" and step["sentTo"]
        code = server.mailbox_code(EMAIL, "sign-in code")
        step = api.call("POST", "/api/v1/sign-in/second-factor", {"stepToken": step["stepToken"], "method": "sent", "code": code})
    assert step["next"] == "signed-in" and step["session"]["access"] == "full"
    token = step["session"]["token"]

    api.call("GET", "/api/v1/account", token=token)
    sessions = api.call("GET", "/api/v1/account/sessions", token=token)
    assert any(entry["current"] for entry in sessions["sessions"])
    activity = api.call("GET", "/api/v1/account/activity", token=token)
    assert {"account-created", "identity-verified", "pin-changed"} <= {entry["kind"] for entry in activity["entries"]}

    # Inside the session: devices, confirming it is the person, a new PIN (refused, then accepted), recovery codes.
    assert api.call("GET", "/api/v1/account/devices", token=token)["devices"] == []
    wrong = api.call("POST", "/api/v1/account/reauthenticate", {"password": PASSWORD, "pin": "000000"}, token=token, expect=401)
    assert wrong["field"] == "pin"
    confirmed = api.call("POST", "/api/v1/account/reauthenticate", {"password": PASSWORD, "pin": "738261"}, token=token)
    assert confirmed["until"] > 0
    refused = api.call("POST", "/api/v1/account/pin", {"pin": "1111"}, token=token, expect=422)
    assert refused["type"] == "urn:deadbolt:problem:credential-refused" and refused["violations"]
    api.call("POST", "/api/v1/account/pin", {"pin": "592847"}, token=token, expect=204)
    codes = api.call("POST", "/api/v1/account/recovery-codes", token=token)["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    refused = api.call("POST", "/api/v1/account/password", {"password": "short"}, token=token, expect=422)
    assert refused["field"] == "password" and refused["violations"]
    api.call("POST", "/api/v1/account/password", {"password": PASSWORD + " and more"}, token=token, expect=204)
    api.call("POST", "/api/v1/account/devices/forget", {"id": "not a device id"}, token=token, expect=400)

    # A step token is single use, and a session token is worthless once signed out.
    api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["session"]["token"][:43], "password": PASSWORD}, expect=410)
    api.call("POST", "/api/v1/sign-out", token=token, expect=204)
    gone = api.call("GET", "/api/v1/account", token=token, expect=401)
    assert gone["type"] == "urn:deadbolt:problem:unauthenticated"

    # Forgot PIN answers the same shape for an unknown address.
    known = api.call("POST", "/api/v1/forgot-pin", {"email": EMAIL})
    unknown = api.call("POST", "/api/v1/forgot-pin", {"email": "nobody@example.com"})
    assert known["next"] == unknown["next"] == "channel"

    # Malformed input is a typed problem, never a crash.
    api.call("POST", "/api/v1/sign-in", {"mail": EMAIL}, expect=400)
    api.call("POST", "/api/v1/sign-in", {"email": "not an address"}, expect=400)
    api.call("POST", "/api/v1/sign-in", {"email": "x" * 20000 + "@example.com"}, expect=413)
    assert len(api.checked) >= 20


def test_api_refuses_cross_site_cookie_calls(server):
    response = requests.post(
        server.url + "/api/v1/sign-out", headers={"Origin": "https://evil.example", "Cookie": "__Host-deadbolt-session=x"}, timeout=30)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:deadbolt:problem:cross-site-request"


def test_lost_pin_and_password_needs_the_operators_reenrollment_code(server):
    """Verified again by the operator after losing both: the old password is void, and Forgot password asks for the
    one-time code the operator was shown, after the emailed code, before a new password."""
    api = API(server)
    email = "lin@example.com"
    step = api.call("POST", "/api/v1/sign-up", {"email": email, "password": PASSWORD})
    code = server.mailbox_code(email, "confirm your email")
    api.call("POST", "/api/v1/sign-up/confirm", {"stepToken": step["stepToken"], "code": code})
    assert server.admin("verify-identity", email, stdin=FACTS).returncode == 0

    again = server.admin("verify-identity", email, stdin=FACTS)
    assert again.returncode == 0, again.stderr
    match = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{5})\b", again.stdout)
    assert match, "the operator is not shown a re-enrollment code"
    reenrollment = match.group(1)

    step = api.call("POST", "/api/v1/sign-in", {"email": email})
    api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["stepToken"], "password": PASSWORD}, expect=401)

    step = api.call("POST", "/api/v1/forgot-password", {"email": email})
    step = api.call("POST", "/api/v1/recovery", {"flow": "password", "stepToken": step["stepToken"], "channel": "email"})
    code = server.mailbox_code(email, "reset your password")
    step = api.call("POST", "/api/v1/recovery", {"flow": "password", "stepToken": step["stepToken"], "code": code})
    assert step["next"] == "reenrollment-code"
    wrong = api.call("POST", "/api/v1/recovery", {"flow": "password", "stepToken": step["stepToken"], "reenrollmentCode": "AAAA-AAAA-AAAAA"}, expect=401)
    assert wrong["field"] == "code"
    step = api.call("POST", "/api/v1/recovery", {"flow": "password", "stepToken": step["stepToken"], "reenrollmentCode": reenrollment.lower()})
    assert step["next"] == "new-password"
    new_password = "a different sentence entirely"
    assert api.call("POST", "/api/v1/recovery/new-password", {"flow": "password", "stepToken": step["stepToken"], "password": new_password})["next"] == "sign-in"

    step = api.call("POST", "/api/v1/sign-in", {"email": email})
    assert api.call("POST", "/api/v1/sign-in/password", {"stepToken": step["stepToken"], "password": new_password})["next"] == "new-pin"
