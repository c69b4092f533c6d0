#!/bin/sh
# Regenerates every Vectors/*_test.json and then checks them all.
# Needs: python3 with generate/requirements.txt installed; Debian packages argon2, oathtool,
# libargon2-dev, libsodium-dev, pkg-config, a C compiler and the openssl CLI.
# Note: interop_hashes_test.json gets new libsodium and argon2-cffi strings on every run (random salts).
set -eu
cd "$(dirname "$0")"
python3 hmac_sha1_rfc2202_test.py
python3 hmac_rfc4231.py sha256 sha512
python3 pbkdf2_rfc.py rfc6070 rfc7914
python3 pbkdf2_generated.py sha1 sha256 sha512
python3 argon2_rfc9106_test.py
python3 argon2_generated_test.py
python3 argon2_test_kinds.py
python3 otp_rfc.py hotp totp
python3 otp_generated.py hotp totp
python3 otpauth_uri_test.py
python3 interop_hashes_test.py
python3 check.py
