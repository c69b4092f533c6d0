"""Writes four Argon2Test files (Deadbolt-defined type, see Vectors/README.md), one per kind of test that files
written by the Wycheproof conventions hold besides the raw-tag-plus-encoding tests of argon2_generated_test.json:

  ../argon2_parameters_test.json     parameters only (tag and encoded empty): computing must be refused (invalid),
                                     or may be (acceptable: beyond Deadbolt's caps, inside libargon2's)
  ../argon2_verify_only_test.json    encoded and no tag: the password must verify (valid) or must not (invalid)
  ../argon2_acceptable_test.json     non-canonical or unusually sized PHC strings with the right raw tag: Deadbolt
                                     may refuse the string, but if it accepts it the password must verify
  ../argon2_rfc9106_domain_test.json raw tags over RFC 9106's domain (salts of 8 to 1024 bytes, tags of 4 to 1024,
                                     1 KiB secret and associated data), and beyond Deadbolt's 1 KiB cap (acceptable)

Every tag is computed twice, with argon2-cffi's bundled libargon2 (argon2.low_level.core on an argon2_context) and
with the system libargon2 (generate/argon2_ctx.c); the script stops if they differ. Every refusal is checked against
both libraries: each invalid parameter set must be refused by both (except the version number, which libargon2's
argon2_ctx does not check: see VERSION_NOTE). Every verify-only string is checked with argon2-cffi verify_secret and,
for version 19 argon2i/argon2id, libsodium's crypto_pwhash_str_verify (generate/sodium_pwhash.c). Acceptable strings
are refused by libargon2's own decoder (which is strict); their right answer is checked by decoding them leniently
and recomputing the tag with both libraries. Everything is deterministic (fixed salts; pseudo-random bytes are
SHAKE-256 of fixed labels).
"""
import hashlib
import subprocess

from argon2.low_level import Type, hash_secret, verify_secret

from argon2_common import b64, cffi_raw, cli_encoded, phc, system_raw, unb64
from common import hx, pip_version, write_vectors
from interop_hashes_test import sodium_tool

PASSWORD = b"correct horse battery staple"
PIN = b"482913"
TYPES = {"argon2d": Type.D, "argon2i": Type.I, "argon2id": Type.ID}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
VERSION_NOTE = ("libargon2's argon2_ctx does not check the version field (any value other than 0x10 computes as "
                "0x13), so no second implementation refuses it; RFC 9106 section 3.1 and 3.2 define the version byte "
                "as 0x13, and libargon2 knows only 0x10 and 0x13.")


def det(label, n):
    return hashlib.shake_256(("deadbolt argon2 kinds " + label).encode()).digest(n)


def both(variant, version, pw, salt, secret, ad, t, m, p, taglen):
    """The tag from argon2-cffi and from the system libargon2; they must agree."""
    a = cffi_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
    b = system_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
    if a != b:
        raise SystemExit("argon2-cffi and system libargon2 disagree for %s v%d" % (variant, version))
    return a


def refused_by_both(variant, version, pw, salt, secret, ad, t, m, p, taglen):
    """The two libraries' error messages; stops if either computes."""
    messages = []
    try:
        cffi_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
        raise SystemExit("argon2-cffi computes an invalid parameter set")
    except RuntimeError as e:
        messages.append(str(e))
    try:
        system_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
        raise SystemExit("system libargon2 computes an invalid parameter set")
    except subprocess.CalledProcessError as e:
        messages.append((e.stderr or b"").decode().strip() or "refused")
    return messages


def raw_fields(variant, version, pw, salt, t, m, p, taglen, tag=b"", secret=b"", ad=b"", encoded=""):
    return {"variant": variant, "version": version, "password": hx(pw), "salt": hx(salt), "secret": hx(secret),
            "ad": hx(ad), "t": t, "m": m, "p": p, "tagLength": taglen, "tag": hx(tag), "encoded": encoded}


# ---------------------------------------------------------------- parameters only
def parameter_cases():
    salt = det("salt", 16)
    invalid = [
        ("m below 8*p (m=15, p=2)", "ParameterRange", dict(m=15, p=2)),
        ("m below 8*p (m=7, p=1)", "ParameterRange", dict(m=7)),
        ("salt of 7 bytes, below RFC 9106's 8", "SaltTooShort", dict(salt=salt[:7])),
        ("empty salt", "SaltTooShort", dict(salt=b"")),
        ("tag of 3 bytes, below RFC 9106's 4", "TagTooShort", dict(taglen=3)),
        ("tag of 0 bytes", "TagTooShort", dict(taglen=0)),
        ("t=0", "ParameterRange", dict(t=0)),
        ("p=0", "ParameterRange", dict(p=0)),
        ("p=2^24, above RFC 9106's 2^24-1 lanes", "ParameterRange", dict(p=1 << 24, m=8 << 24)),
    ]
    tests = []
    for comment, flag, change in invalid:
        args = dict(variant="argon2id", version=19, pw=PASSWORD, salt=salt, t=2, m=64, p=1, taglen=32)
        args.update(change)
        messages = refused_by_both(args["variant"], args["version"], args["pw"], args["salt"], b"", b"", args["t"],
                                   args["m"], args["p"], args["taglen"])
        tests.append(dict(raw_fields(args["variant"], args["version"], args["pw"], args["salt"], args["t"], args["m"],
                                     args["p"], args["taglen"]),
                          comment="%s (argon2-cffi: %s; system libargon2: %s)" % (comment, messages[0], messages[1]),
                          flags=["ParametersOnly", flag], result="invalid"))
    for version in (0x12, 0x11, 0x14, 0):
        tests.append(dict(raw_fields("argon2id", version, PASSWORD, salt, 2, 64, 1, 32),
                          comment="version 0x%02x: Argon2 has versions 0x10 and 0x13 only" % version,
                          flags=["ParametersOnly", "UnknownVersion"], result="invalid"))
    # Inside RFC 9106 and libargon2, beyond Deadbolt's caps (255 lanes, 2^16 passes): refusing is allowed.
    for comment, change in [("p=256, above Deadbolt's cap of 255 lanes", dict(p=256, m=2048)),
                            ("t=65537, above Deadbolt's cap of 2^16 passes", dict(t=65537, m=8))]:
        args = dict(t=1, m=64, p=1)
        args.update(change)
        both("argon2id", 19, PASSWORD, salt, b"", b"", args["t"], args["m"], args["p"], 32)  # both compute it
        tests.append(dict(raw_fields("argon2id", 19, PASSWORD, salt, args["t"], args["m"], args["p"], 32),
                          comment=comment + " (both libraries compute it)",
                          flags=["ParametersOnly", "BeyondDeadboltCap"], result="acceptable"))
    return [{"type": "Argon2Test", "tests": tests}]


# ---------------------------------------------------------------- verify only
def sodium_verifies(encoded, pw):
    r = subprocess.run([sodium_tool(), "verify", encoded, pw.hex()], stdout=subprocess.PIPE)
    return r.returncode == 0


def cffi_verifies(encoded, pw, variant):
    try:
        return verify_secret(encoded.encode(), pw, TYPES[variant])
    except Exception:
        return False


def verify_only_case(encoded, pw, variant, version, salt, t, m, p, taglen, comment, flags, result):
    want = result == "valid"
    checks = [("argon2-cffi verify_secret", cffi_verifies(encoded, pw, variant))]
    if version == 19 and variant in ("argon2i", "argon2id"):
        checks.append(("libsodium crypto_pwhash_str_verify", sodium_verifies(encoded, pw)))
    for name, got in checks:
        if got != want:
            raise SystemExit("%s: %s says %s" % (comment, name, got))
    return dict(raw_fields(variant, version, pw, salt, t, m, p, taglen, encoded=encoded),
                comment="%s (checked with %s)" % (comment, ", ".join(n for n, _ in checks)),
                flags=["VerifyOnly"] + flags, result=result)


def verify_only_cases():
    tests = []
    for variant, version, t, m, p in [("argon2id", 19, 2, 64, 1), ("argon2i", 19, 3, 32, 4), ("argon2d", 19, 1, 64, 2),
                                      ("argon2id", 16, 2, 64, 1)]:
        salt = ("vsalt%s%d" % (variant, version)).encode()
        encoded, cmd = cli_encoded(variant, version, PASSWORD, salt, t, m, p, 32)
        tests.append(verify_only_case(encoded, PASSWORD, variant, version, salt, t, m, p, 32,
                                      "%s v%d from the argon2 CLI: %s" % (variant, version, " ".join(cmd[1:])),
                                      ["ArgonCli"], "valid"))
        tests.append(verify_only_case(encoded, PASSWORD + b"!", variant, version, salt, t, m, p, 32,
                                      "%s v%d from the argon2 CLI, wrong password" % (variant, version),
                                      ["ArgonCli", "WrongPassword"], "invalid"))
    salt = det("pin salt", 16)
    encoded = hash_secret(PIN, salt, 2, 256, 1, 32, Type.ID).decode()
    tests.append(verify_only_case(encoded, PIN, "argon2id", 19, salt, 2, 256, 1, 32,
                                  "6-digit PIN, argon2-cffi low_level.hash_secret", ["ArgonCffi", "Pin"], "valid"))
    tests.append(verify_only_case(encoded, b"482914", "argon2id", 19, salt, 2, 256, 1, 32,
                                  "6-digit PIN one digit off, argon2-cffi low_level.hash_secret",
                                  ["ArgonCffi", "Pin", "WrongPassword"], "invalid"))
    tag_s = encoded.split("$")[-1]
    altered = encoded[:-len(tag_s)] + b64(bytes([unb64(tag_s)[0] ^ 1]) + unb64(tag_s)[1:])
    tests.append(verify_only_case(altered, PIN, "argon2id", 19, salt, 2, 256, 1, 32,
                                  "tag altered by one bit", ["ArgonCffi", "ModifiedTag"], "invalid"))
    empty_salt = det("empty password salt", 16)
    encoded = hash_secret(b"", empty_salt, 1, 64, 1, 32, Type.ID).decode()
    tests.append(verify_only_case(encoded, b"", "argon2id", 19, empty_salt, 1, 64, 1, 32,
                                  "empty password, argon2-cffi low_level.hash_secret", ["ArgonCffi", "EmptyPassword"],
                                  "valid"))
    return [{"type": "Argon2Test", "tests": tests}]


# ---------------------------------------------------------------- acceptable
def acceptable_case(encoded, lenient, comment, flags):
    """encoded: the string as written; lenient: what a lenient decoder reads from it (checked to be the truth)."""
    variant, version, m, t, p, salt, tag = lenient
    if both(variant, version, PASSWORD, salt, b"", b"", t, m, p, len(tag)) != tag:
        raise SystemExit("%s: the leniently decoded tag is not the real one" % comment)
    if cffi_verifies(encoded, PASSWORD, variant):
        note = "libargon2 verifies it"
    else:
        note = "libargon2's decoder refuses it"
    return dict(raw_fields(variant, version, PASSWORD, salt, t, m, p, len(tag), tag=tag, encoded=encoded),
                comment="%s (%s)" % (comment, note), flags=flags, result="acceptable")


def acceptable_cases():
    tests = []
    salt = det("acceptable salt", 16)
    variant, version, t, m, p = "argon2id", 19, 2, 64, 1
    tag = both(variant, version, PASSWORD, salt, b"", b"", t, m, p, 32)
    canonical = phc(variant, version, m, t, p, salt, tag)
    truth = (variant, version, m, t, p, salt, tag)
    tests.append(acceptable_case(canonical.replace("$v=19$", "$v=019$"), truth, "leading zero in v= (v=019)",
                                 ["NonCanonicalNumber"]))
    tests.append(acceptable_case(canonical.replace("$m=64,", "$m=064,"), truth, "leading zero in m= (m=064)",
                                 ["NonCanonicalNumber"]))
    tag_s = b64(tag)
    last = ALPHABET.index(tag_s[-1])
    noncanonical = canonical[:-1] + ALPHABET[last | 1]
    assert unb64(noncanonical.split("$")[-1]) == tag
    tests.append(acceptable_case(noncanonical, truth, "tag's base64 with a non-zero unused bit in its last character",
                                 ["Base64NonCanonical"]))
    salt_s = b64(salt)
    last = ALPHABET.index(salt_s[-1])
    noncanonical = canonical.replace("$" + salt_s + "$", "$" + salt_s[:-1] + ALPHABET[last | 1] + "$")
    tests.append(acceptable_case(noncanonical, truth, "salt's base64 with a non-zero unused bit in its last character",
                                 ["Base64NonCanonical"]))
    # Sizes outside the PHC string format's suggestions (salt up to 48 bytes, output up to 64): Deadbolt reads
    # salts up to 64 bytes and tags up to 128, so these it must verify if it accepts them; longer ones it refuses.
    for salt_length, tag_length, flag in [(49, 32, "SaltBeyondPhc"), (64, 32, "SaltBeyondPhc"),
                                          (16, 65, "TagBeyondPhc"), (16, 128, "TagBeyondPhc"),
                                          (100, 32, "SaltBeyondPhc"), (128, 32, "SaltBeyondPhc"),
                                          (16, 256, "TagBeyondPhc")]:
        long_salt = det("long salt %d" % salt_length, salt_length)
        long_tag = both(variant, version, PASSWORD, long_salt, b"", b"", t, m, p, tag_length)
        encoded = hash_secret(PASSWORD, long_salt, t, m, p, tag_length, Type.ID).decode()
        if encoded != phc(variant, version, m, t, p, long_salt, long_tag):
            raise SystemExit("argon2-cffi's string differs from the expected encoding")
        tests.append(acceptable_case(encoded, (variant, version, m, t, p, long_salt, long_tag),
                                     "%d-byte salt and %d-byte tag from argon2-cffi low_level.hash_secret"
                                     % (salt_length, tag_length), [flag]))
    return [{"type": "Argon2Test", "tests": tests}]


# ---------------------------------------------------------------- RFC 9106's domain
def domain_cases():
    valid, beyond = [], []
    cases = [
        ("argon2id", 19, 8, 32, 0, 0, "the shortest salt, 8 bytes"),
        ("argon2id", 19, 100, 32, 0, 0, "a 100-byte salt"),
        ("argon2i", 19, 128, 32, 0, 0, "a 128-byte salt"),
        ("argon2d", 19, 1024, 32, 0, 0, "a 1024-byte salt (Deadbolt's cap)"),
        ("argon2id", 19, 16, 4, 0, 0, "the shortest tag, 4 bytes"),
        ("argon2id", 19, 16, 64, 0, 0, "a 64-byte tag (one BLAKE2b output)"),
        ("argon2id", 19, 16, 65, 0, 0, "a 65-byte tag (H' needs a second block)"),
        ("argon2i", 19, 16, 256, 0, 0, "a 256-byte tag"),
        ("argon2id", 16, 16, 256, 0, 0, "a 256-byte tag, version 16"),
        ("argon2d", 19, 16, 1024, 0, 0, "a 1024-byte tag (Deadbolt's cap)"),
        ("argon2id", 19, 16, 32, 1024, 1024, "a 1024-byte secret and 1024 bytes of associated data"),
        ("argon2id", 19, 128, 256, 64, 100, "a 128-byte salt, 256-byte tag, secret and associated data together"),
    ]
    for variant, version, salt_length, tag_length, secret_length, ad_length, comment in cases:
        label = "%s %d %d %d %d %d" % (variant, version, salt_length, tag_length, secret_length, ad_length)
        salt, secret, ad = det("salt " + label, salt_length), det("secret " + label, secret_length), det("ad " + label, ad_length)
        tag = both(variant, version, PASSWORD, salt, secret, ad, 2, 64, 2, tag_length)
        flags = ["Rfc9106Domain"] + (["SecretAndAd"] if secret or ad else [])
        valid.append(dict(raw_fields(variant, version, PASSWORD, salt, 2, 64, 2, tag_length, tag=tag, secret=secret,
                                     ad=ad), comment=comment, flags=flags, result="valid"))
    for salt_length, tag_length, secret_length, comment in [(1025, 32, 0, "a 1025-byte salt"),
                                                           (16, 1025, 0, "a 1025-byte tag"),
                                                           (16, 32, 1025, "a 1025-byte secret"),
                                                           (2048, 2048, 0, "a 2048-byte salt and tag")]:
        label = "beyond %d %d %d" % (salt_length, tag_length, secret_length)
        salt, secret = det("salt " + label, salt_length), det("secret " + label, secret_length)
        tag = both("argon2id", 19, PASSWORD, salt, secret, b"", 1, 64, 1, tag_length)
        beyond.append(dict(raw_fields("argon2id", 19, PASSWORD, salt, 1, 64, 1, tag_length, tag=tag, secret=secret),
                           comment=comment + ": inside RFC 9106, beyond Deadbolt's 1 KiB cap",
                           flags=["BeyondDeadboltCap"], result="acceptable"))
    return [{"type": "Argon2Test", "tests": valid}, {"type": "Argon2Test", "tests": beyond}]


NOTES = {
    "ParametersOnly": {"bugType": "EDGE_CASE", "description": "Parameters only: tag and encoded are empty; the test is whether computing with them is refused with a typed error."},
    "ParameterRange": {"bugType": "EDGE_CASE", "description": "m, t or p outside RFC 9106 section 3.1's ranges."},
    "SaltTooShort": {"bugType": "EDGE_CASE", "description": "A salt below RFC 9106's 8 bytes."},
    "TagTooShort": {"bugType": "EDGE_CASE", "description": "A tag below RFC 9106's 4 bytes."},
    "UnknownVersion": {"bugType": "EDGE_CASE", "description": "A version number Argon2 does not define. " + VERSION_NOTE},
    "BeyondDeadboltCap": {"bugType": "EDGE_CASE", "description": "Inside RFC 9106 and libargon2's limits, beyond a cap Deadbolt sets (255 lanes, 2^16 passes, 1 KiB salt/secret/ad/tag): refusing is allowed; computing must give this tag."},
    "VerifyOnly": {"bugType": "FUNCTIONALITY", "description": "encoded and no tag: the password is checked against the string alone."},
    "ArgonCli": {"bugType": "FUNCTIONALITY", "description": "encoded is the reference argon2 CLI's -e output."},
    "ArgonCffi": {"bugType": "FUNCTIONALITY", "description": "encoded is argon2-cffi's low_level.hash_secret output."},
    "Pin": {"bugType": "FUNCTIONALITY", "description": "The password is a 6-digit PIN."},
    "EmptyPassword": {"bugType": "EDGE_CASE", "description": "The password is empty (Argon2 allows it; Deadbolt's hasher refuses it by policy, so the runner recomputes)."},
    "WrongPassword": {"bugType": "AUTH_BYPASS", "description": "The password is not the one hashed; it must not verify."},
    "ModifiedTag": {"bugType": "AUTH_BYPASS", "description": "The encoded tag differs from the real one; it must not verify."},
    "NonCanonicalNumber": {"bugType": "CAN_OF_WORMS", "description": "A decimal with a leading zero; PHC's grammar forbids it, a lenient reader gets the right value."},
    "Base64NonCanonical": {"bugType": "CAN_OF_WORMS", "description": "Base64 whose last character has non-zero unused bits; a lenient decoder gets the right bytes."},
    "SaltBeyondPhc": {"bugType": "EDGE_CASE", "description": "A salt longer than the PHC string format suggests (48 bytes)."},
    "TagBeyondPhc": {"bugType": "EDGE_CASE", "description": "A tag longer than the PHC string format suggests (64 bytes)."},
    "Rfc9106Domain": {"bugType": "FUNCTIONALITY", "description": "Raw Argon2 over RFC 9106's domain; encoded is empty."},
    "SecretAndAd": {"bugType": "FUNCTIONALITY", "description": "A secret (K) and/or associated data (X) are used."},
}

CROSS = ("Cross-checked: tags with argon2-cffi %s (argon2.low_level.core) and the system libargon2 (generate/argon2_ctx.c)"
         % pip_version("argon2-cffi"))

if __name__ == "__main__":
    regen = "Regenerate: cd Vectors/generate && python3 argon2_test_kinds.py"
    write_vectors("argon2_parameters_test.json", "ARGON2", "argon2_test_schema.json",
                  ["Argon2Test (Deadbolt-defined, see Vectors/README.md): parameters only (tag and encoded empty).",
                   "invalid: outside RFC 9106 section 3.1; each refused by argon2-cffi and the system libargon2 (their messages are in the comments), except",
                   "the version number: " + VERSION_NOTE,
                   "acceptable: inside RFC 9106 and computed by both libraries, beyond Deadbolt's caps.", regen],
                  NOTES, parameter_cases())
    write_vectors("argon2_verify_only_test.json", "ARGON2", "argon2_test_schema.json",
                  ["Argon2Test (Deadbolt-defined, see Vectors/README.md): encoded and no tag (verify only).",
                   "Strings from the reference argon2 CLI (`echo -n PASSWORD | argon2 SALT -id|-i|-d -t T -k M -p P -l 32 [-v 10] -e`) and argon2-cffi %s low_level.hash_secret (fixed salts)." % pip_version("argon2-cffi"),
                   "Cross-checked with argon2-cffi verify_secret and, for version 19 argon2i/argon2id, libsodium crypto_pwhash_str_verify (generate/sodium_pwhash.c).",
                   regen],
                  NOTES, verify_only_cases())
    write_vectors("argon2_acceptable_test.json", "ARGON2", "argon2_test_schema.json",
                  ["Argon2Test (Deadbolt-defined, see Vectors/README.md): acceptable PHC strings with the right raw tag.",
                   "Non-canonical forms (leading zeros, non-zero unused base64 bits) written by hand from a canonical argon2-cffi string; unusual sizes from argon2-cffi low_level.hash_secret.",
                   "A reader may refuse them; one that accepts must verify the password. The right answer is checked by decoding leniently and recomputing the tag.",
                   CROSS + "; libargon2's own verdict on each string is in its comment.", regen],
                  NOTES, acceptable_cases())
    write_vectors("argon2_rfc9106_domain_test.json", "ARGON2", "argon2_test_schema.json",
                  ["Argon2Test (Deadbolt-defined, see Vectors/README.md): raw Argon2 over RFC 9106's domain (encoded empty), t=2, m=64, p=2",
                   "(t=1, m=64, p=1 in the second group); inputs are SHAKE-256 of fixed labels.",
                   "First group valid (up to Deadbolt's 1 KiB cap on salt, secret, associated data and tag); second group acceptable (beyond the cap).",
                   CROSS + ".", regen],
                  NOTES, domain_cases())
