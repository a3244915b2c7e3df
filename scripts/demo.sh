#!/usr/bin/env bash
# scripts/demo.sh - shows kerberos-client at work on a fresh Debian/Ubuntu machine with Rust installed.
#
# Today: derives keys from a password for every enctype, encrypts, decrypts and checksums a message,
# printing each step (examples/crypto_demo.rs). When the AS exchange lands, this starts a throwaway MIT
# realm on loopback, gets a TGT with examples/kinit and lists it with MIT klist.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --example crypto_demo
