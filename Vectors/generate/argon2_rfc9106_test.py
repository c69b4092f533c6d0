"""Writes ../argon2_rfc9106_test.json: RFC 9106 section 5.1 (Argon2d), 5.2 (Argon2i), 5.3 (Argon2id).

The tags are the values printed in the RFC. Each is recomputed with argon2-cffi's bundled
libargon2 (argon2.low_level.core on an argon2_context with secret and ad) and with the system
libargon2 through generate/argon2_ctx.c; the script stops if any of the three differs.
"""
from common import hx, pip_version, write_vectors
from argon2_common import cffi_raw, system_raw

PASSWORD, SALT, SECRET, AD = b"\x01" * 32, b"\x02" * 16, b"\x03" * 8, b"\x04" * 12
RFC9106 = [
    ("5.1", "argon2d", "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"),
    ("5.2", "argon2i", "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"),
    ("5.3", "argon2id", "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
]

tests = []
for section, variant, tag in RFC9106:
    a = cffi_raw(variant, 19, PASSWORD, SALT, SECRET, AD, 3, 32, 4, 32).hex()
    b = system_raw(variant, 19, PASSWORD, SALT, SECRET, AD, 3, 32, 4, 32).hex()
    if not (a == b == tag):
        raise SystemExit("%s: RFC %s, argon2-cffi %s, system libargon2 %s" % (variant, tag, a, b))
    tests.append({"comment": "RFC 9106 section %s, %s test vector" % (section, variant.capitalize()),
                  "flags": ["Rfc9106", "SecretAndAd"], "variant": variant, "version": 19,
                  "password": hx(PASSWORD), "salt": hx(SALT), "secret": hx(SECRET), "ad": hx(AD),
                  "t": 3, "m": 32, "p": 4, "tagLength": 32, "tag": tag, "encoded": "", "result": "valid"})

write_vectors(
    "argon2_rfc9106_test.json", "ARGON2", "argon2_test_schema.json",
    ["Test vectors of type Argon2Test (Deadbolt-defined, see Vectors/README.md).",
     "Source: RFC 9106 section 5.1, 5.2 and 5.3 (version 0x13 = 19; password 32 x 0x01, salt 16 x 0x02,",
     "secret 8 x 0x03, associated data 12 x 0x04, t=3, m=32 KiB, p=4, 32-byte tag), tags as printed in the RFC.",
     "encoded is empty: a PHC string cannot carry the secret.",
     "Cross-checked with argon2-cffi %s (argon2.low_level.core) and the system libargon2 (generate/argon2_ctx.c)." % pip_version("argon2-cffi"),
     "Regenerate: cd Vectors/generate && python3 argon2_rfc9106_test.py"],
    {"Rfc9106": {"bugType": "BASIC", "description": "Known-answer test from RFC 9106 section 5."},
     "SecretAndAd": {"bugType": "FUNCTIONALITY", "description": "The test uses a secret (K) and associated data (X)."}},
    [{"type": "Argon2Test", "tests": tests}])
