"""Writes ../hmac_sha1_rfc2202_test.json: RFC 2202 section 3, HMAC-SHA-1 test cases 1-7."""
import hashlib

from common import flip_bit, hx, write_vectors
from hmac_rfc import MAC_NOTES, RFC2202_SHA1, RFC2202_SHA1_TC5_96, check, group_tests

items = []
for case, key, data, tag in RFC2202_SHA1:
    check(key, data, hashlib.sha1, tag)
    flags = ["Rfc2202"] + (["LongKey"] if len(key) > 64 else [])
    items.append((key, 160, {"comment": "RFC 2202 section 3, test_case %d" % case, "flags": flags,
                             "key": hx(key), "msg": hx(data), "tag": tag, "result": "valid"}))
key, data = RFC2202_SHA1[4][1], RFC2202_SHA1[4][2]
check(key, data, hashlib.sha1, RFC2202_SHA1_TC5_96)
items.append((key, 96, {"comment": "RFC 2202 section 3, test_case 5, digest-96", "flags": ["Rfc2202", "Truncated"],
                        "key": hx(key), "msg": hx(data), "tag": RFC2202_SHA1_TC5_96, "result": "valid"}))
# Invalid: one flipped bit, in the first byte, the last byte and the middle.
for case, bit in ((1, 0), (2, 159), (6, 80)):
    _, key, data, tag = RFC2202_SHA1[case - 1]
    items.append((key, 160, {"comment": "RFC 2202 test_case %d with tag bit %d flipped" % (case, bit),
                             "flags": ["ModifiedTag"], "key": hx(key), "msg": hx(data),
                             "tag": flip_bit(tag, bit), "result": "invalid"}))
items.append((RFC2202_SHA1[4][1], 96, {"comment": "RFC 2202 test_case 5 digest-96 with tag bit 95 flipped", "flags": ["ModifiedTag", "Truncated"],
                        "key": hx(RFC2202_SHA1[4][1]), "msg": hx(RFC2202_SHA1[4][2]),
                        "tag": flip_bit(RFC2202_SHA1_TC5_96, 95), "result": "invalid"}))

write_vectors(
    "hmac_sha1_rfc2202_test.json", "HMACSHA1", "mac_test_schema_v1.json",
    ["Test vectors of type MacTest for HMAC-SHA-1.",
     "Source: RFC 2202 section 3 (test_case 1-7, and test_case 5 digest-96), values as printed in the RFC;",
     "each recomputed with Python hmac/hashlib by generate/hmac_sha1_rfc2202_test.py.",
     "Invalid tests: the same inputs with one bit of the tag flipped.",
     "Regenerate: cd Vectors/generate && python3 hmac_sha1_rfc2202_test.py"],
    MAC_NOTES, group_tests(items))
