#!/usr/bin/env bash
# Deadbolt against the Python libraries a service might use instead, on the same workloads, in one script run:
# argon2-cffi (Argon2id), hashlib.pbkdf2_hmac (PBKDF2), pyotp (TOTP verify, ±1 window), secrets.randbelow (6-digit
# codes) and limits (rate-limit decisions in memory). Python is timed with timeit; Deadbolt with
# `deadbolt-bench --json` for the same groups. Prints each median and the ratio Python ÷ Deadbolt.
#
#   Benchmarks/compare-python.sh           full workloads (a few minutes)
#   Benchmarks/compare-python.sh --quick   the scaled-down workloads of deadbolt-bench --quick
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)

venv=/tmp/deadbolt-compare-python
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pyotp argon2-cffi limits

swift build -c release --product deadbolt-bench
bench="$(swift build -c release --show-bin-path)/deadbolt-bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Python (timeit)"
"$venv/bin/python" - "$work/python.json" "${quick[@]}" <<'PY'
import hashlib, json, secrets, statistics, sys, timeit

out, quick = sys.argv[1], "--quick" in sys.argv[2:]
import argon2.low_level as argon2
import pyotp
from limits import parse, storage, strategies

results = []

def measure(group, match, name, fn, number, repeat):
    fn()  # warm-up, as deadbolt-bench does
    per = sorted(t / number for t in timeit.repeat(fn, number=number, repeat=repeat))
    median = statistics.median(per)
    results.append({"group": group, "match": match, "implementation": name, "median": median})
    print(f"{group:8} {name:44} {median * 1e6:14.2f} µs   ({match})", flush=True)

password, salt = b"correct horse battery staple", b"deadbolt-bench!!"

# argon2: OWASP m=19 MiB t=2 p=1, m=46 MiB t=1 p=1; RFC 9106 m=64 MiB t=3 p=4 (memory ÷16 with --quick).
for label, m, t, p in [("OWASP m=19 MiB", 19456, 2, 1), ("OWASP m=46 MiB", 47104, 1, 1), ("RFC 9106 m=64 MiB", 65536, 3, 4)]:
    m = m // 16 if quick else m
    fn = lambda m=m, t=t, p=p: argon2.hash_secret_raw(password, salt, t, m, p, 32, argon2.Type.ID)
    measure("argon2", label, "argon2-cffi hash_secret_raw", fn, 1, 3 if quick else 7)

# pbkdf2: the issue's counts (÷50 with --quick).
for name, n in [("SHA1", 1_400_000), ("SHA256", 600_000), ("SHA512", 220_000)]:
    n = n // 50 if quick else n
    fn = lambda name=name, n=n: hashlib.pbkdf2_hmac(name.lower(), password, salt, n)
    measure("pbkdf2", f"PBKDF2-HMAC-{name} ×{n}", "hashlib.pbkdf2_hmac", fn, 1, 3 if quick else 7)

# hmac / totp: RFC 6238's SHA-1 secret, the code at t=59, verified with a ±1 window.
totp = pyotp.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
code = totp.at(59)
assert totp.verify(code, for_time=59, valid_window=1)
measure("hmac", "TOTP verify", "pyotp TOTP.verify(valid_window=1)",
        lambda: totp.verify(code, for_time=59, valid_window=1), 2_000 if quick else 20_000, 3 if quick else 7)

# codes: a uniform 6-digit code.
measure("codes", "6-digit uniform code", "secrets.randbelow(10**6)",
        lambda: secrets.randbelow(1_000_000), 10_000 if quick else 100_000, 3 if quick else 7)

# limits: one decision (hit) in memory, one hot key, then distinct keys.
limiter = strategies.FixedWindowRateLimiter(storage.MemoryStorage())
item = parse("1000000000/minute")
measure("limits", "one hot key", "limits FixedWindowRateLimiter.hit",
        lambda: limiter.hit(item, "hot"), 10_000 if quick else 100_000, 3 if quick else 7)
distinct = 10_000 if quick else 1_000_000
keys = iter(range(10**12))
measure("limits", f"{distinct} distinct keys", "limits FixedWindowRateLimiter.hit",
        lambda: limiter.hit(item, str(next(keys))), distinct, 1)

json.dump(results, open(out, "w"))
PY

echo
echo "== Deadbolt (deadbolt-bench ${quick[*]:-} --json)"
"$bench" "${quick[@]}" --filter argon2 --filter pbkdf2 --filter hmac --filter codes --filter limits \
  --json "$work/deadbolt.json" > "$work/deadbolt.txt"
echo "(full tables: deadbolt-bench's own output; ratios below)"

echo
echo "== Python ÷ Deadbolt (median time per operation; above 1 means Deadbolt is faster)"
"$venv/bin/python" - "$work/python.json" "$work/deadbolt.json" <<'PY'
import json, sys

python = json.load(open(sys.argv[1]))
deadbolt = {g["name"]: g for g in json.load(open(sys.argv[2]))["groups"]}
group_names = {"argon2": "argon2", "pbkdf2": "pbkdf2", "hmac": "hmac / totp", "codes": "codes", "limits": "limits"}

def deadbolt_row(group, match):
    report = deadbolt.get(group_names[group])
    if report is None:
        return None
    for row in report["rows"]:
        workload, name = row["workload"], row["implementation"]
        if not name.startswith("Deadbolt") or row["unit"] != "seconds/op":
            continue
        if group == "argon2" and not (match in workload and workload.endswith("latency") and name.startswith("Deadbolt Argon2.hash")):
            continue
        if group == "pbkdf2" and not (workload == match and name == "Deadbolt PBKDF2.deriveKey"):
            continue
        if group == "codes" and workload != match:
            continue  # an issued code (draw + digest + store) is not the same work as drawing one
        if group in ("hmac", "limits") and not workload.startswith(match.split()[0]):
            continue
        return row
    return None

def fmt(seconds):
    if seconds >= 1e-3: return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6: return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.1f} ns"

print(f"{'group':8} {'workload':30} {'Python':>12} {'Deadbolt':>12} {'ratio':>8}  Deadbolt's entry")
for result in python:
    row = deadbolt_row(result["group"], result["match"])
    if row is None:
        notes = deadbolt.get(group_names[result["group"]], {}).get("notes", [])
        reason = (notes[-1][:90] + "…") if notes else "no Deadbolt figure"
        print(f"{result['group']:8} {result['match']:30} {fmt(result['median']):>12} {'—':>12} {'—':>8}  {reason}")
        continue
    deadbolt_median = row["summary"]["median"]
    print(f"{result['group']:8} {result['match']:30} {fmt(result['median']):>12} {fmt(deadbolt_median):>12} "
          f"{result['median'] / deadbolt_median:7.2f}×  {row['implementation']}")
PY
