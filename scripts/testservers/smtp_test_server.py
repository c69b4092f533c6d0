"""A real SMTP server for the transport tests, on 127.0.0.1 only (aiosmtpd from PyPI).

Three listeners share one handler that writes every accepted message into a Maildir, exactly as received, after
four trace headers the tests read to see how it arrived:

  X-Test-Envelope-From, X-Test-Envelope-To   the envelope (MAIL FROM, RCPT TO)
  X-Test-TLS                                 "yes" when the session was encrypted (STARTTLS or implicit TLS)
  X-Test-Auth                                the user name that authenticated, or "none"

  --plain-port     plain SMTP: no STARTTLS offered, no AUTH
  --offer-port     STARTTLS offered but not required, no AUTH
  --starttls-port  STARTTLS offered and required before MAIL; AUTH required (only after STARTTLS)
  --implicit-port  TLS from the first byte; AUTH required

Recipients at reject.invalid are refused with 550 and at tempfail.invalid with 451 (RFC 5321 §4.2.2), so the tests
can see how permanent and temporary refusals are reported.
"""

import argparse
import mailbox
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class MaildirHandler:
    def __init__(self, maildir):
        os.makedirs(maildir, exist_ok=True)
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        self.maildir = mailbox.Maildir(maildir, create=False)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain == "reject.invalid":
            return "550 5.1.1 mailbox unavailable (test rule)"
        if domain == "tempfail.invalid":
            return "451 4.3.0 try again later (test rule)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        user = "none"
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            user = session.auth_data.login.decode("utf-8", "replace")
        trace = (
            f"X-Test-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Test-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
            f"X-Test-TLS: {'yes' if server.transport.get_extra_info('sslcontext') is not None else 'no'}\r\n"
            f"X-Test-Auth: {user}\r\n"
        ).encode()
        with self.lock:
            self.maildir.add(trace + envelope.original_content)
        return "250 OK: queued"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    parser.add_argument("--offer-port", type=int, required=True)
    parser.add_argument("--starttls-port", type=int, required=True)
    parser.add_argument("--implicit-port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    options = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(options.cert, options.key)
    handler = MaildirHandler(options.maildir)
    check = authenticator(options.user, options.password)
    controllers = [
        Controller(handler, hostname="127.0.0.1", port=options.plain_port),
        Controller(handler, hostname="127.0.0.1", port=options.offer_port, tls_context=context),
        Controller(
            handler,
            hostname="127.0.0.1",
            port=options.starttls_port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=check,
        ),
        Controller(
            handler,
            hostname="127.0.0.1",
            port=options.implicit_port,
            ssl_context=context,
            auth_required=True,
            # aiosmtpd does not count implicit TLS as TLS for this check; the whole session is encrypted anyway.
            auth_require_tls=False,
            authenticator=check,
        ),
    ]
    for controller in controllers:
        controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("smtp test server ready", flush=True)
    stop.wait()
    for controller in controllers:
        controller.stop()


if __name__ == "__main__":
    main()
