"""Writes ../pbkdf2_hmacsha{1,256,512}_generated_test.json.

Each case is computed with Python's hashlib.pbkdf2_hmac and cross-checked with the
openssl CLI (`openssl kdf ... PBKDF2`, OpenSSL's own implementation); a case is only
written when both agree. Inputs are fixed (pseudo-random bytes come from SHAKE-256 of
a fixed label), so the output is the same on every run.
Usage: python3 pbkdf2_generated.py [sha1|sha256|sha512 ...]
"""
import hashlib
import sys

from common import hx, run, tool_version, write_vectors
from pbkdf2_rfc import openssl_pbkdf2

DIGESTS = {"sha1": ("SHA1", 20, 64), "sha256": ("SHA256", 32, 64), "sha512": ("SHA512", 64, 128)}


def det(label: str, n: int) -> bytes:
    return hashlib.shake_256(("deadbolt-pbkdf2:" + label).encode()).digest(n)


def cases(name):
    _, dlen, block = DIGESTS[name]
    c = []  # (comment, flags, password, salt, iterations, dkLen)
    c.append(("empty password", ["EmptyPassword"], b"", det("s1", 16), 1, dlen))
    c.append(("empty password, 2 iterations", ["EmptyPassword"], b"", det("s2", 16), 2, dlen))
    c.append(("one-byte password", ["Printable"], b"a", det("s3", 16), 1, dlen))
    c.append(("6-digit PIN", ["Printable", "Pin"], b"482913", det("s4", 16), 1000, dlen))
    c.append(("printable password", ["Printable"], b"correct horse battery staple", det("s5", 16), 100, dlen))
    c.append(("password one byte shorter than the hash block", ["BlockSize"], det("p6", block - 1), det("s6", 16), 10, dlen))
    c.append(("password exactly the hash block size", ["BlockSize"], det("p7", block), det("s7", 16), 10, dlen))
    c.append(("password one byte longer than the hash block (hashed first)", ["LongPassword"], det("p8", block + 1), det("s8", 16), 10, dlen))
    c.append(("long password (300 bytes)", ["LongPassword"], det("p9", 300), det("s9", 16), 3, dlen))
    c.append(("UTF-8 password", ["Utf8"], "pässwörd-密码-🔑".encode(), det("s10", 16), 50, dlen))
    c.append(("password that is not valid UTF-8", ["NonUtf8"], b"\xff\xfe\x80abc\xc3", det("s11", 16), 50, dlen))
    c.append(("password with an embedded zero byte", ["EmbeddedZero"], b"pin\x00482913", det("s12", 16), 7, dlen))
    c.append(("empty salt", ["EmptySalt"], b"password", b"", 5, dlen))
    c.append(("8-byte salt", [], b"password", det("s14", 8), 5, dlen))
    c.append(("64-byte salt", [], b"password", det("s15", 64), 5, dlen))
    c.append(("dkLen 1", ["ShortKey"], b"password", det("s16", 16), 5, 1))
    c.append(("dkLen digest-1", [], b"password", det("s17", 16), 5, dlen - 1))
    c.append(("dkLen digest+1 (two blocks)", ["LongKey"], b"password", det("s18", 16), 5, dlen + 1))
    c.append(("dkLen 3 digests + 5 bytes", ["LongKey"], b"password", det("s19", 16), 5, 3 * dlen + 5))
    c.append(("dkLen 100", ["LongKey"], det("p20", 12), det("s20", 16), 20, 100))
    c.append(("iterations 1", [], det("p21", 10), det("s21", 16), 1, dlen))
    c.append(("iterations 1000", [], det("p22", 10), det("s22", 16), 1000, dlen))
    c.append(("iterations 4097", [], det("p23", 10), det("s23", 16), 4097, dlen))
    c.append(("iterations 10000", [], det("p24", 10), det("s24", 16), 10000, dlen))
    return c


NOTES = {
    "Generated": {"bugType": "FUNCTIONALITY", "description": "Computed with hashlib.pbkdf2_hmac and cross-checked with `openssl kdf PBKDF2`."},
    "EmptyPassword": {"bugType": "EDGE_CASE", "description": "The password is empty."},
    "EmptySalt": {"bugType": "EDGE_CASE", "description": "The salt is empty (allowed by RFC 8018; a password hasher may still refuse it)."},
    "Printable": {"bugType": "FUNCTIONALITY", "description": "The password consists of printable ASCII characters."},
    "Pin": {"bugType": "FUNCTIONALITY", "description": "The password is a 6-digit PIN."},
    "BlockSize": {"bugType": "EDGE_CASE", "description": "The password length is at or next to the hash's block size (HMAC key padding)."},
    "LongPassword": {"bugType": "EDGE_CASE", "description": "The password is longer than the hash block size, so HMAC hashes it first."},
    "Utf8": {"bugType": "FUNCTIONALITY", "description": "The password is a valid non-ASCII UTF-8 string."},
    "NonUtf8": {"bugType": "FUNCTIONALITY", "description": "The password bytes are not valid UTF-8."},
    "EmbeddedZero": {"bugType": "FUNCTIONALITY", "description": "The password contains a zero byte."},
    "ShortKey": {"bugType": "EDGE_CASE", "description": "dkLen is 1 byte."},
    "LongKey": {"bugType": "EDGE_CASE", "description": "dkLen is longer than one hash output, so more than one PBKDF2 block is computed."},
}


def build(name):
    oname = DIGESTS[name][0]
    tests = []
    skipped = 0
    for comment, flags, p, s, c, n in cases(name):
        a = hashlib.pbkdf2_hmac(name, p, s, c, n).hex()
        b = openssl_pbkdf2(oname, p, s, c, n)
        if a != b:
            print("skipping %r: hashlib and openssl disagree" % comment)
            skipped += 1
            continue
        tests.append({"comment": comment, "flags": ["Generated"] + flags, "password": hx(p), "salt": hx(s),
                      "iterationCount": c, "dkLen": n, "dk": a, "result": "valid"})
    fname = "pbkdf2_hmac%s_generated_test.json" % name
    used = sorted({f for t in tests for f in t["flags"]})
    write_vectors(
        fname, "PBKDF2-HMAC" + oname, "pbkdf_test_schema.json",
        ["Test vectors of type PbkdfTest for PBKDF2 with HMAC-%s, generated by Deadbolt." % oname,
         "Generated with Python %s hashlib.pbkdf2_hmac('%s', password, salt, iterationCount, dkLen)." % (sys.version.split()[0], name),
         "Cross-checked with %s: `openssl kdf -keylen <dkLen> -kdfopt digest:%s -kdfopt hexpass:<password> -kdfopt hexsalt:<salt> -kdfopt iter:<iterationCount> PBKDF2`;" % (tool_version(["openssl", "version"]), oname),
         "only cases where both agree are written (%d of %d disagreed and were left out)." % (skipped, skipped + len(tests)),
         "Regenerate: cd Vectors/generate && python3 pbkdf2_generated.py %s" % name],
        {k: NOTES[k] for k in used}, [{"type": "PbkdfTest", "tests": tests}])


if __name__ == "__main__":
    for n in (sys.argv[1:] or ["sha1", "sha256", "sha512"]):
        build(n)
