"""Writes ../hmac_sha256_rfc4231_test.json or ../hmac_sha512_rfc4231_test.json (argument sha256|sha512):
RFC 4231 section 4.2-4.8, test case 5 as a 128-bit truncated group."""
import hashlib
import sys

from common import flip_bit, hx, write_vectors
from hmac_rfc import MAC_NOTES, RFC4231, check, group_tests


def build(name):
    digest = getattr(hashlib, name)
    col = 4 if name == "sha256" else 5
    full = 256 if name == "sha256" else 512
    block = 64 if name == "sha256" else 128
    items = []
    for row in RFC4231:
        case, section, key, data, tag = row[0], row[1], row[2], row[3], row[col]
        check(key, data, digest, tag)
        bits = 128 if case == 5 else full
        flags = ["Rfc4231"] + (["Truncated"] if case == 5 else []) + (["LongKey"] if len(key) > block else [])
        items.append((key, bits, {"comment": "RFC 4231 section %s, test case %d" % (section, case), "flags": flags,
                                  "key": hx(key), "msg": hx(data), "tag": tag, "result": "valid"}))
    for case, bit in ((1, 0), (2, full - 1), (5, 127), (7, 100)):
        row = RFC4231[case - 1]
        key, data, tag = row[2], row[3], row[col]
        bits = 128 if case == 5 else full
        flags = ["ModifiedTag"] + (["Truncated"] if case == 5 else [])
        items.append((key, bits, {"comment": "RFC 4231 test case %d with tag bit %d flipped" % (case, bit),
                                  "flags": flags, "key": hx(key), "msg": hx(data),
                                  "tag": flip_bit(tag, bit), "result": "invalid"}))
    script = "hmac_rfc4231.py %s" % name
    return write_vectors(
        "hmac_%s_rfc4231_test.json" % name, "HMAC" + name.upper(), "mac_test_schema_v1.json",
        ["Test vectors of type MacTest for HMAC-%s." % name.upper().replace("SHA", "SHA-"),
         "Source: RFC 4231 section 4.2-4.8 (test cases 1-7; test case 5 is the 128-bit truncated tag the RFC prints),",
         "values as printed in the RFC; each recomputed with Python hmac/hashlib by generate/%s." % script,
         "Invalid tests: the same inputs with one bit of the tag flipped.",
         "Regenerate: cd Vectors/generate && python3 %s" % script],
        MAC_NOTES, group_tests(items))


if __name__ == "__main__":
    for n in (sys.argv[1:] or ["sha256", "sha512"]):
        build(n)
