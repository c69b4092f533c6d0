"""HOTP/TOTP helpers for Deadbolt's generators: a direct RFC 4226 computation with hmac,
pyotp, and the oathtool CLI (OATH Toolkit)."""
import base64
import hashlib
import hmac

import pyotp

from common import run

DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def hotp_direct(secret: bytes, counter: int, digits: int, hash_name: str) -> str:
    """RFC 4226 section 5.3 (dynamic truncation), written out here."""
    mac = hmac.new(secret, counter.to_bytes(8, "big"), DIGESTS[hash_name]).digest()
    off = mac[-1] & 0x0F
    code = int.from_bytes(mac[off:off + 4], "big") & 0x7FFFFFFF
    return str(code % 10 ** digits).zfill(digits)


class _HOTP(pyotp.HOTP):
    # pyotp refuses secrets under 112 bits by default; RFC 4226 section 4 asks for at least 128 but
    # 80-bit secrets exist in the wild (Key-Uri-Format's example), so codes for them are computed too.
    min_secret_length_bits = 0


class _TOTP(pyotp.TOTP):
    min_secret_length_bits = 0


def b32(secret: bytes) -> str:
    return base64.b32encode(secret).decode()


def hotp_pyotp(secret: bytes, counter: int, digits: int, hash_name: str) -> str:
    return _HOTP(b32(secret), digits=digits, digest=DIGESTS[hash_name]).at(counter)


def totp_pyotp(secret: bytes, time: int, period: int, t0: int, digits: int, hash_name: str) -> str:
    """pyotp.TOTP has no T0; with t0 != 0 the counter is computed here and pyotp.HOTP used.
    (Subclasses of pyotp.HOTP/TOTP with min_secret_length_bits = 0 so that 80-bit secrets work.)"""
    if t0 == 0:
        return _TOTP(b32(secret), digits=digits, digest=DIGESTS[hash_name], interval=period).at(time)
    return hotp_pyotp(secret, (time - t0) // period, digits, hash_name)


def hotp_oathtool_cmd(secret, counter, digits, hash_name):
    if hash_name == "SHA1":
        return ["oathtool", "--hotp", "-d", str(digits), "-c", str(counter), secret.hex()]
    # oathtool's --hotp has no hash option; TOTP with a 1-second step starting at the epoch gives counter = time.
    return ["oathtool", "--totp=" + hash_name, "-d", str(digits), "-s", "1s", "-N", "@%d" % counter, secret.hex()]


def totp_oathtool_cmd(secret, time, period, t0, digits, hash_name):
    cmd = ["oathtool", "--totp=" + hash_name, "-d", str(digits), "-s", "%ds" % period, "-N", "@%d" % time]
    if t0:
        cmd += ["-S", "@%d" % t0]
    return cmd + [secret.hex()]


def oathtool(cmd) -> str:
    return run(cmd).strip()
