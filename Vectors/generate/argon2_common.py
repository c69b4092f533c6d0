"""Argon2 helpers for Deadbolt's generators: raw tags via argon2-cffi's bundled libargon2
(argon2.low_level.core over a CFFI argon2_context, so secret and associated data can be set),
via the system libargon2 (generate/argon2_ctx.c) and via the reference `argon2` CLI."""
import base64
import os
import subprocess

from argon2.low_level import ARGON2_VERSION, Type, core, error_to_str, ffi

from common import run

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("DEADBOLT_VECTORS_BUILD", "/tmp/deadbolt-vectors-build")

TYPES = {"argon2d": Type.D, "argon2i": Type.I, "argon2id": Type.ID}
CLI_FLAG = {"argon2d": "-d", "argon2i": "-i", "argon2id": "-id"}


def cffi_raw(variant, version, password, salt, secret, ad, t, m, p, taglen):
    """argon2_ctx from argon2-cffi's bundled libargon2."""
    out = ffi.new("uint8_t[]", taglen)
    keep = []

    def buf(b):
        if not b:
            return ffi.NULL
        c = ffi.new("uint8_t[]", b)
        keep.append(c)
        return c

    ctx = ffi.new("argon2_context *", dict(
        version=version, out=out, outlen=taglen,
        pwd=buf(password), pwdlen=len(password), salt=buf(salt), saltlen=len(salt),
        secret=buf(secret), secretlen=len(secret), ad=buf(ad), adlen=len(ad),
        t_cost=t, m_cost=m, lanes=p, threads=p,
        allocate_cbk=ffi.NULL, free_cbk=ffi.NULL, flags=0))
    rc = core(ctx, TYPES[variant].value)
    if rc != 0:
        raise RuntimeError(error_to_str(rc))
    return bytes(ffi.buffer(out, taglen))


def build_ctx_tool():
    os.makedirs(BUILD, exist_ok=True)
    exe = os.path.join(BUILD, "argon2_ctx")
    src = os.path.join(HERE, "argon2_ctx.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        flags = run(["pkg-config", "--cflags", "--libs", "libargon2"]).split()
        subprocess.run(["cc", "-O2", "-o", exe, src] + flags, check=True)
    return exe


def system_raw(variant, version, password, salt, secret, ad, t, m, p, taglen):
    """argon2_ctx from the system libargon2 (Debian libargon2-dev), via generate/argon2_ctx.c."""
    exe = build_ctx_tool()
    out = run([exe, variant[len("argon2"):], str(version), str(t), str(m), str(p), str(taglen),
               password.hex(), salt.hex(), secret.hex(), ad.hex()])
    return bytes.fromhex(out.strip())


def cli_encoded(variant, version, password, salt, t, m, p, taglen):
    """The reference CLI: echo -n PASSWORD | argon2 SALT -id -t T -k M -p P -l L [-v 10] -e
    The CLI takes the salt as a command-line string, so salts must be printable without NUL."""
    cmd = ["argon2", salt.decode("ascii"), CLI_FLAG[variant], "-t", str(t), "-k", str(m), "-p", str(p), "-l", str(taglen), "-e"]
    if version == 16:
        cmd += ["-v", "10"]
    return run(cmd, stdin=password).strip(), cmd


def cli_raw(variant, version, password, salt, t, m, p, taglen):
    cmd = ["argon2", salt.decode("ascii"), CLI_FLAG[variant], "-t", str(t), "-k", str(m), "-p", str(p), "-l", str(taglen), "-r"]
    if version == 16:
        cmd += ["-v", "10"]
    return bytes.fromhex(run(cmd, stdin=password).strip())


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode().rstrip("=")


def unb64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def phc(variant, version, m, t, p, salt, tag, with_version=True):
    v = "v=%d$" % version if with_version else ""
    return "$%s$%sm=%d,t=%d,p=%d$%s$%s" % (variant, v, m, t, p, b64(salt), b64(tag))
