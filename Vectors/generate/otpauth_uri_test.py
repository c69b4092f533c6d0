"""Writes ../otpauth_uri_test.json: OtpauthUriTest cases (Deadbolt-defined) following Google
Authenticator's Key-Uri-Format (github.com/google/google-authenticator/wiki/Key-Uri-Format).

The expected decodings are written by hand from the Key-Uri-Format rules; the secret's hex is
computed with base64.b32decode. Every valid case is also parsed with pyotp.parse_uri and compared
field by field; the header and each test's flags say where pyotp agrees ("PyotpAgrees") or differs
("PyotpDiffers", with the reason in the comment). pyotp's 112-bit secret minimum is lowered to 0 for
the comparison (a documented class attribute), since 80-bit secrets are valid here.
"""
import base64
import hashlib

import pyotp
import pyotp.otp

from common import pip_version, write_vectors

EXAMPLE_SECRET = "JBSWY3DPEHPK3PXP"  # the Key-Uri-Format example, 80 bits
S20 = base64.b32encode(hashlib.shake_256(b"deadbolt-otpauth-20").digest(20)).decode()
S32 = base64.b32encode(hashlib.shake_256(b"deadbolt-otpauth-32").digest(32)).decode().rstrip("=")
S64 = base64.b32encode(hashlib.shake_256(b"deadbolt-otpauth-64").digest(64)).decode().rstrip("=")
S5 = base64.b32encode(hashlib.shake_256(b"deadbolt-otpauth-5").digest(5)).decode()
S16 = base64.b32encode(hashlib.shake_256(b"deadbolt-otpauth-16").digest(16)).decode()  # 26 chars + "======"


def sec(b32: str) -> str:
    s = b32.upper().rstrip("=")
    return base64.b32decode(s + "=" * (-len(s) % 8)).hex()


def exp(type_, issuer, account, secret_b32, algorithm="SHA1", digits=6, period="default", counter=None):
    if period == "default":
        period = 30 if type_ == "totp" else None
    return {"type": type_, "issuer": issuer, "accountName": account, "secret": sec(secret_b32),
            "algorithm": algorithm, "digits": digits, "period": period, "counter": counter}


VALID = [
    ("Key-Uri-Format example (80-bit secret)",
     "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
     exp("totp", "Example", "alice@google.com", EXAMPLE_SECRET), ["KeyUriExample", "ShortSecret"]),
    ("all parameters given explicitly with their default values; issuer with %20",
     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=" + S20 + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
     exp("totp", "ACME Co", "john.doe@email.com", S20), []),
    ("%3A as the issuer:account separator",
     "otpauth://totp/Example%3Aalice@google.com?secret=" + S20 + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S20), ["EncodedColon"]),
    ("no issuer anywhere: issuer is null",
     "otpauth://totp/alice@google.com?secret=" + S20,
     exp("totp", None, "alice@google.com", S20), ["NoIssuer"]),
    ("issuer only as a parameter",
     "otpauth://totp/alice@google.com?secret=" + S20 + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S20), []),
    ("issuer only in the label",
     "otpauth://totp/Example:alice@google.com?secret=" + S20,
     exp("totp", "Example", "alice@google.com", S20), []),
    ("lower-case base32 secret",
     "otpauth://totp/Example:alice@google.com?secret=" + S20.lower() + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S20), ["LowerCaseSecret"]),
    ("SHA256, 8 digits, period 60, 32-byte secret without padding",
     "otpauth://totp/Example:alice@google.com?secret=" + S32 + "&issuer=Example&algorithm=SHA256&digits=8&period=60",
     exp("totp", "Example", "alice@google.com", S32, "SHA256", 8, 60), []),
    ("SHA512, 7 digits, 64-byte secret without padding",
     "otpauth://totp/Example:alice@google.com?secret=" + S64 + "&issuer=Example&algorithm=SHA512&digits=7",
     exp("totp", "Example", "alice@google.com", S64, "SHA512", 7), []),
    ("period 15",
     "otpauth://totp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&period=15",
     exp("totp", "Example", "alice@google.com", S20, period=15), []),
    ("hotp with counter 0",
     "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&counter=0",
     exp("hotp", "Example", "alice@google.com", S20, counter=0), ["Hotp"]),
    ("hotp with SHA256, 8 digits, counter 42",
     "otpauth://hotp/Example:bob?secret=" + S32 + "&issuer=Example&algorithm=SHA256&digits=8&counter=42",
     exp("hotp", "Example", "bob", S32, "SHA256", 8, counter=42), ["Hotp"]),
    ("hotp with counter 2^63-1",
     "otpauth://hotp/Example:bob?secret=" + S20 + "&counter=9223372036854775807",
     exp("hotp", "Example", "bob", S20, counter=9223372036854775807), ["Hotp", "LargeCounter"]),
    ("parameters in another order (secret last)",
     "otpauth://totp/Example:alice@google.com?digits=8&issuer=Example&algorithm=SHA256&secret=" + S20,
     exp("totp", "Example", "alice@google.com", S20, "SHA256", 8), []),
    ("spaces as %20 in issuer and account name",
     "otpauth://totp/ACME%20Co:John%20Doe?secret=" + S20 + "&issuer=ACME%20Co",
     exp("totp", "ACME Co", "John Doe", S20), []),
    ("percent-encoded UTF-8 issuer and account name",
     "otpauth://totp/Caf%C3%A9:j%C3%BCrgen?secret=" + S20 + "&issuer=Caf%C3%A9",
     exp("totp", "Café", "jürgen", S20), ["Utf8"]),
    ("optional space before the account name (Key-Uri-Format allows it) is not part of the name",
     "otpauth://totp/Example:%20alice@google.com?secret=" + S20 + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S20), ["SpaceBeforeAccount"]),
    ("'+' in the label path is a literal plus",
     "otpauth://totp/Example:alice+otp@google.com?secret=" + S20 + "&issuer=Example",
     exp("totp", "Example", "alice+otp@google.com", S20), []),
    ("16-byte secret (26 base32 characters, padding omitted)",
     "otpauth://totp/Example:alice@google.com?secret=" + S16.rstrip("=") + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S16), []),
]

GOOD = "otpauth://totp/Example:alice@google.com?secret=" + S20 + "&issuer=Example"
INVALID = [
    ("duplicate parameter: secret twice", "otpauth://totp/Example:alice@google.com?secret=" + S20 + "&secret=" + S32 + "&issuer=Example", ["DuplicateParameter"]),
    ("duplicate parameter: digits twice", GOOD + "&digits=6&digits=8", ["DuplicateParameter"]),
    ("bad base32 character '1' in the secret", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PX1&issuer=Example", ["BadSecret"]),
    ("base32 secret of an impossible length (17 characters)", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXPA&issuer=Example", ["BadSecret"]),
    ("digits=5", GOOD + "&digits=5", ["BadDigits"]),
    ("digits=9", GOOD + "&digits=9", ["BadDigits"]),
    ("digits not a number", GOOD + "&digits=six", ["BadDigits"]),
    ("period=0", GOOD + "&period=0", ["BadPeriod"]),
    ("period=-30", GOOD + "&period=-30", ["BadPeriod"]),
    ("period=abc", GOOD + "&period=abc", ["BadPeriod"]),
    ("period=30.5", GOOD + "&period=30.5", ["BadPeriod"]),
    ("hotp without counter", "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example", ["BadCounter"]),
    ("counter=-1", "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&counter=-1", ["BadCounter"]),
    ("counter=1.5", "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&counter=1.5", ["BadCounter"]),
    ("counter empty", "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&counter=", ["BadCounter"]),
    ("missing secret", "otpauth://totp/Example:alice@google.com?issuer=Example", ["BadSecret"]),
    ("empty secret", "otpauth://totp/Example:alice@google.com?secret=&issuer=Example", ["BadSecret"]),
    ("unknown type motp", "otpauth://motp/Example:alice@google.com?secret=" + S20 + "&issuer=Example", ["BadType"]),
    ("unknown algorithm MD5", GOOD + "&algorithm=MD5", ["BadAlgorithm"]),
    ("issuer mismatch between label (Example) and parameter (Other)", "otpauth://totp/Example:alice@google.com?secret=" + S20 + "&issuer=Other", ["IssuerMismatch"]),
    ("wrong scheme http://", "http://totp/Example:alice@google.com?secret=" + S20 + "&issuer=Example", ["BadScheme"]),
    ("missing label (empty path)", "otpauth://totp/?secret=" + S20 + "&issuer=Example", ["BadLabel"]),
    ("missing label (no path)", "otpauth://totp?secret=" + S20 + "&issuer=Example", ["BadLabel"]),
    ("empty account name after the issuer", "otpauth://totp/Example:?secret=" + S20 + "&issuer=Example", ["BadLabel"]),
    ("label with two colons (a colon inside the account name)", "otpauth://totp/Example:alice:bob?secret=" + S20 + "&issuer=Example", ["BadLabel"]),
    ("malformed percent-encoding in the label (%ZZ)", "otpauth://totp/Example:alice%ZZ?secret=" + S20 + "&issuer=Example", ["BadLabel"]),
]

ACCEPTABLE = [
    ("image parameter (an extension some apps use)", GOOD + "&image=https%3A%2F%2Fexample.com%2Flogo.png",
     exp("totp", "Example", "alice@google.com", S20), ["ExtraParameter"]),
    ("unknown extra parameter", GOOD + "&foo=bar",
     exp("totp", "Example", "alice@google.com", S20), ["ExtraParameter"]),
    ("base32 padding given as %3D", "otpauth://totp/Example:alice@google.com?secret=" + S16.replace("=", "%3D") + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S16), ["PaddedSecret"]),
    ("algorithm in lower case (sha256)", GOOD + "&algorithm=sha256",
     exp("totp", "Example", "alice@google.com", S20, "SHA256"), ["LowerCaseAlgorithm"]),
    ("counter parameter on a totp URI (ignored)", GOOD + "&counter=5",
     exp("totp", "Example", "alice@google.com", S20), ["ExtraParameter"]),
    ("period parameter on a hotp URI (ignored)",
     "otpauth://hotp/Example:alice@google.com?secret=" + S20 + "&issuer=Example&counter=3&period=60",
     exp("hotp", "Example", "alice@google.com", S20, counter=3), ["ExtraParameter"]),
    ("40-bit secret, below the 80 bits of the Key-Uri-Format example", "otpauth://totp/Example:alice@google.com?secret=" + S5 + "&issuer=Example",
     exp("totp", "Example", "alice@google.com", S5), ["ShortSecret"]),
]

ALG = {hashlib.sha1: "SHA1", hashlib.sha256: "SHA256", hashlib.sha512: "SHA512"}


def pyotp_view(uri):
    pyotp.otp.OTP.min_secret_length_bits = 0
    try:
        o = pyotp.parse_uri(uri)
    except Exception as e:
        return None, "pyotp refuses it (%s)" % e
    is_totp = isinstance(o, pyotp.TOTP)
    d = {"type": "totp" if is_totp else "hotp", "issuer": o.issuer, "accountName": o.name,
         "secret": o.byte_secret().hex(), "algorithm": ALG.get(o.digest, str(o.digest)), "digits": o.digits,
         "period": o.interval if is_totp else None, "counter": None if is_totp else o.initial_count}
    return d, None


def compare(uri, expected):
    got, err = pyotp_view(uri)
    if err:
        return False, err
    diffs = ["%s: pyotp %r" % (k, got[k]) for k in expected if got[k] != expected[k]]
    return not diffs, ("pyotp differs: " + ", ".join(diffs)) if diffs else ""


tests, agreeing, differing = [], 0, []
for comment, uri, expected, flags in VALID:
    ok, why = compare(uri, expected)
    if ok:
        agreeing += 1
        flags = flags + ["PyotpAgrees"]
    else:
        differing.append(comment)
        flags = flags + ["PyotpDiffers"]
        comment = comment + " [" + why + "]"
    tests.append({"comment": comment, "flags": flags, "uri": uri, "expected": expected, "result": "valid"})
valid_group = {"type": "OtpauthUriTest", "tests": tests}
invalid_group = {"type": "OtpauthUriTest", "tests": [
    {"comment": c, "flags": f, "uri": u, "expected": None, "result": "invalid"} for c, u, f in INVALID]}
acc_group = {"type": "OtpauthUriTest", "tests": [
    {"comment": c, "flags": f, "uri": u, "expected": e, "result": "acceptable"} for c, u, e, f in ACCEPTABLE]}

NOTES = {
    "KeyUriExample": {"bugType": "BASIC", "description": "The example URI of Google Authenticator's Key-Uri-Format page."},
    "ShortSecret": {"bugType": "EDGE_CASE", "description": "A short secret (80 bits or less)."},
    "EncodedColon": {"bugType": "FUNCTIONALITY", "description": "Key-Uri-Format allows a literal or url-encoded colon (%3A) as the issuer:account separator."},
    "NoIssuer": {"bugType": "FUNCTIONALITY", "description": "Neither label nor parameters name an issuer: issuer is null."},
    "LowerCaseSecret": {"bugType": "FUNCTIONALITY", "description": "The base32 secret is in lower case."},
    "Hotp": {"bugType": "FUNCTIONALITY", "description": "A hotp URI: counter required, period null."},
    "LargeCounter": {"bugType": "EDGE_CASE", "description": "A counter beyond 32 bits."},
    "Utf8": {"bugType": "FUNCTIONALITY", "description": "Percent-encoded non-ASCII UTF-8."},
    "SpaceBeforeAccount": {"bugType": "FUNCTIONALITY", "description": "Key-Uri-Format: optional spaces may precede the account name; they are not part of it."},
    "PyotpAgrees": {"bugType": "BASIC", "description": "pyotp.parse_uri gives the same decoding."},
    "PyotpDiffers": {"bugType": "FUNCTIONALITY", "description": "pyotp.parse_uri decodes this differently or refuses it; the expected value follows Key-Uri-Format (the reason is in the comment)."},
    "DuplicateParameter": {"bugType": "CAN_OF_WORMS", "description": "A parameter appears twice."},
    "BadSecret": {"bugType": "MODIFIED_PARAMETER", "description": "The secret is missing, empty or not valid base32."},
    "BadDigits": {"bugType": "MODIFIED_PARAMETER", "description": "digits is not 6, 7 or 8."},
    "BadPeriod": {"bugType": "MODIFIED_PARAMETER", "description": "period is not a positive integer."},
    "BadCounter": {"bugType": "MODIFIED_PARAMETER", "description": "counter is missing from a hotp URI or not a non-negative integer."},
    "BadType": {"bugType": "MODIFIED_PARAMETER", "description": "The type is neither totp nor hotp."},
    "BadAlgorithm": {"bugType": "MODIFIED_PARAMETER", "description": "The algorithm is not SHA1, SHA256 or SHA512."},
    "IssuerMismatch": {"bugType": "AUTH_BYPASS", "description": "The label's issuer and the issuer parameter differ."},
    "BadScheme": {"bugType": "MODIFIED_PARAMETER", "description": "The scheme is not otpauth."},
    "BadLabel": {"bugType": "MODIFIED_PARAMETER", "description": "The label is missing, has an empty account name, an extra colon or bad percent-encoding."},
    "ExtraParameter": {"bugType": "FUNCTIONALITY", "description": "A parameter this type does not use; a parser may ignore it or refuse the URI."},
    "PaddedSecret": {"bugType": "FUNCTIONALITY", "description": "Base32 padding, which Key-Uri-Format says should be omitted."},
    "LowerCaseAlgorithm": {"bugType": "FUNCTIONALITY", "description": "The algorithm name in lower case."},
}

if __name__ == "__main__":
    write_vectors(
        "otpauth_uri_test.json", "OTPAUTH-URI", "otpauth_uri_test_schema.json",
        ["Test vectors of type OtpauthUriTest (Deadbolt-defined, see Vectors/README.md).",
         "Source: Google Authenticator's Key-Uri-Format (github.com/google/google-authenticator/wiki/Key-Uri-Format),",
         "including its example otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example.",
         "Expected decodings written from those rules; secrets' hex computed with Python base64.b32decode.",
         "Groups: valid (must parse to exactly expected), invalid (must be refused), acceptable (may be refused; if accepted must parse to expected).",
         "Cross-check: each valid URI parsed with pyotp %s pyotp.parse_uri (112-bit minimum lowered to 0): %d of %d agree;" % (pip_version("pyotp"), agreeing, len(VALID)),
         "pyotp differs on: " + ("; ".join(differing) if differing else "none") + " (see each comment).",
         "Regenerate: cd Vectors/generate && python3 otpauth_uri_test.py"],
        NOTES, [valid_group, invalid_group, acc_group])
    for t in tests:
        if "PyotpDiffers" in t["flags"]:
            print("  ", t["comment"])
