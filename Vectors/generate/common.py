"""Shared helpers for Deadbolt's vector generators (Deadbolt's own code).

Every generator builds a list of groups (dicts with "type" and "tests") and
hands it to write_vectors(), which numbers tcIds 1..N across the whole file,
fills numberOfTests and writes the file in Project Wycheproof's layout.
"""
import json
import os
import subprocess

VECTORS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEST_KEY_ORDER = ["tcId", "comment", "flags"]


def hx(b: bytes) -> str:
    return b.hex()


def flip_bit(hexstr: str, bit: int = 0) -> str:
    """Flip one bit (counted from the lowest bit of the first byte) of a hex string."""
    b = bytearray(bytes.fromhex(hexstr))
    b[bit // 8] ^= 1 << (bit % 8)
    return b.hex()


def run(cmd, stdin: bytes = None) -> str:
    """Run a command (argv list), return stdout as text; fail loudly."""
    out = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return out.stdout.decode()


def tool_version(cmd) -> str:
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return out.stdout.decode().strip().splitlines()[0]
    except Exception as e:  # pragma: no cover
        return "unknown (%s)" % e


def pip_version(dist: str) -> str:
    from importlib.metadata import version
    return version(dist)


def write_vectors(filename, algorithm, schema, header, notes, groups):
    tc = 0
    ordered_groups = []
    for g in groups:
        tests = []
        for t in g["tests"]:
            tc += 1
            t = dict(t)
            t["tcId"] = tc
            t.setdefault("flags", [])
            t.setdefault("comment", "")
            ordered = {k: t[k] for k in TEST_KEY_ORDER}
            for k, v in t.items():
                if k not in ordered and k != "result":
                    ordered[k] = v
            ordered["result"] = t["result"]
            tests.append(ordered)
        og = {k: v for k, v in g.items() if k != "tests"}
        og["tests"] = tests
        ordered_groups.append(og)
    used = {f for g in ordered_groups for t in g["tests"] for f in t["flags"]}
    notes = {k: v for k, v in notes.items() if k in used}
    doc = {
        "algorithm": algorithm,
        "schema": schema,
        "numberOfTests": tc,
        "header": header,
        "notes": notes,
        "testGroups": ordered_groups,
    }
    path = os.path.join(VECTORS_DIR, filename)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("wrote %s: %d tests" % (path, tc))
    return doc
