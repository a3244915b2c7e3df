#!/usr/bin/env bash
# Long fuzz campaign: run cargo-fuzz targets one after another for a fixed number of executions
# each and print one table row per target (the figures the README's "Fuzzing" section records).
#
#   scripts/fuzz-campaign.sh                 # every target, 10,000,000 executions each
#   RUNS=1000000 scripts/fuzz-campaign.sh ccache keytab
#
# The corpus of each target is kept under $CORPUS (default target/fuzz-corpus/<target>) so a later
# campaign starts from what an earlier one found. A crash stops the campaign with the target's log
# and the crashing input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10000000}
CORPUS=${CORPUS:-target/fuzz-corpus}
LOGS=${LOGS:-target/fuzz-logs}

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

cargo +nightly fuzz build -O >&2
mkdir -p "$LOGS"
printf '| target | executions | seconds | corpus entries | result |\n|---|---:|---:|---:|---|\n'
for t in "${targets[@]}"; do
  mkdir -p "$CORPUS/$t" "fuzz/artifacts/$t"
  log="$LOGS/$t.log"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")  # read, never written (new inputs go to $CORPUS)
  start=$(date +%s)
  if fuzz/target/x86_64-unknown-linux-gnu/release/"$t" "$CORPUS/$t" "${seeds[@]}" \
      -runs="$RUNS" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1; then
    result=clean
  else
    result="FAILED (see $log)"
  fi
  secs=$(($(date +%s) - start))
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
  entries=$(find "$CORPUS/$t" -type f | wc -l)
  printf '| %s | %s | %s | %s | %s |\n' "$t" "$runs" "$secs" "$entries" "$result"
  if [ "$result" != clean ]; then
    tail -n 40 "$log" >&2
    exit 1
  fi
done
