#!/usr/bin/env bash
# scripts/load.sh - load test: 1,000 concurrent AS+TGS exchanges with kerberos-client's tokio driver
# against a throwaway MIT KDC on loopback, beside MIT krb5's own client (scripts/load/mit_load.c)
# doing the same exchanges against the same KDC in the same run. Prints exchanges per second and
# client CPU per exchange for each.
# Env: TOTAL (default 1000), CONCURRENCY (default 1000), KDC_PORT (default 61588).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOTAL=${TOTAL:-1000}
CONCURRENCY=${CONCURRENCY:-1000}
export KDC_PORT=${KDC_PORT:-61588}

if ! [ -f /usr/include/krb5.h ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q libkrb5-dev >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libkrb5-dev >/dev/null; }
fi
LAB=$(mktemp -d /tmp/kerberos-client-load.XXXXXX)
trap 'bash "$ROOT/scripts/mit-kdc.sh" stop "$LAB/mit" >/dev/null 2>&1 || true; rm -rf "$LAB"' EXIT
bash scripts/mit-kdc.sh start "$LAB/mit" >/dev/null
# shellcheck disable=SC1091
. "$LAB/mit/env.sh"
KT="$KC_MIT_DIR/keytabs/alice.keytab"
SPN="HTTP/web.example.test@EXAMPLE.TEST"

cc -O2 -o "$LAB/mit_load" scripts/load/mit_load.c -lkrb5
cargo build --quiet --release --features tokio --example load

echo "== $TOTAL AS+TGS exchanges per client, KDC: MIT krb5kdc on 127.0.0.1:$KDC_PORT"
target/release/examples/load -n "$TOTAL" -j "$CONCURRENCY" -k "$KT" alice "$SPN"
target/release/examples/load -n "$TOTAL" -j 1 -k "$KT" alice "$SPN"
"$LAB/mit_load" "$TOTAL" "$KT" alice@EXAMPLE.TEST "$SPN"
