"""Deadbolt's checker for Vectors/*.json.

For every file: valid JSON, Wycheproof layout (algorithm, schema, numberOfTests equal to the real
count, header strings, notes object, testGroups with type and tests), tcIds 1..N unique and
increasing, result in valid/invalid/acceptable, flags a list of strings each described in notes,
hex fields lower-case. Then every test is recomputed with Python libraries:
  MacTest hmac; PbkdfTest hashlib; Argon2Test argon2-cffi's libargon2 (raw tag) plus a strict parser of
  Deadbolt's PHC grammar written here (valid strings must parse and verify, invalid ones must not);
  HotpTest/TotpTest pyotp and RFC 4226 written out; OtpauthUriTest a strict Key-Uri-Format parser
  written here; EncodedHashTest the producing library's verify (argon2-cffi, libsodium via
  generate/sodium_pwhash.c, passlib, Django).
Usage: python3 check.py [FILE.json ...]   (default: every *_test.json in Vectors/). Exit 1 on any failure.
"""
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import sys
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
VECTORS = os.path.dirname(HERE)

SCHEMAS = {
    "MacTest": ["key", "msg", "tag"],
    "PbkdfTest": ["password", "salt", "iterationCount", "dkLen", "dk"],
    "Argon2Test": ["variant", "version", "password", "salt", "secret", "ad", "t", "m", "p", "tagLength", "tag", "encoded"],
    "HotpTest": ["secret", "counter", "digits", "hash", "expected"],
    "TotpTest": ["secret", "time", "period", "t0", "digits", "hash", "expected"],
    "OtpauthUriTest": ["uri", "expected"],
    "EncodedHashTest": ["encoded", "password", "producer"],
}
HEX_FIELDS = {"key", "msg", "tag", "password", "salt", "dk", "secret", "ad"}
ALGORITHMS = {
    "MacTest": {"HMACSHA1", "HMACSHA256", "HMACSHA512"},
    "PbkdfTest": {"PBKDF2-HMACSHA1", "PBKDF2-HMACSHA256", "PBKDF2-HMACSHA512"},
    "Argon2Test": {"ARGON2"}, "HotpTest": {"HOTP"}, "TotpTest": {"TOTP"},
    "OtpauthUriTest": {"OTPAUTH-URI"}, "EncodedHashTest": {"ENCODED-HASH"},
}


class Fail(Exception):
    pass


# ---------------------------------------------------------------- structure
def check_structure(doc):
    for k, typ in (("algorithm", str), ("schema", str), ("numberOfTests", int), ("header", list),
                   ("notes", dict), ("testGroups", list)):
        if not isinstance(doc.get(k), typ):
            raise Fail("top-level %s missing or not %s" % (k, typ.__name__))
    if not all(isinstance(h, str) for h in doc["header"]):
        raise Fail("header must be strings")
    count, last = 0, 0
    for g in doc["testGroups"]:
        gtype = g.get("type")
        if gtype not in SCHEMAS:
            raise Fail("unknown group type %r" % gtype)
        if doc["algorithm"] not in ALGORITHMS[gtype]:
            raise Fail("algorithm %s does not fit %s" % (doc["algorithm"], gtype))
        if gtype == "MacTest" and not (isinstance(g.get("keySize"), int) and isinstance(g.get("tagSize"), int)):
            raise Fail("MacTest group needs keySize and tagSize")
        for t in g["tests"]:
            count += 1
            if not isinstance(t.get("tcId"), int) or t["tcId"] != last + 1:
                raise Fail("tcId %r out of sequence after %d" % (t.get("tcId"), last))
            last = t["tcId"]
            if not isinstance(t.get("comment"), str):
                raise Fail("tc %d: comment" % last)
            if t.get("result") not in ("valid", "invalid", "acceptable"):
                raise Fail("tc %d: result %r" % (last, t.get("result")))
            if not isinstance(t.get("flags"), list) or not all(isinstance(f, str) for f in t["flags"]):
                raise Fail("tc %d: flags" % last)
            for f in t["flags"]:
                if f not in doc["notes"]:
                    raise Fail("tc %d: flag %s not described in notes" % (last, f))
            for k in SCHEMAS[gtype]:
                if k not in t:
                    raise Fail("tc %d: field %s missing" % (last, k))
            for k in HEX_FIELDS & set(SCHEMAS[gtype]):
                v = t[k]
                if not isinstance(v, str) or len(v) % 2 or not re.fullmatch(r"[0-9a-f]*", v):
                    raise Fail("tc %d: %s is not lower-case hex" % (last, k))
    if count != doc["numberOfTests"]:
        raise Fail("numberOfTests %d but %d tests" % (doc["numberOfTests"], count))
    return count


def expect(t, ok, detail=""):
    """ok: whether the computation accepted/matched. valid needs True, invalid False, acceptable anything
    (callers that need 'if accepted it must match' check that themselves)."""
    r = t["result"]
    if r == "valid" and not ok:
        raise Fail("tc %d (%s): valid test does not recompute %s" % (t["tcId"], t["comment"], detail))
    if r == "invalid" and ok:
        raise Fail("tc %d (%s): invalid test is accepted %s" % (t["tcId"], t["comment"], detail))


# ---------------------------------------------------------------- MAC / PBKDF2
DIG = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def run_mac(doc, g, t):
    d = DIG[doc["algorithm"][4:]]
    full = hmac.new(bytes.fromhex(t["key"]), bytes.fromhex(t["msg"]), d).digest()
    if g["keySize"] != len(t["key"]) * 4:
        raise Fail("tc %d: keySize does not match the key" % t["tcId"])
    want = full[: g["tagSize"] // 8].hex()
    expect(t, hmac.compare_digest(want, t["tag"]))


def run_pbkdf(doc, g, t):
    name = doc["algorithm"].split("HMAC")[1].lower()
    dk = hashlib.pbkdf2_hmac(name, bytes.fromhex(t["password"]), bytes.fromhex(t["salt"]), t["iterationCount"], t["dkLen"])
    expect(t, dk.hex() == t["dk"])


# ---------------------------------------------------------------- Argon2
B64 = re.compile(r"[A-Za-z0-9+/]+")
DEC = r"(0|[1-9][0-9]*)"
PHC = re.compile(r"\$(argon2d|argon2i|argon2id)(?:\$v=" + DEC + r")?\$m=" + DEC + ",t=" + DEC + ",p=" + DEC
                 + r"(?:,keyid=([A-Za-z0-9+/]+))?(?:,data=([A-Za-z0-9+/]+))?\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)")


def strict_b64(s):
    if not B64.fullmatch(s) or len(s) % 4 == 1:
        raise ValueError("bad base64")
    raw = base64.b64decode(s + "=" * (-len(s) % 4))
    if base64.b64encode(raw).decode().rstrip("=") != s:
        raise ValueError("non-canonical base64")
    return raw


def parse_phc(s):
    """Deadbolt's PHC grammar; raises ValueError on anything outside it."""
    m = PHC.fullmatch(s)
    if not m:
        raise ValueError("grammar")
    variant, v, mem, t, p, keyid, data, salt_s, tag_s = m.groups()
    version = 16 if v is None else int(v)
    if version not in (16, 19):
        raise ValueError("version")
    mem, t, p = int(mem), int(t), int(p)
    if not (1 <= p <= 0xFFFFFF and 1 <= t <= 0xFFFFFFFF and 8 * p <= mem <= 0xFFFFFFFF):
        raise ValueError("range")
    salt, tag = strict_b64(salt_s), strict_b64(tag_s)
    if not (8 <= len(salt) <= 64 and 4 <= len(tag) <= 128):
        raise ValueError("length")
    if keyid is not None:
        strict_b64(keyid)
    ad = strict_b64(data) if data is not None else b""
    return dict(variant=variant, version=version, m=mem, t=t, p=p, keyid=keyid, ad=ad, salt=salt, tag=tag)


def run_argon2(doc, g, t):
    from argon2_common import cffi_raw
    pw, salt, secret, ad = (bytes.fromhex(t[k]) for k in ("password", "salt", "secret", "ad"))
    if t["tag"] == "" and t["encoded"] == "":
        # Parameters only: an invalid test's parameters must be refused by libargon2, except a version number
        # other than 16 and 19, which libargon2 does not check (see argon2_test_kinds.py).
        if t["result"] == "valid":
            raise Fail("tc %d: a valid Argon2Test needs a tag or an encoded string" % t["tcId"])
        try:
            cffi_raw(t["variant"], t["version"], pw, salt, secret, ad, t["t"], t["m"], t["p"], t["tagLength"])
            computed = t["version"] in (16, 19)
        except RuntimeError:
            computed = False
        expect(t, computed, "(parameters only)")
        return
    if t["tag"] == "":
        # Verify only: the password against the string, by Deadbolt's grammar and argon2-cffi.
        try:
            e = parse_phc(t["encoded"])
            computed = cffi_raw(e["variant"], e["version"], pw, e["salt"], b"", e["ad"], e["t"], e["m"], e["p"], len(e["tag"]))
            ok = hmac.compare_digest(computed, e["tag"])
        except (ValueError, RuntimeError):
            ok = False
        expect(t, ok, "(verify only %r)" % t["encoded"])
        return
    # Raw fields are always consistent: the tag is the real tag for those inputs (valid and invalid tests).
    raw = cffi_raw(t["variant"], t["version"], pw, salt, secret, ad, t["t"], t["m"], t["p"], t["tagLength"])
    if raw.hex() != t["tag"] or len(raw) != t["tagLength"]:
        raise Fail("tc %d: raw tag does not recompute" % t["tcId"])
    if t["encoded"] == "":
        if t["result"] == "invalid":
            raise Fail("tc %d: invalid Argon2Test needs an encoded string" % t["tcId"])
        return
    try:
        e = parse_phc(t["encoded"])
        if e["keyid"] is not None:
            raise ValueError("keyid needs a key store")
        computed = cffi_raw(e["variant"], e["version"], pw, e["salt"], b"", e["ad"], e["t"], e["m"], e["p"], len(e["tag"]))
        ok = hmac.compare_digest(computed, e["tag"])
    except (ValueError, RuntimeError):
        ok, e = False, None
    expect(t, ok, "(encoded %r)" % t["encoded"])
    if t["result"] == "acceptable" and e is not None and not ok:
        raise Fail("tc %d: acceptable string parses but does not verify" % t["tcId"])
    if t["result"] == "valid":
        same = (e["variant"], e["version"], e["m"], e["t"], e["p"], e["salt"], e["tag"], e["ad"]) == \
               (t["variant"], t["version"], t["m"], t["t"], t["p"], salt, raw, ad)
        if not same or secret:
            raise Fail("tc %d: encoded string disagrees with the raw fields" % t["tcId"])


# ---------------------------------------------------------------- OTP
def run_hotp(doc, g, t):
    from otp_common import hotp_direct, hotp_pyotp
    s = bytes.fromhex(t["secret"])
    a = hotp_direct(s, t["counter"], t["digits"], t["hash"])
    b = hotp_pyotp(s, t["counter"], t["digits"], t["hash"])
    if a != b:
        raise Fail("tc %d: pyotp and the direct computation disagree" % t["tcId"])
    expect(t, a == t["expected"])


def run_totp(doc, g, t):
    from otp_common import hotp_direct, totp_pyotp
    s = bytes.fromhex(t["secret"])
    a = hotp_direct(s, (t["time"] - t["t0"]) // t["period"], t["digits"], t["hash"])
    b = totp_pyotp(s, t["time"], t["period"], t["t0"], t["digits"], t["hash"])
    if a != b:
        raise Fail("tc %d: pyotp and the direct computation disagree" % t["tcId"])
    expect(t, a == t["expected"])


PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def pct_decode(s):
    if PCT.search(s):
        raise ValueError("bad percent-encoding")
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == "%":
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        else:
            out += s[i].encode()
            i += 1
    return out.decode("utf-8")


def parse_otpauth(uri):
    """Strict Key-Uri-Format reading (Deadbolt's own); raises ValueError when the URI must be refused."""
    u = urlsplit(uri)
    if u.scheme != "otpauth" or u.netloc not in ("totp", "hotp") or u.fragment:
        raise ValueError("scheme/type")
    if not u.path.startswith("/") or len(u.path) < 2:
        raise ValueError("missing label")
    label = pct_decode(u.path[1:])
    parts = label.split(":")
    if len(parts) > 2:
        raise ValueError("colon inside issuer or account")
    issuer = parts[0] if len(parts) == 2 else None
    account = parts[-1].lstrip(" ")
    if account == "" or issuer == "":
        raise ValueError("empty label part")
    params = {}
    for item in u.query.split("&") if u.query else []:
        if "=" not in item:
            raise ValueError("parameter without =")
        k, v = item.split("=", 1)
        k, v = pct_decode(k), pct_decode(v)
        if k in params:
            raise ValueError("duplicate parameter")
        params[k] = v
    secret = params.get("secret", "").upper().rstrip("=")
    if not secret or not re.fullmatch(r"[A-Z2-7]+", secret) or len(secret) % 8 in (1, 3, 6):
        raise ValueError("secret")
    secret_bytes = base64.b32decode(secret + "=" * (-len(secret) % 8))
    if "issuer" in params:
        if issuer is not None and params["issuer"] != issuer:
            raise ValueError("issuer mismatch")
        issuer = params["issuer"]
    alg = params.get("algorithm", "SHA1")
    if alg not in ("SHA1", "SHA256", "SHA512"):
        raise ValueError("algorithm")
    digits = params.get("digits", "6")
    if not re.fullmatch(r"[678]", digits):
        raise ValueError("digits")
    period = counter = None
    if u.netloc == "totp":
        period = params.get("period", "30")
        if not re.fullmatch(r"[1-9][0-9]*", period):
            raise ValueError("period")
        period = int(period)
    else:
        counter = params.get("counter")
        if counter is None or not re.fullmatch(DEC, counter) or int(counter) >= 2 ** 64:
            raise ValueError("counter")
        counter = int(counter)
    return {"type": u.netloc, "issuer": issuer, "accountName": account, "secret": secret_bytes.hex(),
            "algorithm": alg, "digits": int(digits), "period": period, "counter": counter}


def run_otpauth(doc, g, t):
    try:
        got = parse_otpauth(t["uri"])
    except ValueError:
        got = None
    if t["result"] == "invalid":
        if t["expected"] is not None:
            raise Fail("tc %d: invalid test needs expected null" % t["tcId"])
        expect(t, got is not None)
        return
    if got is None:
        expect(t, False)
        return
    if got != t["expected"]:
        raise Fail("tc %d (%s): parsed %r, expected %r" % (t["tcId"], t["comment"], got, t["expected"]))


# ---------------------------------------------------------------- encoded hashes
_django_ready = False


def verify_encoded(encoded, pw_bytes):
    global _django_ready
    pw = pw_bytes.decode("utf-8")
    if encoded.startswith("$argon2"):
        import argon2
        try:
            a = argon2.PasswordHasher().verify(encoded, pw)
        except argon2.exceptions.VerificationError:
            a = False
        if "$v=19$" in encoded and not encoded.startswith("$argon2d$"):
            from interop_hashes_test import sodium_verify
            if sodium_verify(encoded, pw) != a:
                raise Fail("libsodium and argon2-cffi disagree on %s" % encoded)
        return a
    if encoded.startswith("$pbkdf2"):
        from passlib.hash import pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512
        for h in (pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512):
            if h.identify(encoded):
                return h.verify(pw, encoded)
        raise Fail("unknown passlib format %s" % encoded)
    if encoded.startswith("pbkdf2_sha"):
        from django.contrib.auth.hashers import check_password
        if not _django_ready:
            from interop_hashes_test import setup_django
            setup_django()
            _django_ready = True
        return check_password(pw, encoded)
    raise Fail("unknown encoded-hash format %s" % encoded)


def run_encoded(doc, g, t):
    expect(t, bool(verify_encoded(t["encoded"], bytes.fromhex(t["password"]))))


RUNNERS = {"MacTest": run_mac, "PbkdfTest": run_pbkdf, "Argon2Test": run_argon2, "HotpTest": run_hotp,
           "TotpTest": run_totp, "OtpauthUriTest": run_otpauth, "EncodedHashTest": run_encoded}


def check_file(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    n = check_structure(doc)
    for g in doc["testGroups"]:
        for t in g["tests"]:
            RUNNERS[g["type"]](doc, g, t)
    return n


def main(argv):
    files = argv or sorted(glob.glob(os.path.join(VECTORS, "*_test.json")))
    failed = total = 0
    for p in files:
        try:
            n = check_file(p)
            total += n
            print("ok    %-45s %4d tests" % (os.path.basename(p), n))
        except (Fail, ValueError, KeyError, TypeError) as e:
            failed += 1
            print("FAIL  %-45s %s" % (os.path.basename(p), e))
    print("%d files, %d tests, %d files failed" % (len(files), total, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
