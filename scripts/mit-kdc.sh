#!/usr/bin/env bash
# scripts/mit-kdc.sh - a throwaway MIT krb5 KDC on loopback for the integration tests.
#
#   scripts/mit-kdc.sh start DIR   install MIT krb5 if missing, create the realms in DIR if
#                                  absent, start krb5kdc, wait until it answers, write DIR/env.sh
#   scripts/mit-kdc.sh stop DIR    stop the KDC started from DIR (only the PID saved in DIR/run)
#   scripts/mit-kdc.sh env DIR     print DIR/env.sh (rewrites it first)
#
# Then: `. DIR/env.sh` exports KRB5_CONFIG, KRB5_KDC_PROFILE, KC_MIT_DIR, KC_MIT_KDC,
# KC_MIT_KDC2, KC_MIT_REALM, KC_MIT_REALM2 (what tests/common reads).
#
# Realms: EXAMPLE.TEST on udp+tcp 127.0.0.1:$KDC_PORT and OTHER.TEST on $KDC2_PORT, both served
# by one `krb5kdc -n` process. Everything (config, databases, keytabs, logs) lives in DIR;
# /etc/krb5.conf is never read or written (KRB5_CONFIG and KRB5_KDC_PROFILE are always set).
#
# Environment (defaults): KDC_PORT (60088), KDC2_PORT (KDC_PORT+1), NO_INSTALL=1 never runs apt-get,
# KDC_START_TIMEOUT (20 seconds), KADMIND=1 also runs kadmind (kadmin on tcp KADMIN_PORT (60749),
# kpasswd on udp+tcp KPASSWD_PORT (60464); env.sh then also exports KC_MIT_KADMIN, KC_MIT_KPASSWD).
# These settings are frozen in DIR/settings.sh by the first `start`.
#
# Principals (EXAMPLE.TEST unless noted), passwords as in the shared lab:
#   alice        Alice-Passw0rd   preauth required, aes256/aes128-sha1, aes256-sha384,
#                                 aes128-sha256, arcfour-hmac keys; keytabs/alice.keytab (-norandkey)
#   bob          Bob-Passw0rd     no preauth required
#   rc4user      Rc4-Passw0rd     arcfour-hmac key only
#   sha2user     Sha2-Passw0rd    RFC 8009 keys only
#   host/svc.example.test         random keys; keytabs/svc.keytab
#   HTTP/web.example.test         Http-Passw0rd; keytabs/http.keytab (-norandkey)
#   krbtgt/OTHER.TEST@EXAMPLE.TEST, krbtgt/EXAMPLE.TEST@OTHER.TEST   Cross-Passw0rd, in both realms
#   carol@OTHER.TEST              Carol-Passw0rd
#   host/svc.other.test@OTHER.TEST  random keys; keytabs/svc-other.keytab
#   admin/admin  Admin-Passw0rd   all kadmin rights (with KADMIND=1)
set -euo pipefail

LAB_NAME=mit-kdc
# shellcheck source-path=SCRIPTDIR source=lab-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-lib.sh"

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[ $# -eq 2 ] || usage
MODE=$1
case "$MODE" in start|stop|env) ;; *) usage ;; esac
mkdir -p "$2"
DIR=$(cd "$2" && pwd)

REALM=EXAMPLE.TEST
REALM2=OTHER.TEST
KDC_IP=127.0.0.1
SETTINGS=$DIR/settings.sh
if [ -f "$SETTINGS" ]; then
  # shellcheck disable=SC1090
  . "$SETTINGS"
else
  KDC_PORT=${KDC_PORT:-60088}
  KDC2_PORT=${KDC2_PORT:-$((KDC_PORT + 1))}
  KADMIN_PORT=${KADMIN_PORT:-60749}
  KPASSWD_PORT=${KPASSWD_PORT:-60464}
  KADMIND=${KADMIND:-}
  if [ "$MODE" = start ]; then
    printf 'KDC_PORT=%q\nKDC2_PORT=%q\nKADMIN_PORT=%q\nKPASSWD_PORT=%q\nKADMIND=%q\n' \
      "$KDC_PORT" "$KDC2_PORT" "$KADMIN_PORT" "$KPASSWD_PORT" "$KADMIND" >"$SETTINGS"
  fi
fi

MASTER_PW=Master-Passw0rd
ENCTYPES="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 arcfour-hmac"
KEYSALTS=$(for e in $ENCTYPES; do printf '%s:normal ' "$e"; done)

export KRB5_CONFIG=$DIR/krb5.conf
export KRB5_KDC_PROFILE=$DIR/kdc.conf
export KRB5CCNAME=FILE:$DIR/cc/setup
PIDFILE=$DIR/run/krb5kdc.pid
KADMIND_PIDFILE=$DIR/run/kadmind.pid

die() { log "ERROR: $*"; exit 1; }   # lab-lib.sh's die, with an "ERROR: " prefix

# The process saved in pidfile $1 is alive and still runs program $2 (guards against PID reuse).
alive() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  [ ! -r "/proc/$pid/comm" ] || [ "$(cat "/proc/$pid/comm")" = "$2" ]
}
running() { alive "$PIDFILE" krb5kdc; }

have_tools() {
  local t
  for t in krb5kdc kdb5_util kadmin.local kinit kvno klist ktutil; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || return 1
  done
}

install_packages() {
  export PATH=$PATH:/usr/sbin:/sbin
  have_tools && return 0
  [ -z "${NO_INSTALL:-}" ] || die "MIT krb5 tools missing and NO_INSTALL is set"
  command -v apt-get >/dev/null || die "MIT krb5 tools missing and no apt-get to install them"
  local sudo="" pkgs=(krb5-kdc krb5-admin-server krb5-user)
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  mkdir -p "$DIR/logs"
  log "installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # no systemd here: the packages' own service start fails harmlessly (no database in /var/lib/krb5kdc)
  if ! $sudo apt-get install -y -q --no-install-recommends "${pkgs[@]}" >"$DIR/logs/apt.log" 2>&1; then
    log "apt-get install failed, running apt-get update first"
    $sudo apt-get update -q >>"$DIR/logs/apt.log" 2>&1 || { tail -n 20 "$DIR/logs/apt.log" >&2; die "apt-get update failed"; }
    $sudo apt-get install -y -q --no-install-recommends "${pkgs[@]}" >>"$DIR/logs/apt.log" 2>&1 \
      || { tail -n 20 "$DIR/logs/apt.log" >&2; die "apt-get install ${pkgs[*]} failed"; }
  fi
  have_tools || die "MIT krb5 tools still missing after apt-get install"
}

write_config() {
  mkdir -p "$DIR/db" "$DIR/db2" "$DIR/logs" "$DIR/run" "$DIR/cc" "$DIR/keytabs"
  {
    echo "# generated by scripts/mit-kdc.sh - client configuration for the test realms"
    lab_krb5_libdefaults "$REALM"
    cat <<EOF
    qualify_shortname = ""
    forwardable = true
    ticket_lifetime = 24h
    renew_lifetime = 7d
    allow_weak_crypto = true
    allow_rc4 = true
    permitted_enctypes = $ENCTYPES
    default_tkt_enctypes = $ENCTYPES
    default_tgs_enctypes = $ENCTYPES

[realms]
    $REALM = {
        kdc = $KDC_IP:$KDC_PORT
        admin_server = $KDC_IP:$KADMIN_PORT
        kpasswd_server = $KDC_IP:$KPASSWD_PORT
    }
    $REALM2 = {
        kdc = $KDC_IP:$KDC2_PORT
    }

[domain_realm]
    .example.test = $REALM
    example.test = $REALM
    .other.test = $REALM2
    other.test = $REALM2
EOF
  } >"$DIR/krb5.conf"
  realm_block() { # realm dbdir port [extra line...]
    local extra=""
    [ $# -le 3 ] || extra=$(printf '        %s\n' "${@:4}")
    cat <<EOF
    $1 = {
        database_name = $DIR/$2/principal
        key_stash_file = $DIR/$2/stash
        acl_file = $DIR/kadm5.acl
        kdc_listen = $KDC_IP:$3
        kdc_tcp_listen = $KDC_IP:$3
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = $KEYSALTS
        max_life = 24h
        max_renewable_life = 7d
        default_principal_flags = +preauth
$extra
    }
EOF
  }
  {
    echo "# generated by scripts/mit-kdc.sh - KDC configuration ([logging] only here, not in krb5.conf)"
    echo "[kdcdefaults]"
    echo "    kdc_listen = $KDC_IP:$KDC_PORT"
    echo "    kdc_tcp_listen = $KDC_IP:$KDC_PORT"
    echo
    echo "[realms]"
    realm_block "$REALM" db "$KDC_PORT" "kadmind_listen = $KDC_IP:$KADMIN_PORT" \
      "kpasswd_listen = $KDC_IP:$KPASSWD_PORT"
    realm_block "$REALM2" db2 "$KDC2_PORT"
    echo
    echo "[logging]"
    echo "    kdc = FILE:$DIR/logs/krb5kdc.log"
    echo "    admin_server = FILE:$DIR/logs/kadmind.log"
    echo "    default = FILE:$DIR/logs/krb5lib.log"
  } >"$DIR/kdc.conf"
  printf '*/admin@%s *\n' "$REALM" >"$DIR/kadm5.acl"
}

kadmin_batch() { # realm  (commands on stdin)
  local out rc=0
  out=$(kadmin.local -r "$1" 2>&1) || rc=$?
  printf '%s\n' "$out" >>"$DIR/logs/setup.log"
  # kadmin.local exits 0 even when a query fails: every output line must be a known good one
  local bad
  bad=$(printf '%s\n' "$out" | grep -vE '^(kadmin\.local:  |Authenticating as principal |No policy specified for |Principal ".*" created\.$|Entry for principal .* added to keytab |$)' || true)
  if [ "$rc" -ne 0 ] || [ -n "$bad" ]; then
    printf '%s\n' "${bad:-$out}" | tail -n 20 >&2
    die "kadmin.local -r $1 failed (see $DIR/logs/setup.log)"
  fi
}

create_realms() {
  [ -f "$DIR/db/.complete" ] && return 0
  log "creating realms $REALM and $REALM2 in $DIR"
  rm -rf "$DIR/db" "$DIR/db2" "$DIR/keytabs"
  mkdir -p "$DIR/db" "$DIR/db2" "$DIR/keytabs"
  : >"$DIR/logs/setup.log"
  kdb5_util -r "$REALM" -P "$MASTER_PW" create -s >>"$DIR/logs/setup.log" 2>&1 || die "kdb5_util create $REALM failed (see $DIR/logs/setup.log)"
  kdb5_util -r "$REALM2" -P "$MASTER_PW" create -s >>"$DIR/logs/setup.log" 2>&1 || die "kdb5_util create $REALM2 failed (see $DIR/logs/setup.log)"
  kadmin_batch "$REALM" <<EOF
addprinc -pw Alice-Passw0rd alice
addprinc -pw Bob-Passw0rd -requires_preauth bob
addprinc -pw Admin-Passw0rd admin/admin
addprinc -pw Rc4-Passw0rd -e arcfour-hmac:normal rc4user
addprinc -pw Sha2-Passw0rd -e aes256-cts-hmac-sha384-192:normal,aes128-cts-hmac-sha256-128:normal sha2user
addprinc -randkey host/svc.example.test
ktadd -k $DIR/keytabs/svc.keytab host/svc.example.test
addprinc -pw Http-Passw0rd HTTP/web.example.test
ktadd -norandkey -k $DIR/keytabs/http.keytab HTTP/web.example.test
ktadd -norandkey -k $DIR/keytabs/alice.keytab alice
addprinc -pw Cross-Passw0rd krbtgt/$REALM2@$REALM
addprinc -pw Cross-Passw0rd krbtgt/$REALM@$REALM2
EOF
  kadmin_batch "$REALM2" <<EOF
addprinc -pw Carol-Passw0rd carol
addprinc -randkey host/svc.other.test
ktadd -k $DIR/keytabs/svc-other.keytab host/svc.other.test
addprinc -pw Cross-Passw0rd krbtgt/$REALM2@$REALM
addprinc -pw Cross-Passw0rd krbtgt/$REALM@$REALM2
EOF
  touch "$DIR/db/.complete"
}

write_env() {
  cat >"$DIR/env.sh" <<EOF
# generated by scripts/mit-kdc.sh; source it: . $DIR/env.sh
export KRB5_CONFIG=$DIR/krb5.conf
export KRB5_KDC_PROFILE=$DIR/kdc.conf
export KC_MIT_DIR=$DIR
export KC_MIT_KDC=$KDC_IP:$KDC_PORT
export KC_MIT_KDC2=$KDC_IP:$KDC2_PORT
export KC_MIT_REALM=$REALM
export KC_MIT_REALM2=$REALM2
EOF
  if [ -n "$KADMIND" ]; then
    printf 'export KC_MIT_KADMIN=%s:%s\nexport KC_MIT_KPASSWD=%s:%s\n' \
      "$KDC_IP" "$KADMIN_PORT" "$KDC_IP" "$KPASSWD_PORT" >>"$DIR/env.sh"
  fi
}

kdc_answers() { # one AS exchange per realm, answered by *our* KDC (it logs them)
  local cc=$DIR/cc/probe rc=0
  echo Alice-Passw0rd | KRB5CCNAME=FILE:$cc timeout 5 kinit alice@$REALM >/dev/null 2>&1 \
    && echo Carol-Passw0rd | KRB5CCNAME=FILE:$cc timeout 5 kinit carol@$REALM2 >/dev/null 2>&1 \
    && grep -q "ISSUE: .* alice@$REALM for krbtgt/$REALM@$REALM" "$DIR/logs/krb5kdc.log" 2>/dev/null \
    && grep -q "ISSUE: .* carol@$REALM2 for krbtgt/$REALM2@$REALM2" "$DIR/logs/krb5kdc.log" 2>/dev/null \
    || rc=1
  rm -f "$cc"
  return $rc
}

port_busy() { # port: something already listens on it (tcp, or udp when ss is available)
  if (exec 3<>"/dev/tcp/$KDC_IP/$1") 2>/dev/null; then return 0; fi
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ]; then return 0; fi
  return 1
}

start_kdc() {
  if running; then
    log "krb5kdc already running (pid $(cat "$PIDFILE")) for $DIR"
    return 0
  fi
  rm -f "$PIDFILE"
  # krb5kdc sets SO_REUSEADDR, so a second KDC on a busy port starts "fine" and the two
  # share the traffic. Refuse instead.
  local p
  for p in "$KDC_PORT" "$KDC2_PORT"; do
    if port_busy "$p"; then
      die "port $KDC_IP:$p is already in use (another KDC?); stop it or choose KDC_PORT=... with a fresh DIR"
    fi
  done
  log "starting krb5kdc on $KDC_IP:$KDC_PORT ($REALM) and $KDC_IP:$KDC2_PORT ($REALM2)"
  setsid krb5kdc -n -r "$REALM" -r "$REALM2" >"$DIR/logs/krb5kdc.stderr" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + ${KDC_START_TIMEOUT:-20}))
  until kdc_answers; do
    if ! running || [ "$SECONDS" -ge "$deadline" ]; then
      log "the KDC did not come up; last log lines:"
      tail -n 20 "$DIR/logs/krb5kdc.stderr" "$DIR/logs/krb5kdc.log" >&2 2>/dev/null || true
      stop_kdc
      die "krb5kdc failed to start (logs in $DIR/logs)"
    fi
    sleep 0.2
  done
  log "KDC up (pid $(cat "$PIDFILE"))"
}

start_kadmind() {
  [ -n "$KADMIND" ] || return 0
  if alive "$KADMIND_PIDFILE" kadmind; then
    log "kadmind already running (pid $(cat "$KADMIND_PIDFILE")) for $DIR"
    return 0
  fi
  local p
  for p in "$KADMIN_PORT" "$KPASSWD_PORT"; do
    if port_busy "$p"; then
      die "port $KDC_IP:$p is already in use; choose KADMIN_PORT/KPASSWD_PORT with a fresh DIR"
    fi
  done
  log "starting kadmind on $KDC_IP:$KADMIN_PORT (kpasswd $KDC_IP:$KPASSWD_PORT)"
  setsid kadmind -nofork -r "$REALM" >"$DIR/logs/kadmind.stderr" 2>&1 </dev/null &
  echo $! >"$KADMIND_PIDFILE"
  local deadline=$((SECONDS + ${KDC_START_TIMEOUT:-20}))
  until (exec 3<>"/dev/tcp/$KDC_IP/$KADMIN_PORT") 2>/dev/null; do
    if ! alive "$KADMIND_PIDFILE" kadmind || [ "$SECONDS" -ge "$deadline" ]; then
      log "kadmind did not come up; last log lines:"
      tail -n 20 "$DIR/logs/kadmind.stderr" "$DIR/logs/kadmind.log" >&2 2>/dev/null || true
      stop_pid "$KADMIND_PIDFILE" kadmind
      die "kadmind failed to start (logs in $DIR/logs)"
    fi
    sleep 0.2
  done
  log "kadmind up (pid $(cat "$KADMIND_PIDFILE"))"
}

stop_pid() { # pidfile program
  if alive "$1" "$2"; then
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $2 pid $pid"
  fi
  rm -f "$1"
}

stop_kdc() {
  if [ ! -f "$PIDFILE" ] && [ ! -f "$KADMIND_PIDFILE" ]; then
    log "not running ($DIR)"
    return 0
  fi
  stop_pid "$KADMIND_PIDFILE" kadmind
  stop_pid "$PIDFILE" krb5kdc
}

case "$MODE" in
  start)
    install_packages
    write_config
    create_realms
    write_env
    start_kdc
    start_kadmind
    echo "# . $DIR/env.sh"
    ;;
  stop) stop_kdc ;;
  env) write_env; cat "$DIR/env.sh" ;;
esac
