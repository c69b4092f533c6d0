"""Shared by the Python tests of deadbolt-server: a real server process on the embedded default (no flags but
--port) in a temporary working folder, and the operator's admin command against the same data folder."""

import os
import re
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

SERVICE_DIR = pathlib.Path(__file__).resolve().parents[1]


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

    def mailbox_code(self, address, subject_contains, used=()):
        """The newest 6-digit code the development mailbox holds for `address` under a subject containing
        `subject_contains`, not in `used` (waiting up to 20 s for the outbox worker)."""
        folder = os.path.join(self.folder, "deadbolt-data", "mailbox")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            names = sorted(os.listdir(folder), reverse=True) if os.path.isdir(folder) else []
            for name in names:
                with open(os.path.join(folder, name), encoding="utf-8", newline="") as message:
                    text = message.read()
                head, _, body = text.partition("\r\n\r\n")
                to_lines = [line for line in head.split("\r\n") if line.lower().startswith("to:")]
                if any(address in line for line in to_lines) and subject_contains.lower() in head.lower():
                    match = re.search(r"\b(\d{6})\b", body)
                    if match and match.group(1) not in used:
                        return match.group(1)
                    break
            time.sleep(0.3)
        raise AssertionError(f"no new {subject_contains!r} code for {address} in the mailbox")

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


