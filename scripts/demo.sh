#!/usr/bin/env bash
# scripts/demo.sh - shows kerberos-client at work on a fresh Debian/Ubuntu machine with Rust installed.
#
# Starts a throwaway MIT realm (EXAMPLE.TEST) on loopback in a temporary directory (scripts/mit-kdc.sh,
# which installs the MIT packages if needed), gets a TGT for alice with this crate's examples/kinit
# (password on stdin), lists it with MIT's own `klist -e -f`, uses it with MIT's `kvno`, and stops the
# realm again. /etc/krb5.conf is never read or written: KRB5_CONFIG points into the temporary directory.
#
# Env: DEMO_KDC_PORT (default 61888; the realm's second KDC port is DEMO_KDC_PORT+1),
#      KEEP_DEMO=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

PORT=${DEMO_KDC_PORT:-61888}
DEMO=$(mktemp -d /tmp/kerberos-client-demo.XXXXXX)
cleanup() {
  say "stopping the realm"
  bash "$ROOT/scripts/mit-kdc.sh" stop "$DEMO/mit" >/dev/null 2>&1 || true
  if [ "${KEEP_DEMO:-}" = 1 ]; then echo "kept $DEMO"; else rm -rf "$DEMO"; fi
}
trap cleanup EXIT

say "starting a throwaway MIT realm EXAMPLE.TEST on 127.0.0.1:$PORT (in $DEMO/mit)"
KDC_PORT=$PORT KDC2_PORT=$((PORT + 1)) KADMIN_PORT=$((PORT + 2)) KPASSWD_PORT=$((PORT + 3)) \
  bash scripts/mit-kdc.sh start "$DEMO/mit"
# KRB5_CONFIG, KRB5_KDC_PROFILE, KC_MIT_*: the realm's client configuration
# shellcheck disable=SC1091
. "$DEMO/mit/env.sh"
export PATH=$PATH:/usr/sbin:/sbin LC_ALL=C
export KRB5CCNAME=FILE:$DEMO/krb5cc_alice
echo "KRB5_CONFIG=$KRB5_CONFIG"
echo "KRB5CCNAME=$KRB5CCNAME"

say "building examples/kinit (pure Rust: no libkrb5 involved)"
cargo build --quiet --example kinit
KINIT=$ROOT/target/debug/examples/kinit

say "getting a TGT for alice with examples/kinit, password on stdin"
printf '$ echo Alice-Passw0rd | kinit -V -l 10h -r 7d -f alice@EXAMPLE.TEST\n'
echo Alice-Passw0rd | "$KINIT" -V -l 10h -r 7d -f alice@EXAMPLE.TEST

say "MIT's klist reads the cache this crate wrote"
run klist -e -f

say "MIT's kvno uses the TGT to get a service ticket"
run kvno HTTP/web.example.test
run klist

say "a wrong password is refused with a clear message (exit status 1)"
printf '$ echo wrong | kinit alice@EXAMPLE.TEST\n'
if echo wrong | "$KINIT" alice@EXAMPLE.TEST; then
  echo "unexpected success" >&2
  exit 1
fi

say "and a keytab works as well: kinit -k -t svc.keytab host/svc.example.test"
run "$KINIT" -k -t "$KC_MIT_DIR/keytabs/svc.keytab" host/svc.example.test
run klist

say "KRB5_TRACE-style tracing of the exchange (no secrets are logged)"
echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout "$KINIT" alice@EXAMPLE.TEST | sed 's/^/  /'

say "done"
