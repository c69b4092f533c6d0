#!/usr/bin/env python3
"""Builds Sources/DeadboltSignIn/Resources/password-blocklist.bin from public password lists.

Usage: make-password-blocklist.py OUT LIST...   (each LIST a text file, one password a line, or .gz)

Each entry is NFKC-normalized and lower-cased (as DeadboltSignIn's PasswordPolicy folds a password before the
lookup); only entries of 12 to 256 code points are kept, since shorter ones are refused by the length rule anyway.
Each kept entry is hashed with 64-bit FNV-1a over its UTF-8 bytes; the distinct hashes are written sorted, as
little-endian unsigned 64-bit integers. See Resources/README.md for the lists used and their licences.
"""
import gzip
import struct
import sys
import unicodedata


def fnv1a64(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def entries(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="strict") as lines:
        for line in lines:
            yield line.rstrip("\r\n")


def main():
    out, lists = sys.argv[1], sys.argv[2:]
    hashes = set()
    kept = 0
    for path in lists:
        for entry in entries(path):
            folded = unicodedata.normalize("NFKC", entry).lower()
            if 12 <= len(folded) <= 256:
                kept += 1
                hashes.add(fnv1a64(folded.encode("utf-8")))
    with open(out, "wb") as target:
        for value in sorted(hashes):
            target.write(struct.pack("<Q", value))
    print(f"{kept} entries of 12 or more characters, {len(hashes)} distinct hashes written to {out}")


if __name__ == "__main__":
    main()
