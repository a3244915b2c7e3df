#!/usr/bin/env bash
# scripts/test.sh - the whole test suite of kerberos-client, on a fresh Debian/Ubuntu machine with Rust.
#
# Installs what it needs (rustfmt/clippy components, the nightly toolchain and cargo-fuzz for the fuzz
# smoke run, MIT krb5 packages for the real-KDC tests), starts the throwaway test realms on loopback in a
# temporary directory (never touching /etc/krb5.conf), then runs:
#   cargo fmt --check; cargo clippy --all-targets --all-features -- -D warnings;
#   cargo test --all-features; a short smoke run of every cargo-fuzz target.
# Env: FUZZ_SECONDS (per target, default 10), KEEP_LAB=1 keeps the lab directory for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-10}

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
  fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  step "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

step "test servers"
LAB=$(mktemp -d /tmp/kerberos-client-lab.XXXXXX)
# Apache serves from inside the lab as its own user: the directory must be traversable.
chmod 755 "$LAB"
SERVERS="mit-kdc dns-srv heimdal-kdc samba-dc entra-emulation kdcproxy apache-gssapi"
cleanup() {
  for s in $SERVERS; do bash "$ROOT/scripts/$s.sh" stop "$LAB/$s" >/dev/null 2>&1 || true; done
  if [ "${KEEP_LAB:-}" = 1 ]; then echo "lab kept in $LAB"; else rm -rf "$LAB"; fi
}
trap cleanup EXIT
for s in $SERVERS; do
  bash "scripts/$s.sh" start "$LAB/$s"
  # shellcheck disable=SC1090
  . "$LAB/$s/env.sh"
done

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --all-features -- -D warnings

step "cargo test"
LOG="$LAB/cargo-test.log"
set +e
cargo test --all-features --no-fail-fast 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$LOG" | awk '{s+=$1} END {print s+0}')
if [ "$status" -ne 0 ]; then
  echo "cargo test failed (exit $status)"
  echo "tests: $passed passed, $((failed > 0 ? failed : 1)) failed"
  exit "$status"
fi

step "fuzz smoke run (${FUZZ_SECONDS}s per target)"
targets=$(cargo fuzz list)
if [ -n "$targets" ]; then
  cargo +nightly fuzz build -O
  for t in $targets; do
    mkdir -p "$LAB/fuzz/$t"
    seeds=()
    [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
    echo "-- $t"
    if ! fuzz/target/x86_64-unknown-linux-gnu/release/"$t" "$LAB/fuzz/$t" "${seeds[@]}" \
        -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 >"$LAB/fuzz/$t.log" 2>&1; then
      tail -n 40 "$LAB/fuzz/$t.log"
      echo "fuzz target $t failed"
      echo "tests: $passed passed, 1 failed"
      exit 1
    fi
    grep -E 'stat::number_of_executed_units' "$LAB/fuzz/$t.log" || true
  done
fi

echo
echo "tests: $passed passed, $failed failed"
