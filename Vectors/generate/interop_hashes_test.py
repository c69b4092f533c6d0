"""Writes ../interop_hashes_test.json: EncodedHashTest cases (Deadbolt-defined), password-hash strings
exactly as real tools produce them, for Deadbolt to verify.

Producers (each: at least 2 valid passwords, one a 6-digit PIN, and 1 invalid = wrong password):
  libsodium     generate/sodium_pwhash.c: crypto_pwhash_str (Argon2id, OPSLIMIT/MEMLIMIT_INTERACTIVE) and
                crypto_pwhash_str_alg(..., crypto_pwhash_ALG_ARGON2I13) with the argon2i INTERACTIVE limits
  argon2-cffi   argon2.PasswordHasher().hash (defaults) and PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
  argon2-cli    echo -n PASSWORD | argon2 SALT -id|-i -t 3 -k 4096 -p 1 -e   (and -v 10 for version 16)
  passlib       pbkdf2_sha1 / pbkdf2_sha256 / pbkdf2_sha512 .using(rounds=1000, salt=FIXED16).hash(pw)
  django        make_password(pw, salt=FIXED22, hasher=...) with PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher
                subclassed to iterations = 1000
libsodium and argon2-cffi pick random salts, so their strings change on every run; the others are fixed.
Each valid string is verified with the producing library before it is written and each invalid one must fail,
and where another library reads the format it is verified there too (libsodium <-> argon2-cffi <-> CLI strings;
passlib's django_pbkdf2_* for Django strings).
"""
import os
import subprocess

import argon2
import django
import passlib
from django.conf import settings
from passlib.hash import django_pbkdf2_sha1, django_pbkdf2_sha256, pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512

from common import pip_version, run, tool_version, write_vectors

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("DEADBOLT_VECTORS_BUILD", "/tmp/deadbolt-vectors-build")

PIN = "482913"
PHRASE = "correct horse battery staple"
UTF8 = "pässwörd 🔑"
WRONG = "482914"  # one digit away from the PIN


def sodium_tool():
    os.makedirs(BUILD, exist_ok=True)
    exe = os.path.join(BUILD, "sodium_pwhash")
    src = os.path.join(HERE, "sodium_pwhash.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        flags = run(["pkg-config", "--cflags", "--libs", "libsodium"]).split()
        subprocess.run(["cc", "-O2", "-o", exe, src] + flags, check=True)
    return exe


def sodium_verify(encoded, pw):
    r = subprocess.run([sodium_tool(), "verify", encoded, pw.encode().hex()], stdout=subprocess.PIPE)
    return r.returncode == 0


def cffi_verify(encoded, pw):
    try:
        return argon2.PasswordHasher().verify(encoded, pw)
    except argon2.exceptions.VerificationError:
        return False


def setup_django():
    settings.configure(PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ])
    django.setup()


def case(producer, flag, encoded, pw, result, comment, verifiers):
    """verifiers: list of (name, function(encoded, pw) -> bool); all must say `result`."""
    want = result == "valid"
    for name, f in verifiers:
        got = bool(f(encoded, pw))
        if got != want:
            raise SystemExit("%s: %s says %s for %r" % (comment, name, got, encoded))
    flags = [flag] + (["Pin"] if pw.isdigit() else []) + (["Utf8"] if not pw.isascii() else [])
    return {"comment": comment + " (verified with: %s)" % ", ".join(n for n, _ in verifiers), "flags": flags,
            "encoded": encoded, "password": pw.encode().hex(), "producer": producer, "result": result}


def libsodium_group():
    exe = sodium_tool()
    ver = run([exe, "version"]).strip()
    prod = "libsodium %s crypto_pwhash_str" % ver
    prod_i = "libsodium %s crypto_pwhash_str_alg ARGON2I13" % ver
    vs = [("libsodium", sodium_verify), ("argon2-cffi", cffi_verify)]
    id_pin = run([exe, "argon2id", PIN.encode().hex()]).strip()
    id_phrase = run([exe, "argon2id", PHRASE.encode().hex()]).strip()
    i_pin = run([exe, "argon2i", PIN.encode().hex()]).strip()
    i_utf8 = run([exe, "argon2i", UTF8.encode().hex()]).strip()
    tests = [
        case(prod, "libsodium", id_pin, PIN, "valid", "Argon2id, INTERACTIVE limits, 6-digit PIN", vs),
        case(prod, "libsodium", id_phrase, PHRASE, "valid", "Argon2id, INTERACTIVE limits, passphrase", vs),
        case(prod, "libsodium", id_pin, WRONG, "invalid", "Argon2id string of PIN 482913 with the wrong PIN 482914", vs),
        case(prod_i, "libsodium", i_pin, PIN, "valid", "Argon2i, argon2i INTERACTIVE limits, 6-digit PIN", vs),
        case(prod_i, "libsodium", i_utf8, UTF8, "valid", "Argon2i, argon2i INTERACTIVE limits, UTF-8 password", vs),
        case(prod_i, "libsodium", i_utf8, PHRASE, "invalid", "Argon2i string of the UTF-8 password with another password", vs),
    ]
    return {"type": "EncodedHashTest", "tests": tests}, ver


def cffi_group():
    ver = pip_version("argon2-cffi")
    default = argon2.PasswordHasher()
    low = argon2.PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    prod_d = "argon2-cffi %s PasswordHasher() defaults (t=%d, m=%d, p=%d)" % (ver, default.time_cost, default.memory_cost, default.parallelism)
    prod_l = "argon2-cffi %s PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)" % ver
    vs = [("argon2-cffi", cffi_verify), ("libsodium", sodium_verify)]
    d_pin = default.hash(PIN)
    l_phrase = low.hash(PHRASE)
    l_utf8 = low.hash(UTF8)
    tests = [
        case(prod_d, "argon2-cffi", d_pin, PIN, "valid", "Argon2id, argon2-cffi default parameters, 6-digit PIN", vs),
        case(prod_l, "argon2-cffi", l_phrase, PHRASE, "valid", "Argon2id, 1 MiB, passphrase", vs),
        case(prod_l, "argon2-cffi", l_utf8, UTF8, "valid", "Argon2id, 1 MiB, UTF-8 password", vs),
        case(prod_d, "argon2-cffi", d_pin, WRONG, "invalid", "default-parameter string of PIN 482913 with the wrong PIN 482914", vs),
        case(prod_l, "argon2-cffi", l_phrase, PHRASE.upper(), "invalid", "1 MiB string of the passphrase with the passphrase in upper case", vs),
    ]
    return {"type": "EncodedHashTest", "tests": tests}, ver


def cli_group():
    ver = "argon2 CLI (Debian argon2 %s)" % run(["dpkg-query", "-W", "-f=${Version}", "argon2"]).strip()
    vs = [("argon2-cffi", cffi_verify)]

    def cli(pw, salt, flag, extra=()):
        cmd = ["argon2", salt, flag, "-t", "3", "-k", "4096", "-p", "1"] + list(extra) + ["-e"]
        return run(cmd, stdin=pw.encode()).strip(), "echo -n PASSWORD | " + " ".join(cmd)

    id_pin, c1 = cli(PIN, "deadboltsalt0001", "-id")
    id_phrase, c2 = cli(PHRASE, "deadboltsalt0002", "-id")
    i_pin, c3 = cli(PIN, "deadboltsalt0003", "-i")
    i_v16, c4 = cli(UTF8, "deadboltsalt0004", "-i", ["-v", "10"])
    id_v16, c5 = cli(PHRASE, "deadboltsalt0005", "-id", ["-v", "10"])
    tests = [
        case(ver + ": " + c1, "argon2-cli", id_pin, PIN, "valid", "Argon2id v19, 6-digit PIN", vs + [("libsodium", sodium_verify)]),
        case(ver + ": " + c2, "argon2-cli", id_phrase, PHRASE, "valid", "Argon2id v19, passphrase", vs + [("libsodium", sodium_verify)]),
        case(ver + ": " + c3, "argon2-cli", i_pin, PIN, "valid", "Argon2i v19, 6-digit PIN", vs + [("libsodium", sodium_verify)]),
        case(ver + ": " + c4, "argon2-cli", i_v16, UTF8, "valid", "Argon2i version 16 (-v 10), UTF-8 password", vs),
        case(ver + ": " + c5, "argon2-cli", id_v16, PHRASE, "valid", "Argon2id version 16 (-v 10), passphrase", vs),
        case(ver + ": " + c1, "argon2-cli", id_pin, WRONG, "invalid", "Argon2id string of PIN 482913 with the wrong PIN 482914", vs + [("libsodium", sodium_verify)]),
        case(ver + ": " + c4, "argon2-cli", i_v16, PIN, "invalid", "Argon2i version-16 string with another password", vs),
    ]
    return {"type": "EncodedHashTest", "tests": tests}, ver


def passlib_group():
    ver = pip_version("passlib")
    tests = []
    for i, h in enumerate((pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512)):
        salt = bytes(range(16 * i, 16 * i + 16))  # fixed 16-byte salt (passlib's default salt size)
        prod = "passlib %s %s.using(rounds=1000, salt=<16 fixed bytes>).hash" % (ver, h.name)
        vs = [("passlib " + h.name, lambda e, p, h=h: h.verify(p, e))]
        pin = h.using(rounds=1000, salt=salt).hash(PIN)
        phrase = h.using(rounds=1000, salt=salt[::-1]).hash(PHRASE if i != 2 else UTF8)
        tests += [
            case(prod, "passlib", pin, PIN, "valid", "%s, 1000 rounds, 6-digit PIN" % h.name, vs),
            case(prod, "passlib", phrase, PHRASE if i != 2 else UTF8, "valid",
                 "%s, 1000 rounds, %s" % (h.name, "passphrase" if i != 2 else "UTF-8 password"), vs),
            case(prod, "passlib", pin, WRONG, "invalid", "%s string of PIN 482913 with the wrong PIN 482914" % h.name, vs),
        ]
    return {"type": "EncodedHashTest", "tests": tests}, ver


def django_group():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, check_password, make_password

    class Fast256(PBKDF2PasswordHasher):
        iterations = 1000

    class Fast1(PBKDF2SHA1PasswordHasher):
        iterations = 1000

    ver = django.get_version()
    tests = []
    for i, (hasher, base, pl) in enumerate(((Fast256(), "PBKDF2PasswordHasher", django_pbkdf2_sha256),
                                            (Fast1(), "PBKDF2SHA1PasswordHasher", django_pbkdf2_sha1))):
        salt = ("DeadboltFixedSalt%05d" % i)[:22].ljust(22, "x")  # 22 alphanumerics, like Django's own salts
        prod = "Django %s make_password(pw, salt=<22 fixed chars>, hasher=%s with iterations = 1000)" % (ver, base)
        vs = [("django check_password", lambda e, p: check_password(p, e)),
              ("passlib " + pl.name, lambda e, p, pl=pl: pl.verify(p, e))]
        pin = make_password(PIN, salt=salt, hasher=hasher)
        other = make_password(UTF8 if i == 0 else PHRASE, salt=salt[::-1], hasher=hasher)
        tests += [
            case(prod, "django", pin, PIN, "valid", "%s, 1000 iterations, 6-digit PIN" % hasher.algorithm, vs),
            case(prod, "django", other, UTF8 if i == 0 else PHRASE, "valid",
                 "%s, 1000 iterations, %s" % (hasher.algorithm, "UTF-8 password" if i == 0 else "passphrase"), vs),
            case(prod, "django", pin, WRONG, "invalid", "%s string of PIN 482913 with the wrong PIN 482914" % hasher.algorithm, vs),
        ]
    return {"type": "EncodedHashTest", "tests": tests}, ver


if __name__ == "__main__":
    setup_django()
    groups, versions = [], []
    for name, f in (("libsodium", libsodium_group), ("argon2-cffi", cffi_group), ("argon2 CLI", cli_group),
                    ("passlib", passlib_group), ("Django", django_group)):
        g, v = f()
        groups.append(g)
        versions.append("%s %s" % (name, v) if not v.startswith(name) else v)
    write_vectors(
        "interop_hashes_test.json", "ENCODED-HASH", "encoded_hash_test_schema.json",
        ["Test vectors of type EncodedHashTest (Deadbolt-defined, see Vectors/README.md): encoded password hashes exactly",
         "as other tools produce them. valid: `password` (hex of UTF-8) verifies against `encoded`; invalid: it must not.",
         "Producers: " + "; ".join(versions) + ".",
         "libsodium strings: generate/sodium_pwhash.c (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE = t=2, 64 MiB;",
         "crypto_pwhash_str_alg ARGON2I13 with the argon2i INTERACTIVE limits = t=4, 32 MiB); random salts.",
         "argon2-cffi: PasswordHasher().hash (random salts); argon2 CLI: `echo -n PASSWORD | argon2 SALT -id|-i -t 3 -k 4096 -p 1 [-v 10] -e`;",
         "passlib: pbkdf2_sha1/sha256/sha512.using(rounds=1000, salt=...).hash; Django: make_password with PBKDF2 hashers at 1000 iterations.",
         "Each string was verified (or refused, for invalid tests) by the producing library and, where it reads the format,",
         "by another one (named in each comment) before being written.",
         "Regenerate: cd Vectors/generate && python3 interop_hashes_test.py  (libsodium and argon2-cffi strings change: random salts)"],
        {"libsodium": {"bugType": "FUNCTIONALITY", "description": "Made by libsodium's crypto_pwhash_str / crypto_pwhash_str_alg."},
         "argon2-cffi": {"bugType": "FUNCTIONALITY", "description": "Made by argon2-cffi's PasswordHasher.hash."},
         "argon2-cli": {"bugType": "FUNCTIONALITY", "description": "Made by the reference argon2 CLI's -e output."},
         "passlib": {"bugType": "FUNCTIONALITY", "description": "Made by passlib's pbkdf2_sha1/sha256/sha512 ($pbkdf2-<digest>$rounds$salt$hash, adapted base64)."},
         "django": {"bugType": "FUNCTIONALITY", "description": "Made by Django's make_password with a PBKDF2 hasher (<algorithm>$iterations$salt$hash)."},
         "Pin": {"bugType": "FUNCTIONALITY", "description": "The password is a 6-digit PIN."},
         "Utf8": {"bugType": "FUNCTIONALITY", "description": "The password is non-ASCII UTF-8."}},
        groups)
