"""Writes a seed corpus for every fuzz target from the vector files, so the fuzzers start from real inputs:
python3 Fuzz/seeds.py VECTORS_DIR OUT_DIR  ->  OUT_DIR/<Target>/<n> files.

Made at run time from Vectors/*.json (never committed): stored-hash strings, otpauth URIs, base32 secrets, hex
fields and whole vector files go in as they are; the formats with no vector file of their own (Redis replies,
pepper key files, PIN context text, sealed-secret inputs, security events) are built from the vectors' values.
Standard library only.
"""
import base64
import glob
import hashlib
import json
import os
import struct
import sys
import urllib.parse


def tests(doc):
    for group in doc.get("testGroups", []):
        for test in group.get("tests", []):
            yield group, test


def main(vectors, out):
    seeds = {}

    def add(target, data):
        if isinstance(data, str):
            data = data.encode()
        seeds.setdefault(target, set()).add(bytes(data))

    hex_fields, secrets, codes, uris = [], [], [], []
    for path in sorted(glob.glob(os.path.join(vectors, "*_test.json"))):
        with open(path, "rb") as f:
            raw = f.read()
        doc = json.loads(raw)
        add("FuzzVectorFile", raw)
        # Small copies, one group of at most three tests each: quick to run, and the same shapes.
        for group in doc.get("testGroups", []):
            small = dict(doc, testGroups=[dict(group, tests=group.get("tests", [])[:3])])
            add("FuzzVectorFile", json.dumps(small))
        for group, test in tests(doc):
            for name in ("encoded",):
                if test.get(name):
                    add("FuzzStoredHash", test[name])
                    for part in test[name].split("$")[-2:]:
                        add("FuzzBase64", part)
            if test.get("uri"):
                uris.append(test["uri"])
                add("FuzzOTPAuthURI", test["uri"])
            for name in ("key", "msg", "tag", "secret", "password", "salt", "ad", "dk"):
                value = test.get(name)
                if isinstance(value, str) and value:
                    hex_fields.append(value)
                    add("FuzzHex", value)
            if isinstance(test.get("secret"), str) and test["secret"]:
                secrets.append(bytes.fromhex(test["secret"]))
            if isinstance(test.get("expected"), str) and test["expected"].isdigit():
                codes.append(test["expected"])

    for uri in uris:
        query = urllib.parse.urlparse(uri).query
        for name, value in urllib.parse.parse_qsl(query):
            if name == "secret":
                add("FuzzBase32", value)
    for secret in secrets:
        add("FuzzBase32", base64.b32encode(secret).decode().rstrip("="))
        add("FuzzBase32", base64.b32encode(secret).decode())
        add("FuzzBase64", base64.b64encode(secret).decode())

    # Pepper key files: every key of 32 bytes or more, one a file and all in one file.
    keys = [h for h in hex_fields if len(h) >= 64 and len(h) <= 2048]
    for index, key in enumerate(keys[:40]):
        add("FuzzPepperKeyFile", "k%d:%s\n" % (index, key))
    add("FuzzPepperKeyFile", "# keyring\n" + "".join("k%d:%s\n" % (i, k) for i, k in enumerate(keys[:8])))

    # PINs: the codes of the OTP vectors, alone and with a context made from them.
    for code in codes[:60]:
        add("FuzzPINInput", code)
        context = "birth-date: 19%s-0%d-1%d\nssn-last-four: %s\nphone: +1 555 %s\n" % (
            code[:2], int(code[2]) % 9 + 1, int(code[3]) % 9, code[-4:], code)
        add("FuzzPINInput", code.encode() + b"\0" + context.encode())
    add("FuzzPINInput", b"2000-02-29")

    # Sealed secrets: a secret and an account, separated by a zero byte.
    accounts = [urllib.parse.unquote(urllib.parse.urlparse(u).path.lstrip("/")) for u in uris][:20]
    for secret, account in zip(secrets[:20], accounts or ["alice@example.com"] * 20):
        add("FuzzSealedSecret", secret + b"\0" + account.encode())

    # Redis replies in RESP2, carrying the vectors' values the way the store's replies carry digests and counters.
    def bulk(b):
        return b"$%d\r\n%s\r\n" % (len(b), b)

    add("FuzzRedisReply", b"+OK\r\n")
    add("FuzzRedisReply", b"$-1\r\n")
    add("FuzzRedisReply", b"*-1\r\n")
    for index, h in enumerate(hex_fields[:30]):
        value = bytes.fromhex(h)
        add("FuzzRedisReply", bulk(value))
        add("FuzzRedisReply", b"*3\r\n:%d\r\n%s$-1\r\n" % (index, bulk(value)))
        slot = int(hashlib.sha256(value).hexdigest(), 16) % 16384
        add("FuzzRedisReply", b"-MOVED %d 127.0.0.1:%d\r\n" % (slot, 7001 + index % 3))
        add("FuzzRedisReply", b"-ASK %d :%d\r\n" % (slot, 7001 + index % 3))
        add("FuzzRedisReply", b"*1\r\n*3\r\n:0\r\n:%d\r\n*3\r\n%s:%d\r\n%s\r\n" % (
            slot, bulk(b"127.0.0.1"), 7001 + index % 3, bulk(h[:40].encode())))
    add("FuzzRedisReply", b"-NOSCRIPT No matching script. Please use EVAL.\r\n")

    # Security events in SecurityEventEncoding's version-1 layout.
    for index, code in enumerate(codes[:30]):
        kind = [b"attemptFailed", b"locked", b"codeRedeemed", b"storeUnavailable"][index % 4]
        presence = [0x01, 0x0B, 0x1F, 0x3F][index % 4]
        event = bytes([1, len(kind)]) + kind + struct.pack(">Q", 1_700_000_000_000 + int(code))
        event += bytes([presence])
        for flag, text in ((0x01, b"alice@example.com"), (0x02, b"2001:db8::1"), (0x04, code.encode())):
            if presence & flag:
                event += struct.pack(">H", len(text)) + text
        if presence & 0x08:
            event += struct.pack(">I", int(code) % 100)
        if presence & 0x10:
            event += struct.pack(">Q", 900_000)
        if presence & 0x20:
            event += struct.pack(">H", 7) + b"timeout"
        add("FuzzSecurityEvent", event)

    for target, values in seeds.items():
        directory = os.path.join(out, target)
        os.makedirs(directory, exist_ok=True)
        for index, value in enumerate(sorted(values)):
            with open(os.path.join(directory, "seed-%04d" % index), "wb") as f:
                f.write(value)
    print(" ".join("%s:%d" % (t, len(v)) for t, v in sorted(seeds.items())))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: seeds.py VECTORS_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
