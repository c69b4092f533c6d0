"""Writes ../pbkdf2_hmacsha1_rfc6070_test.json (RFC 6070 section 2) and
../pbkdf2_hmacsha256_rfc7914_test.json (RFC 7914 section 11, the two PBKDF2-HMAC-SHA256 vectors).

Expected values are as printed in the RFCs; each is recomputed with hashlib.pbkdf2_hmac
and with the openssl CLI (openssl kdf ... PBKDF2) and the script stops on any difference.
Usage: python3 pbkdf2_rfc.py [rfc6070|rfc7914]
"""
import hashlib
import sys

from common import hx, run, write_vectors

# RFC 6070 section 2: (P, S, c, dkLen, DK). The 16777216-iteration vector is deliberately left out (slow).
RFC6070 = [
    (b"password", b"salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
    (b"password", b"salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
    (b"password", b"salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
    (b"passwordPASSWORDpassword", b"saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
     "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
    (b"pass\x00word", b"sa\x00lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"),
]
# RFC 7914 section 11: PBKDF2-HMAC-SHA256 test vectors.
RFC7914 = [
    (b"passwd", b"salt", 1, 64,
     "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
     "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
    (b"Password", b"NaCl", 80000, 64,
     "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
     "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
]

NOTES = {
    "Rfc6070": {"bugType": "BASIC", "description": "Known-answer test from RFC 6070 section 2."},
    "Rfc7914": {"bugType": "BASIC", "description": "Known-answer test from RFC 7914 section 11."},
    "EmbeddedZero": {"bugType": "FUNCTIONALITY",
                     "description": "Password and salt contain a zero byte; an implementation using C strings truncates them."},
}


def openssl_pbkdf2(digest, password, salt, iterations, dklen):
    out = run(["openssl", "kdf", "-keylen", str(dklen), "-kdfopt", "digest:" + digest,
               "-kdfopt", "hexpass:" + password.hex(), "-kdfopt", "hexsalt:" + salt.hex(),
               "-kdfopt", "iter:%d" % iterations, "PBKDF2"])
    return out.strip().replace(":", "").lower()


def check(name, openssl_name, p, s, c, n, dk):
    a = hashlib.pbkdf2_hmac(name, p, s, c, n).hex()
    b = openssl_pbkdf2(openssl_name, p, s, c, n)
    if not (a == b == dk):
        raise SystemExit("mismatch for %r: hashlib %s openssl %s rfc %s" % (p, a, b, dk))


def rfc6070():
    tests = []
    for p, s, c, n, dk in RFC6070:
        check("sha1", "SHA1", p, s, c, n, dk)
        flags = ["Rfc6070"] + (["EmbeddedZero"] if b"\x00" in p else [])
        tests.append({"comment": "RFC 6070 section 2, P=%r S=%r c=%d" % (p.decode(), s.decode(), c), "flags": flags,
                      "password": hx(p), "salt": hx(s), "iterationCount": c, "dkLen": n, "dk": dk, "result": "valid"})
    write_vectors(
        "pbkdf2_hmacsha1_rfc6070_test.json", "PBKDF2-HMACSHA1", "pbkdf_test_schema.json",
        ["Test vectors of type PbkdfTest for PBKDF2 with HMAC-SHA-1.",
         "Source: RFC 6070 section 2, values as printed in the RFC.",
         "Left out on purpose: the c=16777216 vector (too slow for a unit-test run).",
         "Cross-checked: python3 hashlib.pbkdf2_hmac and `openssl kdf -keylen N -kdfopt digest:SHA1 -kdfopt hexpass:.. -kdfopt hexsalt:.. -kdfopt iter:N PBKDF2`.",
         "Regenerate: cd Vectors/generate && python3 pbkdf2_rfc.py rfc6070"],
        {k: NOTES[k] for k in ("Rfc6070", "EmbeddedZero")}, [{"type": "PbkdfTest", "tests": tests}])


def rfc7914():
    tests = []
    for p, s, c, n, dk in RFC7914:
        check("sha256", "SHA256", p, s, c, n, dk)
        tests.append({"comment": "RFC 7914 section 11, P=%r S=%r c=%d" % (p.decode(), s.decode(), c), "flags": ["Rfc7914"],
                      "password": hx(p), "salt": hx(s), "iterationCount": c, "dkLen": n, "dk": dk, "result": "valid"})
    write_vectors(
        "pbkdf2_hmacsha256_rfc7914_test.json", "PBKDF2-HMACSHA256", "pbkdf_test_schema.json",
        ["Test vectors of type PbkdfTest for PBKDF2 with HMAC-SHA-256.",
         "Source: RFC 7914 section 11 (both PBKDF2-HMAC-SHA256 vectors, including c=80000), values as printed in the RFC.",
         "Cross-checked: python3 hashlib.pbkdf2_hmac and `openssl kdf -keylen 64 -kdfopt digest:SHA256 -kdfopt hexpass:.. -kdfopt hexsalt:.. -kdfopt iter:N PBKDF2`.",
         "Regenerate: cd Vectors/generate && python3 pbkdf2_rfc.py rfc7914"],
        {"Rfc7914": NOTES["Rfc7914"]}, [{"type": "PbkdfTest", "tests": tests}])


if __name__ == "__main__":
    which = sys.argv[1:] or ["rfc6070", "rfc7914"]
    for w in which:
        {"rfc6070": rfc6070, "rfc7914": rfc7914}[w]()
