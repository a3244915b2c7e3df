# shellcheck shell=bash
# scripts/lab-lib.sh - helpers shared by the test-server scripts (see lab-README.md). Sourced, never run:
#   LAB_NAME=heimdal-kdc   # the log prefix
#   . "$(dirname "${BASH_SOURCE[0]}")/lab-lib.sh"
# The helpers use the sourcing script's MODE and DIR (set by lab_args), TIMEOUT (lab_wait,
# lab_give_up), LAB_PYTHON (kdc_probe) and its install, write_env and selftest functions (lab_main).

log() { printf '%s: %s\n' "$LAB_NAME" "$*" >&2; }
die() { log "$*"; exit 1; }

# lab_args USAGE-LINES "$@": the command line is MODE DIR with MODE install|start|stop|env|selftest;
# sets MODE and DIR (created, absolute, never /). Otherwise prints lines USAGE-LINES (sed range,
# e.g. 2,9) of the script's header and exits 2.
lab_args() {
  local lines=$1
  shift
  [ $# -eq 2 ] || lab_usage "$lines"
  MODE=$1
  case "$MODE" in install|start|stop|env|selftest) ;; *) lab_usage "$lines" ;; esac
  mkdir -p "$2"
  DIR=$(cd "$2" && pwd)
  [ "$DIR" != / ] || { echo "refusing to use / as DIR" >&2; exit 2; }
}
lab_usage() { sed -n "${1}p" "$0" >&2; exit 2; }

# lab_main STOP-FUNCTION START-STEP...: run MODE. start: lock DIR, run the START-STEPs in order,
# write_env, print DIR/env.sh; stop: lock DIR, STOP-FUNCTION; install; env; selftest.
lab_main() {
  local lab_stop_fn=$1 lab_step
  shift
  case "$MODE" in
    install) install ;;
    start)
      lab_lock
      for lab_step in "$@"; do "$lab_step"; done
      write_env
      cat "$DIR/env.sh"
      ;;
    stop) lab_lock; "$lab_stop_fn" ;;
    env) write_env; cat "$DIR/env.sh" ;;
    selftest) selftest ;;
  esac
}

# Settings are frozen in DIR/settings.sh by the first start:
#   if ! lab_load_settings; then VAR=${VAR:-default} ...; lab_save_settings VAR...; fi
# lab_load_settings sources DIR/settings.sh (fails when there is none); lab_save_settings writes
# VAR=value lines for the named variables, in start mode only.
lab_load_settings() {
  [ -f "$DIR/settings.sh" ] || return 1
  # shellcheck disable=SC1091
  . "$DIR/settings.sh"
}
lab_save_settings() {
  local v
  [ "$MODE" = start ] || return 0
  for v in "$@"; do printf '%s=%q\n' "$v" "${!v}"; done >"$DIR/settings.sh"
}

# one start or stop at a time per DIR; fd 9 is closed for the daemons (9>&-)
lab_lock() { exec 9>"$DIR/.lock"; flock 9; }

# DIR/run/*.pid holds "PID STARTTIME": a saved PID counts only while the process with that PID
# has the same start time (PIDs get reused; samba rewrites its command line, so that can't be used)
# start time of a live process (empty when gone or a zombie: killed daemons may linger unreaped)
proc_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '$1 != "Z" {print $20}'; }
save_pid() { echo "$1 $(proc_start "$1")" >"$2"; }
pid_of() { cut -d' ' -f1 "$1"; }
pid_alive() {
  local p s
  [ -s "$1" ] || return 1
  read -r p s <"$1"
  [ -n "$s" ] && [ "$(proc_start "$p")" = "$s" ]
}

# lab_stop PIDFILE TRIES [WHAT]: if the process saved in PIDFILE still runs, TERM it, wait up to
# TRIES x 0.1 s, then KILL, and log "stopped WHAT (pid N)" (WHAT defaults to PIDFILE's name
# without .pid). PIDFILE is removed in any case.
lab_stop() {
  local f=$1 tries=$2 what=${3:-} p
  if pid_alive "$f"; then
    p=$(pid_of "$f")
    kill "$p" 2>/dev/null || true
    for _ in $(seq "$tries"); do [ -n "$(proc_start "$p")" ] || break; sleep 0.1; done
    if [ -n "$(proc_start "$p")" ]; then kill -9 "$p" 2>/dev/null || true; fi
    log "stopped ${what:-$(basename "$f" .pid)} (pid $p)"
  fi
  rm -f "$f"
}

# lab_wait PIDFILE INTERVAL CMD...: run CMD (stderr discarded) every INTERVAL seconds until it
# succeeds. Fails as soon as the process saved in PIDFILE is gone or TIMEOUT seconds have passed.
lab_wait() {
  local pidfile=$1 interval=$2 deadline=$((SECONDS + TIMEOUT))
  shift 2
  until "$@" 2>/dev/null; do
    if ! pid_alive "$pidfile" || [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep "$interval"
  done
}

# lab_give_up WHAT LINES STOP-FUNCTION LOGFILE...: after a failed lab_wait: log "WHAT within
# TIMEOUTs; log tail:", the last LINES lines of the LOGFILEs, run STOP-FUNCTION, exit 1.
lab_give_up() {
  local what=$1 lines=$2 stop_fn=$3
  shift 3
  log "$what within ${TIMEOUT}s; log tail:"
  tail -n "$lines" "$@" >&2 2>/dev/null || true
  "$stop_fn"
  exit 1
}

tcp_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }  # tcp port on 127.0.0.1 accepts connections

apt_get() {
  [ -z "${NO_INSTALL:-}" ] || die "NO_INSTALL is set but apt-get $* is needed"
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 "$@"
}
apt_install() {
  apt_get install --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt_get update >/dev/null; apt_get install --no-install-recommends "$@" >/dev/null; }
}

# selftest helper: check NAME CMD... runs CMD with its output in t_log and counts it in pass or
# fail (the caller's locals pass, fail and t_log)
# shellcheck disable=SC2154
check() {
  local name=$1; shift
  printf '### %s\n' "$name" >>"$t_log"
  if "$@" >>"$t_log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; fi
}

# the [libdefaults] lines every lab krb5.conf starts with: REALM as default realm, no DNS at all
lab_krb5_libdefaults() {
  printf '%s\n' "[libdefaults]" "    default_realm = $1" "    dns_lookup_kdc = false" "    dns_lookup_realm = false" \
    "    dns_canonicalize_hostname = false" "    rdns = false"
}

# AS-REQ for an unknown principal over udp and tcp; succeeds when both answer with a KRB-ERROR
# or AS-REP. Only ever talks to HOST:PORT (loopback), no name resolution. Runs $LAB_PYTHON.
kdc_probe() {
  "$LAB_PYTHON" - "$@" <<'PY'
import os, socket, struct, sys, time
host, port, realm = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def tlv(t, c):
    n = len(c)
    l = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([t]) + l + c
def integer(v): return tlv(2, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))
def gs(s): return tlv(0x1B, s.encode())
def seq(*a): return tlv(0x30, b"".join(a))
def ctx(n, c): return tlv(0xA0 + n, c)
def pn(t, *p): return seq(ctx(0, integer(t)), ctx(1, seq(*[gs(x) for x in p])))
till = time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + 3600)).encode()
body = seq(ctx(0, tlv(3, b"\0\0\0\0\0")), ctx(1, pn(1, "kc-lab-readiness-probe")), ctx(2, gs(realm)),
           ctx(3, pn(2, "krbtgt", realm)), ctx(5, tlv(0x18, till)),
           ctx(7, integer(int.from_bytes(os.urandom(4), "big") >> 1)), ctx(8, seq(integer(18), integer(17))))
req = tlv(0x6A, seq(ctx(1, integer(5)), ctx(2, integer(10)), ctx(4, body)))
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1.0)
s.sendto(req, (host, port)); u = s.recv(65535); s.close()
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2.0); s.connect((host, port))
s.sendall(struct.pack("!I", len(req)) + req); t = b""
while len(t) < 4 or len(t) < 4 + struct.unpack("!I", t[:4])[0]:
    c = s.recv(65535)
    if not c: break
    t += c
s.close()
sys.exit(0 if u[:1] in (b"\x7e", b"\x6b") and t[4:5] in (b"\x7e", b"\x6b") else 1)
PY
}
