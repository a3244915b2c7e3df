#!/usr/bin/env bash
# scripts/heimdal-kdc.sh - a throwaway Heimdal KDC on loopback for the integration tests.
#
#   scripts/heimdal-kdc.sh install DIR   fetch the Heimdal debs and unpack them into the cache
#   scripts/heimdal-kdc.sh start DIR     install if needed, create the realm in DIR if absent, start
#                                        the kdc (+ kpasswdd), wait until it answers, write DIR/env.sh
#   scripts/heimdal-kdc.sh stop DIR      stop the daemons started from DIR (saved PIDs only)
#   scripts/heimdal-kdc.sh env DIR       rewrite and print DIR/env.sh
#   scripts/heimdal-kdc.sh selftest DIR  MIT and Heimdal client tools against the running KDC
#
# `. DIR/env.sh` exports KC_HEIMDAL_DIR, KC_HEIMDAL_KDC, KC_HEIMDAL_REALM, KC_HEIMDAL_KRB5_CONFIG,
# KC_HEIMDAL_KPASSWD, KC_HEIMDAL_LD_LIBRARY_PATH, KC_HEIMDAL_BIN. It does not export KRB5_CONFIG.
#
# Debian's heimdal-kdc conflicts with MIT's krb5-kdc/krb5-admin-server, so it is never
# apt-installed: `apt-get download` + `dpkg -x` into $KC_LAB_CACHE/heimdal (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/kerberos-client-lab), run with LD_LIBRARY_PATH. The MIT install
# is left alone. /etc is never read or written: every tool gets an explicit KRB5_CONFIG.
#
# Realm HEIMDAL.TEST, KDC udp+tcp 127.0.0.1:$HEIMDAL_KDC_PORT (60188), kpasswdd udp only
# 127.0.0.1:$HEIMDAL_KPASSWD_PORT (60190). Ports are frozen in DIR/settings.sh by the first start.
# Keys: aes256/aes128-cts-hmac-sha1-96, aes256-sha384/aes128-sha256 (RFC 8009), arcfour-hmac.
# Max ticket life 1 day, max renewable life 7 days.
#   alice                   Alice-Passw0rd  requires-pre-auth; keytabs/alice.keytab
#   bob                     Bob-Passw0rd    no preauth (AS-REP without PA-ENC-TIMESTAMP)
#   host/svc.heimdal.test   random key      ok-as-delegate; keytabs/svc.keytab
#   HTTP/web.heimdal.test   Http-Passw0rd   keytabs/http.keytab
# Environment: NO_INSTALL=1 (never run apt-get), KC_LAB_CACHE, HEIMDAL_START_TIMEOUT (20 s).
set -euo pipefail

LAB_NAME=heimdal-kdc
# shellcheck source-path=SCRIPTDIR source=lab-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-lib.sh"
lab_args 2,9 "$@"

REALM=HEIMDAL.TEST
DOMAIN=heimdal.test
if ! lab_load_settings; then
  HEIMDAL_KDC_PORT=${HEIMDAL_KDC_PORT:-60188}
  HEIMDAL_KPASSWD_PORT=${HEIMDAL_KPASSWD_PORT:-60190}
  lab_save_settings HEIMDAL_KDC_PORT HEIMDAL_KPASSWD_PORT
fi
KDC_ADDR=127.0.0.1:$HEIMDAL_KDC_PORT
TIMEOUT=${HEIMDAL_START_TIMEOUT:-20}

CACHE=${KC_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kerberos-client-lab}
ROOT=$CACHE/heimdal/root
ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
HLIB=$ROOT/usr/lib/$ARCH
HSRV=$ROOT/usr/lib/heimdal-servers
HBIN=$ROOT/usr/bin
DEBS="heimdal-kdc heimdal-clients libasn1-8-heimdal libgssapi3-heimdal libhcrypto5-heimdal
      libhdb9-heimdal libheimbase1-heimdal libheimntlm0-heimdal libhx509-5-heimdal
      libkadm5clnt7-heimdal libkadm5srv8-heimdal libkafs0-heimdal libkdc2-heimdal
      libkrb5-26-heimdal libotp0-heimdal libroken19-heimdal libsl0-heimdal libwind0-heimdal"
KEYS="aes256-cts-hmac-sha1-96:pw-salt aes128-cts-hmac-sha1-96:pw-salt aes256-cts-hmac-sha384-192:pw-salt aes128-cts-hmac-sha256-128:pw-salt arcfour-hmac-md5:pw-salt"
SERVER_CONF=$DIR/kdc.conf      # Heimdal server + kadmin -l
CLIENT_CONF=$DIR/krb5.conf     # for MIT (and Heimdal) clients

# run a Heimdal binary against the server config
h() { LD_LIBRARY_PATH=$HLIB KRB5_CONFIG=$SERVER_CONF "$@"; }
if [ -x /usr/bin/python3 ]; then LAB_PYTHON=/usr/bin/python3; else LAB_PYTHON=python3; fi  # for kdc_probe

install() {
  [ -f "$CACHE/heimdal/.complete" ] && return 0
  mkdir -p "$CACHE"
  exec 8>"$CACHE/heimdal.lock"
  flock 8
  if [ ! -f "$CACHE/heimdal/.complete" ]; then
    command -v apt-get >/dev/null || die "apt-get is needed to fetch the Heimdal debs"
    log "fetching Heimdal debs into $CACHE/heimdal"
    local tmp f
    tmp=$(mktemp -d "$CACHE/heimdal.tmp.XXXXXX")
    chmod 755 "$tmp"
    # shellcheck disable=SC2086
    if ! (cd "$tmp" && apt_get download $DEBS) >"$tmp/apt.log" 2>&1; then
      apt_get update >/dev/null
      # shellcheck disable=SC2086
      (cd "$tmp" && apt_get download $DEBS) >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; die "apt-get download failed"; }
    fi
    for f in "$tmp"/*.deb; do dpkg -x "$f" "$tmp/root"; done
    rm -f "$tmp"/*.deb
    rm -rf "$CACHE/heimdal"
    mv "$tmp" "$CACHE/heimdal"
    touch "$CACHE/heimdal/.complete"
  fi
  exec 8>&-
  # system libraries the extracted binaries need (present on a standard Debian 12)
  local missing
  missing=$(LD_LIBRARY_PATH=$HLIB ldd "$HSRV/kdc" "$HSRV/kpasswdd" "$HBIN/kadmin.heimdal" "$ROOT/usr/sbin/kstash" 2>/dev/null \
            | awk '/not found/ {print $1}' | sort -u)
  [ -z "$missing" ] || die "Heimdal needs system libraries that are missing: $missing"
  # MIT client tools for the selftest and readiness messages
  if ! command -v kinit >/dev/null || ! command -v kvno >/dev/null; then
    apt_install krb5-user
  fi
}

write_config() {
  mkdir -p "$DIR/db" "$DIR/log" "$DIR/run" "$DIR/cc" "$DIR/keytabs"
  local common
  common="$(lab_krb5_libdefaults "$REALM")
    qualify_shortname = \"\"
    forwardable = true
    allow_rc4 = true

[realms]
    $REALM = {
        kdc = 127.0.0.1:$HEIMDAL_KDC_PORT
        kpasswd_server = 127.0.0.1:$HEIMDAL_KPASSWD_PORT
    }

[domain_realm]
    .$DOMAIN = $REALM
    $DOMAIN = $REALM"
  printf '%s\n' "$common" >"$CLIENT_CONF"
  cat >"$SERVER_CONF" <<EOF
$common

[kadmin]
    default_keys = $KEYS

[kdc]
    database = {
        dbname = $DIR/db/heimdal
        realm = $REALM
        mkey_file = $DIR/db/m-key
        acl_file = $DIR/db/kadmind.acl
        log_file = $DIR/db/iprop.log
    }
    # the per-principal requires-pre-auth attribute decides (bob has none)
    require-preauth = false
    enable-fast = true
    kdc_warn_pwexpire = 0
    # kadmin -l pokes the KDC through this socket (default under /var/lib/heimdal-kdc)
    signal_socket = $DIR/run/signal

[logging]
    kdc = FILE:$DIR/log/kdc.log
    kpasswdd = FILE:$DIR/log/kpasswdd.log
    default = FILE:$DIR/log/heimdal.log
EOF
  : >"$DIR/db/kadmind.acl"
}

create_realm() {
  [ -f "$DIR/db/.realm-complete" ] && return 0
  log "creating realm $REALM in $DIR/db"
  rm -f "$DIR"/db/heimdal* "$DIR/db/m-key" "$DIR"/keytabs/*.keytab
  local life=(--max-ticket-life=1d --max-renewable-life=7d)
  h "$ROOT/usr/sbin/kstash" --random-key --key-file="$DIR/db/m-key" >/dev/null
  h "$HBIN/kadmin.heimdal" -l init --realm-max-ticket-life=1d --realm-max-renewable-life=7d "$REALM"
  h "$HBIN/kadmin.heimdal" -l add --password=Alice-Passw0rd --use-defaults "${life[@]}" --attributes=requires-pre-auth alice
  h "$HBIN/kadmin.heimdal" -l add --password=Bob-Passw0rd --use-defaults "${life[@]}" bob
  h "$HBIN/kadmin.heimdal" -l add --random-key --use-defaults "${life[@]}" --attributes=requires-pre-auth,ok-as-delegate "host/svc.$DOMAIN"
  h "$HBIN/kadmin.heimdal" -l add --password=Http-Passw0rd --use-defaults "${life[@]}" "HTTP/web.$DOMAIN"
  h "$HBIN/kadmin.heimdal" -l modify --max-ticket-life=1d --max-renewable-life=7d "krbtgt/$REALM@$REALM"
  h "$HBIN/kadmin.heimdal" -l ext_keytab -k "$DIR/keytabs/svc.keytab" "host/svc.$DOMAIN"
  h "$HBIN/kadmin.heimdal" -l ext_keytab -k "$DIR/keytabs/http.keytab" "HTTP/web.$DOMAIN"
  h "$HBIN/kadmin.heimdal" -l ext_keytab -k "$DIR/keytabs/alice.keytab" alice
  touch "$DIR/db/.realm-complete"
}

start_daemons() {
  local started=""
  if pid_alive "$DIR/run/kdc.pid"; then
    log "kdc already running (pid $(pid_of "$DIR/run/kdc.pid"))"
  else
    tcp_busy "$HEIMDAL_KDC_PORT" && die "127.0.0.1:$HEIMDAL_KDC_PORT is already in use by another process"
    LD_LIBRARY_PATH=$HLIB KRB5_CONFIG=$SERVER_CONF setsid "$HSRV/kdc" --config-file="$SERVER_CONF" \
      --addresses=127.0.0.1 --ports="$HEIMDAL_KDC_PORT" >>"$DIR/log/kdc.stderr" 2>&1 </dev/null 9>&- &
    save_pid $! "$DIR/run/kdc.pid"
    started=1
  fi
  if pid_alive "$DIR/run/kpasswdd.pid"; then :; else
    LD_LIBRARY_PATH=$HLIB KRB5_CONFIG=$SERVER_CONF setsid "$HSRV/kpasswdd" --config-file="$SERVER_CONF" \
      --addresses=127.0.0.1 --port="$HEIMDAL_KPASSWD_PORT" --keytab=HDB: \
      >>"$DIR/log/kpasswdd.stderr" 2>&1 </dev/null 9>&- &
    save_pid $! "$DIR/run/kpasswdd.pid"
  fi
  [ -n "$started" ] || return 0
  lab_wait "$DIR/run/kdc.pid" 0.1 kdc_probe 127.0.0.1 "$HEIMDAL_KDC_PORT" "$REALM" \
    || lab_give_up "kdc did not answer on udp+tcp $KDC_ADDR" 20 stop_daemons "$DIR/log/kdc.stderr" "$DIR/log/kdc.log"
  pid_alive "$DIR/run/kpasswdd.pid" || { tail -n 20 "$DIR/log/kpasswdd.stderr" >&2; die "kpasswdd exited"; }
  log "kdc answers on udp+tcp $KDC_ADDR (pid $(pid_of "$DIR/run/kdc.pid"))"
}

stop_daemons() {
  lab_stop "$DIR/run/kpasswdd.pid" 50
  lab_stop "$DIR/run/kdc.pid" 50
}

write_env() {
  cat >"$DIR/env.sh" <<EOF
export KC_HEIMDAL_DIR=$DIR
export KC_HEIMDAL_KDC=$KDC_ADDR
export KC_HEIMDAL_REALM=$REALM
export KC_HEIMDAL_KRB5_CONFIG=$CLIENT_CONF
export KC_HEIMDAL_KPASSWD=127.0.0.1:$HEIMDAL_KPASSWD_PORT
export KC_HEIMDAL_LD_LIBRARY_PATH=$HLIB
export KC_HEIMDAL_BIN=$HBIN
EOF
}

selftest() {
  pid_alive "$DIR/run/kdc.pid" || die "not running; run: $0 start $DIR"
  local pass=0 fail=0 t_log=$DIR/log/selftest.log
  : >"$t_log"
  export KRB5_CONFIG=$CLIENT_CONF KRB5CCNAME=FILE:$DIR/cc/selftest
  local svc="host/svc.$DOMAIN@$REALM" e
  check "kdc answers udp+tcp (raw AS-REQ)" kdc_probe 127.0.0.1 "$HEIMDAL_KDC_PORT" "$REALM"
  check "MIT kinit alice (enc-timestamp preauth)" sh -c 'echo Alice-Passw0rd | kinit alice@'"$REALM"
  check "MIT kvno $svc" kvno "$svc"
  check "MIT kinit alice gets PREAUTH_REQUIRED first" sh -c \
    "echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit alice@$REALM | grep -q 'Additional pre-authentication required'"
  check "MIT kinit bob (no preauth: AS-REP without PREAUTH_REQUIRED)" sh -c \
    "echo Bob-Passw0rd | KRB5_TRACE=/dev/stdout kinit bob@$REALM >'$DIR/run/bob.trace' && ! grep -q 'Additional pre-authentication required' '$DIR/run/bob.trace'"
  check "MIT kinit alice wrong password fails" sh -c '! echo Wrong-Passw0rd | kinit alice@'"$REALM"
  check "MIT kinit -k host/svc keytab" kinit -k -t "$DIR/keytabs/svc.keytab" "$svc"
  check "MIT kinit -k HTTP/web keytab" kinit -k -t "$DIR/keytabs/http.keytab" "HTTP/web.$DOMAIN@$REALM"
  for e in aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 arcfour-hmac; do
    printf '[libdefaults]\n default_tkt_enctypes = %s\n default_tgs_enctypes = %s\n' "$e" "$e" >"$DIR/run/only-$e.conf"
    check "MIT AS+TGS with only $e" sh -c "export KRB5_CONFIG='$DIR/run/only-$e.conf:$CLIENT_CONF'
      echo Alice-Passw0rd | kinit alice@$REALM && kvno '$svc' && klist -e | grep -Eq 'Etype \\(skey, tkt\\): (DEPRECATED:)?$e,'"
  done
  check "MIT renewable TGT (kinit -r 7d, kinit -R)" sh -c "echo Alice-Passw0rd | kinit -l 1h -r 7d alice@$REALM &&
      klist | grep -q 'renew until' && kinit -R && klist | grep -q 'renew until'"
  check "MIT FAST (kinit -T armor ccache)" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' -c '$DIR/cc/armor' '$svc' &&
      echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit -T '$DIR/cc/armor' alice@$REALM | grep -q 'FAST'"
  check "MIT S4U2Self (kvno -U alice)" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' '$svc' &&
      kvno -k '$DIR/keytabs/svc.keytab' -U alice '$svc'"
  check "MIT kinit over tcp only (udp_preference_limit=1)" sh -c "printf '[libdefaults]\n udp_preference_limit = 1\n' >'$DIR/run/tcp.conf'
      echo Alice-Passw0rd | KRB5_CONFIG='$DIR/run/tcp.conf:$CLIENT_CONF' KRB5_TRACE=/dev/stdout kinit alice@$REALM | grep -q 'stream 127.0.0.1:$HEIMDAL_KDC_PORT'"
  check "Heimdal kinit alice" sh -c "echo Alice-Passw0rd | LD_LIBRARY_PATH='$HLIB' '$HBIN/kinit.heimdal' --password-file=STDIN alice@$REALM"
  check "Heimdal kgetcred + klist" sh -c "LD_LIBRARY_PATH='$HLIB' '$HBIN/kgetcred' '$svc' &&
      LD_LIBRARY_PATH='$HLIB' '$HBIN/heimtools' klist | grep -q 'host/svc'"
  check "MIT kpasswd against kpasswdd (temporary principal)" sh -c "
      h() { LD_LIBRARY_PATH='$HLIB' KRB5_CONFIG='$SERVER_CONF' \"\$@\"; }
      h '$HBIN/kadmin.heimdal' -l add --password=Old-Passw0rd --use-defaults kpwtest &&
      printf '%s\n' Old-Passw0rd New-Passw0rd-9 New-Passw0rd-9 | kpasswd kpwtest@$REALM &&
      echo New-Passw0rd-9 | kinit kpwtest@$REALM; rc=\$?
      h '$HBIN/kadmin.heimdal' -l delete kpwtest; exit \$rc"
  echo "$pass passed, $fail failed (details: $t_log)"
  [ "$fail" -eq 0 ]
}

lab_main stop_daemons install write_config create_realm start_daemons
