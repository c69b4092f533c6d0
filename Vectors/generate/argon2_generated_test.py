"""Writes ../argon2_generated_test.json: Argon2Test cases made with the reference `argon2` CLI
(Debian package argon2), each cross-checked against argon2-cffi, plus invalid PHC encodings.

Valid cases: `echo -n PASSWORD | argon2 SALT -<variant> -t T -k M -p P -l L [-v 10] -e`; the tag
decoded from the CLI's PHC string must equal argon2-cffi's hash_secret_raw for the same inputs,
and argon2-cffi's verify_secret must accept the string. The CLI reads at most 127 password bytes,
refuses an empty one and takes the salt as a command-line string; the few cases it cannot make
(empty password, 128-byte password, binary salt, secret/ad) come from argon2-cffi and are
cross-checked with the system libargon2 through generate/argon2_ctx.c.
Invalid cases keep the raw fields of a valid case (raw tag correct) and put one defect in `encoded`.
"""
import hashlib

from argon2.low_level import VerificationError, hash_secret, hash_secret_raw, verify_secret

from common import hx, pip_version, tool_version, write_vectors
from argon2_common import TYPES, b64, cffi_raw, cli_encoded, phc, system_raw, unb64

VARIANTS = ["argon2d", "argon2i", "argon2id"]
VERSIONS = [19, 16]


def det(label, n):
    return hashlib.shake_256(("deadbolt-argon2:" + label).encode()).digest(n)


def ascii_salt(label, n):
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return bytes(alphabet[b % len(alphabet)] for b in det(label, n))


# (t, m KiB, p, tagLength, salt length, password, comment)
PARAMS = [
    (1, 8, 1, 4, 8, b"pw", "minimum memory (8 KiB), 4-byte tag, 8-byte salt"),
    (2, 64, 1, 32, 16, b"password", "typical shape, small memory"),
    (3, 256, 2, 16, 12, b"482913", "6-digit PIN, two lanes"),
    (4, 1024, 4, 64, 32, det("pw127", 127).hex()[:127].encode(), "127-byte password (CLI maximum), 4 lanes, 64-byte tag"),
    (1, 32, 4, 24, 16, "pässwörd 🔑".encode(), "UTF-8 password, m = 8*p exactly"),
    (2, 100, 3, 33, 20, b"correct horse battery staple", "odd tag length, m not a multiple of 4*p"),
]


def decode_cli(encoded):
    parts = encoded.split("$")
    return unb64(parts[-2]), unb64(parts[-1])


def valid_cli_cases():
    tests = []
    n = 0
    for variant in VARIANTS:
        for version in VERSIONS:
            for t, m, p, taglen, saltlen, pw, comment in PARAMS:
                n += 1
                salt = ascii_salt("salt%d" % n, saltlen)
                encoded, cmd = cli_encoded(variant, version, pw, salt, t, m, p, taglen)
                dsalt, tag = decode_cli(encoded)
                assert dsalt == salt
                raw = hash_secret_raw(pw, salt, t, m, p, taglen, TYPES[variant], version)
                if raw != tag:
                    raise SystemExit("CLI and argon2-cffi disagree: %s" % encoded)
                assert verify_secret(encoded.encode(), pw, TYPES[variant])
                flags = ["Generated", "ArgonCli"] + (["Version16"] if version == 16 else [])
                if any(c >= 0x80 for c in pw):
                    flags.append("Utf8")
                tests.append({"comment": "%s v%d: %s (argon2 CLI)" % (variant, version, comment), "flags": flags,
                              "variant": variant, "version": version, "password": hx(pw), "salt": hx(salt),
                              "secret": "", "ad": "", "t": t, "m": m, "p": p, "tagLength": taglen, "tag": hx(tag),
                              "encoded": encoded, "result": "valid"})
    return tests


def cffi_case(comment, flags, variant, version, pw, salt, t, m, p, taglen, secret=b"", ad=b"", encoded=None):
    a = cffi_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
    b = system_raw(variant, version, pw, salt, secret, ad, t, m, p, taglen)
    if a != b:
        raise SystemExit("argon2-cffi and system libargon2 disagree: %s" % comment)
    if encoded is None:
        if secret or ad:
            encoded = ""
        else:
            encoded = hash_secret(pw, salt, t, m, p, taglen, TYPES[variant], version).decode()
            assert encoded == phc(variant, version, m, t, p, salt, a)
    if encoded and not ad:
        assert verify_secret(encoded.encode(), pw, TYPES[variant])
    return {"comment": comment, "flags": ["Generated"] + flags, "variant": variant, "version": version,
            "password": hx(pw), "salt": hx(salt), "secret": hx(secret), "ad": hx(ad), "t": t, "m": m, "p": p,
            "tagLength": taglen, "tag": hx(a), "encoded": encoded, "result": "valid"}


def valid_cffi_cases():
    out = []
    out.append(cffi_case("argon2id v19: empty password (the CLI refuses it; argon2-cffi)", ["EmptyPassword"],
                         "argon2id", 19, b"", det("s-empty", 16), 2, 64, 1, 32))
    out.append(cffi_case("argon2id v19: 128-byte password (past the CLI's limit; argon2-cffi)", ["LongPassword"],
                         "argon2id", 19, det("pw128", 128), det("s-128", 16), 1, 64, 2, 32))
    out.append(cffi_case("argon2i v19: binary 64-byte salt, 128-byte tag (maximum lengths; argon2-cffi)", ["MaxLength"],
                         "argon2i", 19, b"password", det("s-64", 64), 1, 16, 1, 128))
    out.append(cffi_case("argon2id v19 with a secret (pepper); no PHC string applies", ["SecretAndAd"],
                         "argon2id", 19, b"482913", det("s-sec", 16), 2, 64, 1, 32, secret=det("pepper", 32)))
    out.append(cffi_case("argon2d v16 with secret and associated data; no PHC string applies", ["SecretAndAd", "Version16"],
                         "argon2d", 16, b"password", det("s-secad", 16), 1, 32, 2, 32, secret=det("k", 8), ad=det("x", 12)))
    # Associated data carried in the PHC string's data= field (Deadbolt grammar; libargon2 does not parse it).
    ad = det("ad-phc", 10)
    salt = det("s-data", 16)
    tag = cffi_raw("argon2id", 19, b"password", salt, b"", ad, 2, 64, 1, 32)
    enc = "$argon2id$v=19$m=64,t=2,p=1,data=%s$%s$%s" % (b64(ad), b64(salt), b64(tag))
    out.append(cffi_case("argon2id v19 with associated data in the PHC data= parameter", ["AssociatedDataInEncoding"],
                         "argon2id", 19, b"password", salt, 2, 64, 1, 32, ad=ad, encoded=enc))
    return out


def legacy_case(v16_test):
    """A version-16 string with no v= part: libargon2 reads it as version 16."""
    t = dict(v16_test)
    t["encoded"] = t["encoded"].replace("$v=16$", "$", 1)
    t["flags"] = ["Generated", "Legacy", "Version16"]
    t["comment"] = "legacy PHC string without v= (means version 16), from the argon2 CLI's -v 10 output"
    assert verify_secret(t["encoded"].encode(), bytes.fromhex(t["password"]), TYPES[t["variant"]])
    return t


def invalid_cases(base, b64case, v16case):
    """base: a valid argon2id v19 test; every invalid test keeps its raw fields and alters `encoded`."""
    enc = base["encoded"]
    _, variant, vpart, params, salt_s, tag_s = enc.split("$")
    m, t, p = base["m"], base["t"], base["p"]
    salt, tag = bytes.fromhex(base["salt"]), bytes.fromhex(base["tag"])

    def mk(e, comment, flags, src=base):
        d = dict(src)
        d.update({"encoded": e, "comment": comment, "flags": flags, "result": "invalid"})
        return d

    def join(v=variant, vp=vpart, pa=params, s=salt_s, tg=tag_s):
        return "$".join(["", v, vp, pa, s, tg])

    out = []
    flipped = bytearray(tag); flipped[0] ^= 1
    out.append(mk(join(tg=b64(bytes(flipped))), "tag altered by one bit", ["ModifiedTag"]))
    s2 = bytearray(salt); s2[-1] ^= 0x80
    out.append(mk(join(s=b64(bytes(s2))), "salt altered (one bit of the last byte)", ["ModifiedSalt"]))
    out.append(mk(join(v="argon2i"), "wrong variant name: argon2i on an argon2id hash", ["WrongVariant"]))
    out.append(mk(join(v="argon2"), "unknown variant name 'argon2'", ["WrongVariant"]))
    out.append(mk(join(v="Argon2id"), "variant name in the wrong case 'Argon2id'", ["WrongVariant"]))
    out.append(mk(join(vp="v=16"), "version altered: v=16 on a version 19 hash", ["WrongVersion"]))
    out.append(mk(join(vp="v=20"), "unknown version v=20", ["WrongVersion"]))
    out.append(mk(join(vp="v=019"), "version with a leading zero v=019", ["NonCanonicalNumber"]))
    out.append(mk("$".join(["", variant, params, salt_s, tag_s]),
                  "v= part removed from a version 19 hash (legacy reading is version 16, does not verify)", ["WrongVersion", "Legacy"]))
    out.append(mk(join(pa="m=0%d,t=%d,p=%d" % (m, t, p)), "m with a leading zero (m=0%d)" % m, ["NonCanonicalNumber"]))
    out.append(mk(join(pa="m=%d,t=0%d,p=%d" % (m, t, p)), "t with a leading zero (t=0%d)" % t, ["NonCanonicalNumber"]))
    out.append(mk(join(pa="m=%d,t=%d,p=0%d" % (m, t, p)), "p with a leading zero (p=0%d)" % p, ["NonCanonicalNumber"]))
    out.append(mk(join(pa="m=%d,t=+%d,p=%d" % (m, t, p)), "t with a plus sign (t=+%d)" % t, ["NonCanonicalNumber"]))
    out.append(mk(join(pa="t=%d,m=%d,p=%d" % (t, m, p)), "parameters out of canonical order (t before m)", ["ParameterOrder"]))
    out.append(mk(join(pa="m=%d,p=%d,t=%d" % (m, p, t)), "parameters out of canonical order (p before t)", ["ParameterOrder"]))
    out.append(mk(join(tg=tag_s + "=" * (-len(tag_s) % 4)), "padding '=' after the tag's base64", ["Base64Padding"]))
    out.append(mk(join(s=salt_s + "=" * (-len(salt_s) % 4)), "padding '=' after the salt's base64", ["Base64Padding"]))
    out.append(mk(join(tg="*" + tag_s[1:]), "character '*' outside the base64 alphabet in the tag", ["Base64Alphabet"]))
    # URL-safe alphabet: '-' and '_' stand for '+' and '/'; a lenient decoder would verify it.
    benc = b64case["encoded"]
    bparts = benc.split("$")
    tg = bparts[-1]
    if "+" in tg:
        tg2 = tg.replace("+", "-", 1)
    else:
        tg2 = tg.replace("/", "_", 1)
    out.append(mk("$".join(bparts[:-1] + [tg2]), "URL-safe base64 character in the tag ('-' or '_' for '+' or '/')", ["Base64Alphabet"], src=b64case))
    # Non-canonical tail: 32-byte tag -> 43 chars, last char carries 2 data bits + 4 zero bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(tag_s[-1])
    assert len(tag) % 3 != 0 and last & 0x0F == 0 if len(tag) % 3 == 1 else True
    pad_bits = 4 if len(tag) % 3 == 1 else 2
    assert last & ((1 << pad_bits) - 1) == 0
    noncanon = tag_s[:-1] + alphabet[last | 1]
    assert unb64(noncanon) == tag  # a lenient decoder gets the same bytes
    out.append(mk(join(tg=noncanon), "non-canonical base64 tail in the tag (a trailing unused bit set)", ["Base64NonCanonical"]))
    out.append(mk(join(s=b64(salt[:7])), "salt shorter than 8 bytes (7)", ["SaltTooShort"]))
    out.append(mk(join(s=b64(salt * 5)[:88]), "salt longer than 64 bytes (66)", ["SaltTooLong"]))
    out.append(mk(join(tg=b64(tag[:3])), "tag shorter than 4 bytes (3)", ["TagTooShort"]))
    out.append(mk(join(pa="m=%d,t=%d,p=%d" % (8 * 2 - 1, t, 2)), "m below 8*p (m=15, p=2)", ["ParameterRange"]))
    out.append(mk(join(pa="m=%d,t=%d,p=0" % (m, t)), "p=0", ["ParameterRange"]))
    out.append(mk(join(pa="m=%d,t=0,p=%d" % (m, p)), "t=0", ["ParameterRange"]))
    out.append(mk(join(pa="m=4294967360,t=%d,p=%d" % (t, p)), "m does not fit in 32 bits (2^32 + 64)", ["ParameterRange"]))
    out.append(mk("$".join(["", variant, vpart, params, tag_s]), "missing $ section (no salt)", ["Structure"]))
    out.append(mk(join(tg=""), "empty tag section after the last $", ["Structure"]))
    out.append(mk(join(s=""), "empty salt section", ["Structure"]))
    out.append(mk(enc + "$" + tag_s, "extra trailing $ section", ["Structure"]))
    out.append(mk(enc[1:], "missing leading $", ["Structure"]))
    out.append(mk(enc + "\n", "trailing newline", ["Structure"]))
    out.append(mk(join(pa="m=%d,t=%d,p=%d,x=1" % (m, t, p)), "unknown parameter name x", ["UnknownParameter"]))
    out.append(mk(join(pa="m=%d,t=%d,p=%d,p=%d" % (m, t, p, p)), "duplicated parameter p", ["DuplicateParameter"]))
    out.append(mk(join(pa="m=%d,m=%d,t=%d,p=%d" % (m, m, t, p)), "duplicated parameter m", ["DuplicateParameter"]))
    # A version-16 hash labelled v=19.
    e16 = v16case["encoded"]
    out.append(mk(e16.replace("$v=16$", "$v=19$"), "version altered: v=19 on a version 16 hash", ["WrongVersion"], src=v16case))
    return out


NOTES = {
    "Generated": {"bugType": "FUNCTIONALITY", "description": "Generated by Deadbolt's generator and cross-checked with a second implementation."},
    "ArgonCli": {"bugType": "FUNCTIONALITY", "description": "encoded is the reference argon2 CLI's -e output; tag cross-checked with argon2-cffi hash_secret_raw."},
    "Version16": {"bugType": "FUNCTIONALITY", "description": "Argon2 version 0x10 (16), made with the CLI's -v 10."},
    "Utf8": {"bugType": "FUNCTIONALITY", "description": "The password is non-ASCII UTF-8."},
    "EmptyPassword": {"bugType": "EDGE_CASE", "description": "The password is empty."},
    "LongPassword": {"bugType": "EDGE_CASE", "description": "A 128-byte password."},
    "MaxLength": {"bugType": "EDGE_CASE", "description": "Salt of 64 bytes and tag of 128 bytes, the largest the Deadbolt grammar allows."},
    "SecretAndAd": {"bugType": "FUNCTIONALITY", "description": "A secret and/or associated data are used; encoded is empty."},
    "AssociatedDataInEncoding": {"bugType": "FUNCTIONALITY", "description": "Associated data carried in the PHC data= parameter (Deadbolt grammar). libargon2 cannot parse it; the raw tag is cross-checked with argon2-cffi and system libargon2."},
    "Legacy": {"bugType": "FUNCTIONALITY", "description": "A PHC string without v=, which libargon2 reads as version 16."},
    "ModifiedTag": {"bugType": "AUTH_BYPASS", "description": "The encoded tag differs from the real one; verification must fail."},
    "ModifiedSalt": {"bugType": "AUTH_BYPASS", "description": "The encoded salt was altered; verification must fail."},
    "WrongVariant": {"bugType": "AUTH_BYPASS", "description": "The variant name is wrong or unknown."},
    "WrongVersion": {"bugType": "AUTH_BYPASS", "description": "The version is wrong or unknown."},
    "NonCanonicalNumber": {"bugType": "CAN_OF_WORMS", "description": "A decimal with a leading zero or sign; the grammar allows none."},
    "ParameterOrder": {"bugType": "CAN_OF_WORMS", "description": "Parameters are not in the order m, t, p."},
    "Base64Padding": {"bugType": "CAN_OF_WORMS", "description": "Base64 with '=' padding; the grammar requires unpadded base64."},
    "Base64Alphabet": {"bugType": "CAN_OF_WORMS", "description": "A character outside the standard base64 alphabet."},
    "Base64NonCanonical": {"bugType": "CAN_OF_WORMS", "description": "The last base64 character has non-zero unused bits; a lenient decoder yields the real tag."},
    "SaltTooShort": {"bugType": "EDGE_CASE", "description": "Salt below 8 bytes."},
    "SaltTooLong": {"bugType": "EDGE_CASE", "description": "Salt above 64 bytes."},
    "TagTooShort": {"bugType": "EDGE_CASE", "description": "Tag below 4 bytes."},
    "ParameterRange": {"bugType": "EDGE_CASE", "description": "m, t or p out of range (p=0, t=0, m < 8*p, m beyond 32 bits)."},
    "Structure": {"bugType": "CAN_OF_WORMS", "description": "A $ section missing, empty or extra, or stray characters."},
    "UnknownParameter": {"bugType": "CAN_OF_WORMS", "description": "An unknown parameter name."},
    "DuplicateParameter": {"bugType": "CAN_OF_WORMS", "description": "A parameter given twice."},
}

if __name__ == "__main__":
    cli = valid_cli_cases()
    extra = valid_cffi_cases()
    v16 = [c for c in cli if c["version"] == 16 and c["variant"] == "argon2id" and c["t"] == 2 and c["m"] == 64][0]
    legacy = legacy_case(v16)
    base = [c for c in cli if c["version"] == 19 and c["variant"] == "argon2id" and c["tagLength"] == 32][0]
    b64case = [c for c in cli if c["version"] == 19 and any(ch in c["encoded"].split("$")[-1] for ch in "+/")][0]
    invalid = invalid_cases(base, b64case, v16)
    for t in invalid:
        try:
            ok = verify_secret(t["encoded"].encode(), bytes.fromhex(t["password"]), TYPES[t["variant"]])
        except (VerificationError, Exception):
            ok = False
        if ok:
            print("note: libargon2 accepts invalid case %r (Deadbolt's stricter grammar refuses it)" % t["comment"])
    groups = [{"type": "Argon2Test", "tests": cli + extra + [legacy]}, {"type": "Argon2Test", "tests": invalid}]
    write_vectors(
        "argon2_generated_test.json", "ARGON2", "argon2_test_schema.json",
        ["Test vectors of type Argon2Test (Deadbolt-defined, see Vectors/README.md), generated by Deadbolt.",
         "Valid, first group: `echo -n PASSWORD | argon2 SALT -d|-i|-id -t T -k M -p P -l L [-v 10] -e` (%s, Debian package argon2 0~20171227);" % "reference argon2 CLI",
         "each tag cross-checked with argon2-cffi %s argon2.low_level.hash_secret_raw and each string with verify_secret." % pip_version("argon2-cffi"),
         "Cases the CLI cannot make (empty or 128-byte password, binary salt, secret/ad, data=) come from argon2-cffi and are",
         "cross-checked with the system libargon2 through generate/argon2_ctx.c.",
         "Invalid, second group: raw fields and tag are those of a valid case; the defect is only in encoded (it must fail to parse or to verify).",
         "Regenerate: cd Vectors/generate && python3 argon2_generated_test.py"],
        NOTES, groups)
