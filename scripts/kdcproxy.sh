#!/usr/bin/env bash
# scripts/kdcproxy.sh - an MS-KKDCP proxy (FreeIPA kdcproxy, from PyPI) under gunicorn on loopback.
#
#   scripts/kdcproxy.sh install DIR   create the cached venv (pip: kdcproxy gunicorn), install
#                                     openssl and krb5-k5tls (MIT's https:// KDC transport) if missing
#   scripts/kdcproxy.sh start DIR     install if needed, make a test CA + leaf cert and the config,
#                                     start gunicorn on https and plain http, wait until both answer,
#                                     write DIR/env.sh
#   scripts/kdcproxy.sh stop DIR      stop the gunicorn masters started from DIR (saved PIDs only)
#   scripts/kdcproxy.sh env DIR       rewrite and print DIR/env.sh
#   scripts/kdcproxy.sh selftest DIR  MIT kinit/kvno through https + raw KKDCP probes over http/https;
#                                     needs the MIT realm (see below)
#
# `. DIR/env.sh` exports KC_KDCPROXY_DIR, KC_KDCPROXY_HTTPS_URL (https://127.0.0.1:60443/KdcProxy),
# KC_KDCPROXY_HTTP_URL (http://127.0.0.1:60080/KdcProxy), KC_KDCPROXY_CA (DIR/tls/ca.pem) and
# KC_KDCPROXY_KRB5_CONFIG (MIT client config reaching EXAMPLE.TEST/OTHER.TEST only via the proxy).
# The WSGI app answers on every path: https://127.0.0.1:60443/<tenant-id>/kerberos works as well
# as /KdcProxy (the Entra ID style URL). https also listens on [::1]:60443.
#
# Settings (frozen in DIR/settings.sh by the first start):
#   PROXY_REALMS   space-separated REALM=ADDR[,ADDR...]; ADDR is host:port (forwarded over tcp, then
#                  udp) or a kdcproxy URL such as kerberos+udp://host:port. Default:
#                  "EXAMPLE.TEST=127.0.0.1:60088 OTHER.TEST=127.0.0.1:60089
#                   KERBEROS.MICROSOFTONLINE.COM=127.0.0.1:60090 HEIMDAL.TEST=127.0.0.1:60188
#                   SAMBA.TEST=127.0.0.1:60288"
#   PROXY_KPASSWD  same syntax for kpasswd servers (default "SAMBA.TEST=127.0.0.1:60289
#                  HEIMDAL.TEST=kpasswd+udp://127.0.0.1:60190")
#   PROXY_HTTPS_PORT (60443), PROXY_HTTP_PORT (60080)
# Unknown realms are refused: kdcproxy runs with use_dns = false (no resolver traffic ever).
# Environment: NO_INSTALL=1, KC_LAB_CACHE (venv cache, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/kerberos-client-lab), KDCPROXY_PIP_SPEC, KDCPROXY_START_TIMEOUT (30 s).
# selftest: uses the KDC that PROXY_REALMS maps EXAMPLE.TEST to if it answers; otherwise it starts
# scripts/mit-kdc.sh (or $MIT_KDC_SH) in DIR/mit on those ports and stops it afterwards.
set -euo pipefail

LAB_NAME=kdcproxy
# shellcheck source-path=SCRIPTDIR source=lab-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-lib.sh"
lab_args 2,12 "$@"
HERE=$(cd "$(dirname "$0")" && pwd)

if ! lab_load_settings; then
  PROXY_REALMS=${PROXY_REALMS:-EXAMPLE.TEST=127.0.0.1:60088 OTHER.TEST=127.0.0.1:60089 KERBEROS.MICROSOFTONLINE.COM=127.0.0.1:60090 HEIMDAL.TEST=127.0.0.1:60188 SAMBA.TEST=127.0.0.1:60288}
  PROXY_KPASSWD=${PROXY_KPASSWD-SAMBA.TEST=127.0.0.1:60289 HEIMDAL.TEST=kpasswd+udp://127.0.0.1:60190}
  PROXY_HTTPS_PORT=${PROXY_HTTPS_PORT:-60443}
  PROXY_HTTP_PORT=${PROXY_HTTP_PORT:-60080}
  lab_save_settings PROXY_REALMS PROXY_KPASSWD PROXY_HTTPS_PORT PROXY_HTTP_PORT
fi
TIMEOUT=${KDCPROXY_START_TIMEOUT:-30}
PIP_SPEC=${KDCPROXY_PIP_SPEC:-kdcproxy==1.1.0 gunicorn==27.0.1}
CACHE=${KC_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kerberos-client-lab}
if [ -x /usr/bin/python3 ]; then BASEPY=/usr/bin/python3; else BASEPY=$(command -v python3); fi
VENV=$CACHE/kdcproxy-venv-$(printf '%s %s' "$PIP_SPEC" "$("$BASEPY" -c 'import sys; print(sys.version)')" | sha256sum | cut -c1-12)
HTTPS_URL=https://127.0.0.1:$PROXY_HTTPS_PORT/KdcProxy
HTTP_URL=http://127.0.0.1:$PROXY_HTTP_PORT/KdcProxy
CLIENT_CONF=$DIR/krb5-via-proxy.conf

# kkdcp URL REALM USER [CAFILE]: stdlib MS-KKDCP client. POSTs an AS-REQ (no preauth) wrapped in a
# KDC-PROXY-MESSAGE and prints "AS-REP" or "KRB-ERROR <code>"; exit 0 on a well-formed Kerberos reply.
# URL "GET:<url>" only does a GET and prints the HTTP status.
kkdcp() {
  "$BASEPY" - "$@" <<'PY'
import http.client, os, ssl, struct, sys, time, urllib.parse
url, realm, user = sys.argv[1], sys.argv[2], sys.argv[3]
cafile = sys.argv[4] if len(sys.argv) > 4 else None
def tlv(t, c):
    n = len(c)
    l = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([t]) + l + c
def parse(b, o=0):  # -> tag, content, offset after
    t, n = b[o], b[o + 1]; o += 2
    if n & 0x80:
        k = n & 0x7F; n = int.from_bytes(b[o:o + k], "big"); o += k
    return t, b[o:o + n], o + n
def kids(c):  # children of a constructed value, by tag
    o, out = 0, {}
    while o < len(c):
        t, v, o = parse(c, o); out[t] = v
    return out
def integer(v): return tlv(2, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))
def gs(s): return tlv(0x1B, s.encode())
def seq(*a): return tlv(0x30, b"".join(a))
def ctx(n, c): return tlv(0xA0 + n, c)
def pn(t, *p): return seq(ctx(0, integer(t)), ctx(1, seq(*[gs(x) for x in p])))
u = urllib.parse.urlsplit(url[4:] if url.startswith("GET:") else url)
if u.scheme == "https":
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=cafile), timeout=15)
else:
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
if url.startswith("GET:"):
    conn.request("GET", u.path or "/"); print("HTTP", conn.getresponse().status); sys.exit(0)
till = time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + 3600)).encode()
body = seq(ctx(0, tlv(3, b"\0\x40\x81\0\x10")), ctx(1, pn(1, user)), ctx(2, gs(realm)),
           ctx(3, pn(2, "krbtgt", realm)), ctx(5, tlv(0x18, till)),
           ctx(7, integer(int.from_bytes(os.urandom(4), "big") >> 1)),
           ctx(8, seq(*[integer(e) for e in (18, 17, 20, 19, 23)])))
req = tlv(0x6A, seq(ctx(1, integer(5)), ctx(2, integer(10)), ctx(4, body)))
msg = seq(ctx(0, tlv(4, struct.pack("!I", len(req)) + req)), ctx(1, gs(realm)))
conn.request("POST", u.path or "/", body=msg, headers={"Content-Type": "application/kerberos"})
r = conn.getresponse(); data = r.read()
if r.status != 200:
    print("HTTP", r.status, data[:100]); sys.exit(1)
# KDC-PROXY-MESSAGE ::= SEQUENCE { kerb-message [0] OCTET STRING (4-byte length + message), ... }
krb = parse(kids(parse(data)[1])[0xA0])[1][4:]
if krb[0] == 0x6B:
    print("AS-REP"); sys.exit(0)
if krb[0] == 0x7E:
    f = kids(parse(parse(krb)[1])[1])
    print("KRB-ERROR", int.from_bytes(parse(f[0xA6])[1], "big")); sys.exit(0)
print("unexpected reply tag 0x%02x" % krb[0]); sys.exit(1)
PY
}

install() {
  local need=()
  command -v openssl >/dev/null || need+=(openssl)
  # MIT clients need the k5tls plugin for "kdc = https://..." (selftest, and tests using MIT)
  compgen -G "/usr/lib/*/krb5/plugins/tls/k5tls.so" >/dev/null || need+=(krb5-k5tls)
  command -v kinit >/dev/null || need+=(krb5-user)
  "$BASEPY" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
  [ ${#need[@]} -eq 0 ] || { log "installing ${need[*]}"; apt_install "${need[@]}"; }
  [ -f "$VENV/.complete" ] && return 0
  mkdir -p "$CACHE"
  exec 8>"$CACHE/kdcproxy-venv.lock"
  flock 8
  if [ ! -f "$VENV/.complete" ]; then
    log "creating venv $VENV ($PIP_SPEC)"
    rm -rf "$VENV"
    "$BASEPY" -m venv "$VENV"
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install -q --disable-pip-version-check $PIP_SPEC
    touch "$VENV/.complete"
  fi
  exec 8>&-
}

make_certs() {
  [ -f "$DIR/tls/server.pem" ] && return 0
  log "making a test CA and leaf certificate in $DIR/tls"
  local t=$DIR/tls
  rm -rf "$t"; mkdir -p "$t"
  # a CA plus a leaf: webpki/rustls reject a CA certificate used as the end-entity certificate
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kerberos-client test CA" \
    -keyout "$t/ca.key" -out "$t/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >"$t/leaf.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 3650 \
    -extfile "$t/leaf.ext" -out "$t/server.pem" 2>/dev/null
  rm -f "$t/server.csr" "$t/ca.srl"
}

# REALM=ADDR[,ADDR] list -> kdcproxy.conf lines "KEY = url url"
servers() { # KIND (kerberos|kpasswd) ADDRLIST
  local a out=""
  for a in ${2//,/ }; do
    case "$a" in
      *://*) out="$out $a" ;;
      *) out="$out $1+tcp://$a $1+udp://$a" ;;
    esac
  done
  printf '%s' "${out# }"
}

write_config() {
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/cc"
  local kv realm conf
  conf="[global]
use_dns = false
dns_realm_discovery = false
"
  for kv in $PROXY_REALMS; do
    [[ $kv == *=* ]] || die "bad PROXY_REALMS entry '$kv' (want REALM=host:port)"
    realm=${kv%%=*}
    conf="$conf
[$realm]
kerberos = $(servers kerberos "${kv#*=}")
use_dns = false"
    for kp in $PROXY_KPASSWD; do
      [ "${kp%%=*}" = "$realm" ] && conf="$conf
kpasswd = $(servers kpasswd "${kp#*=}")"
    done
    conf="$conf
"
  done
  printf '%s' "$conf" >"$DIR/kdcproxy.conf"
  # MIT client config: every proxied realm reachable only through https://.../KdcProxy
  {
    lab_krb5_libdefaults EXAMPLE.TEST
    printf '    qualify_shortname = ""\n    forwardable = true\n    allow_rc4 = true\n\n[realms]\n'
    for kv in $PROXY_REALMS; do
      realm=${kv%%=*}
      printf '    %s = {\n        kdc = %s\n        kpasswd_server = %s\n        http_anchors = FILE:%s\n    }\n' \
        "$realm" "$HTTPS_URL" "$HTTPS_URL" "$DIR/tls/ca.pem"
    done
    printf '\n[domain_realm]\n'
    for kv in $PROXY_REALMS; do
      realm=${kv%%=*}
      printf '    .%s = %s\n' "${realm,,}" "$realm"
    done
  } >"$CLIENT_CONF"
}

realm_addr() { # REALM -> its first PROXY_REALMS address (host:port)
  local kv
  for kv in $PROXY_REALMS; do
    if [ "${kv%%=*}" = "$1" ]; then kv=${kv#*=}; kv=${kv%%,*}; echo "${kv#*://}"; return 0; fi
  done
}

# the listener at URL answers (a GET gets 405 from kdcproxy)
answers_get() { kkdcp "GET:$1" X X "$DIR/tls/ca.pem" | grep -q 'HTTP 405'; }

start_one() { # NAME PORT URL gunicorn-args...
  local name=$1 port=$2 url=$3 extra=()
  shift 3
  if pid_alive "$DIR/run/$name.pid"; then
    log "$name listener already running (pid $(pid_of "$DIR/run/$name.pid"))"
    return 0
  fi
  tcp_busy "$port" && die "127.0.0.1:$port is already in use by another process"
  # gunicorn >= 25 opens a control socket under ~/.gunicorn unless told not to
  if "$VENV/bin/gunicorn" --help 2>/dev/null | grep -q -- --no-control-socket; then extra+=(--no-control-socket); fi
  KDCPROXY_CONFIG=$DIR/kdcproxy.conf setsid "$VENV/bin/gunicorn" "${extra[@]}" "$@" \
    --workers 1 --worker-class gthread --threads 4 --timeout 60 \
    --access-logfile "$DIR/log/$name-access.log" --error-logfile "$DIR/log/$name-error.log" \
    --chdir "$DIR" kdcproxy:application >>"$DIR/log/$name.stdout" 2>&1 </dev/null 9>&- &
  save_pid $! "$DIR/run/$name.pid"
  lab_wait "$DIR/run/$name.pid" 0.1 answers_get "$url" \
    || lab_give_up "$name listener did not answer at $url" 20 stop_all "$DIR/log/$name-error.log" "$DIR/log/$name.stdout"
  log "$name listener answers at $url (pid $(pid_of "$DIR/run/$name.pid"))"
}

stop_all() {
  # gunicorn master: TERM stops its workers too
  lab_stop "$DIR/run/https.pid" 100 "https listener"
  lab_stop "$DIR/run/http.pid" 100 "http listener"
}

write_env() {
  cat >"$DIR/env.sh" <<EOF
export KC_KDCPROXY_DIR=$DIR
export KC_KDCPROXY_HTTPS_URL=$HTTPS_URL
export KC_KDCPROXY_HTTP_URL=$HTTP_URL
export KC_KDCPROXY_CA=$DIR/tls/ca.pem
export KC_KDCPROXY_KRB5_CONFIG=$CLIENT_CONF
EOF
}

selftest() {
  pid_alive "$DIR/run/https.pid" || die "not running; run: $0 start $DIR"
  local pass=0 fail=0 t_log=$DIR/log/selftest.log mit_started="" kdc kdc2 p1 p2 out
  : >"$t_log"
  expect() { # NAME PATTERN CMD...: CMD succeeds and prints PATTERN
    local name=$1 pat=$2 rc=0; shift 2
    printf '### %s\n' "$name" >>"$t_log"
    out=$("$@" 2>&1) || rc=$?
    printf '%s\n' "$out" >>"$t_log"
    if [ $rc -eq 0 ] && grep -q -- "$pat" <<<"$out"; then pass=$((pass + 1)); echo "ok   $name"
    else fail=$((fail + 1)); echo "FAIL $name (got: ${out:0:120})"; fi
  }
  # the MIT realm behind the proxy
  kdc=$(realm_addr EXAMPLE.TEST)
  kdc2=$(realm_addr OTHER.TEST)
  if [ -z "$kdc" ] || [ -z "$kdc2" ]; then die "selftest needs EXAMPLE.TEST and OTHER.TEST in PROXY_REALMS"; fi
  p1=${kdc##*:}; p2=${kdc2##*:}
  if ! tcp_busy "$p1"; then
    local mit=${MIT_KDC_SH:-$HERE/mit-kdc.sh}
    [ -x "$mit" ] || [ -f "$mit" ] || die "no KDC on $kdc and no $mit to start one"
    log "starting the MIT realm ($mit) in $DIR/mit on ports $p1/$p2"
    KDC_PORT=$p1 KDC2_PORT=$p2 bash "$mit" start "$DIR/mit" >>"$t_log" 2>&1 || { tail -n 20 "$t_log" >&2; die "mit-kdc.sh start failed"; }
    mit_started=1
  fi
  export KRB5_CONFIG=$CLIENT_CONF KRB5CCNAME=FILE:$DIR/cc/selftest
  local https6="https://[::1]:$PROXY_HTTPS_PORT/KdcProxy"
  local tenant=/0f0e0d0c-0b0a-4908-8706-050403020100/kerberos
  expect "https GET answers 405 (cert verified with KC_KDCPROXY_CA)" "HTTP 405" kkdcp "GET:$HTTPS_URL" X X "$DIR/tls/ca.pem"
  expect "https on [::1] answers (SAN IP:::1)" "HTTP 405" kkdcp "GET:$https6" X X "$DIR/tls/ca.pem"
  expect "http GET answers 405" "HTTP 405" kkdcp "GET:$HTTP_URL" X X
  expect "MIT kinit alice via https KdcProxy" "Sending HTTPS request" \
    sh -c 'echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit alice@EXAMPLE.TEST'
  check "MIT kvno host/svc.example.test via proxy" kvno host/svc.example.test@EXAMPLE.TEST
  check "MIT cross-realm kvno host/svc.other.test@OTHER.TEST via proxy" kvno host/svc.other.test@OTHER.TEST
  check "MIT kinit bob (no preauth) via proxy" sh -c 'echo Bob-Passw0rd | kinit bob@EXAMPLE.TEST'
  expect "raw probe http /KdcProxy: alice -> PREAUTH_REQUIRED" "KRB-ERROR 25" kkdcp "$HTTP_URL" EXAMPLE.TEST alice
  expect "raw probe http /KdcProxy: bob -> AS-REP" "AS-REP" kkdcp "$HTTP_URL" EXAMPLE.TEST bob
  expect "raw probe http: unknown user -> C_PRINCIPAL_UNKNOWN" "KRB-ERROR 6" kkdcp "$HTTP_URL" EXAMPLE.TEST nosuchuser
  expect "raw probe https $tenant (any path)" "KRB-ERROR 25" kkdcp "https://127.0.0.1:$PROXY_HTTPS_PORT$tenant" EXAMPLE.TEST alice "$DIR/tls/ca.pem"
  expect "raw probe http $tenant (any path)" "AS-REP" kkdcp "http://127.0.0.1:$PROXY_HTTP_PORT$tenant" EXAMPLE.TEST bob
  expect "raw probe OTHER.TEST: carol -> PREAUTH_REQUIRED" "KRB-ERROR 25" kkdcp "$HTTP_URL" OTHER.TEST carol
  # the other lab realms, when their KDCs are running (heimdal-kdc.sh, samba-dc.sh)
  local r addr
  for r in HEIMDAL.TEST SAMBA.TEST; do
    addr=$(realm_addr "$r")
    if [ -n "$addr" ] && tcp_busy "${addr##*:}"; then
      expect "raw probe $r: alice -> PREAUTH_REQUIRED" "KRB-ERROR 25" kkdcp "$HTTP_URL" "$r" alice
      expect "raw probe $r: bob -> AS-REP" "AS-REP" kkdcp "$HTTP_URL" "$r" bob
      check "MIT kinit alice@$r via https KdcProxy" sh -c "echo Alice-Passw0rd | kinit alice@$r"
    else
      echo "skip $r (no KDC at ${addr:-?})"
    fi
  done
  expect "unconfigured realm is refused (no DNS lookup)" "HTTP 503" sh -c "$(declare -f kkdcp); BASEPY=$BASEPY; kkdcp '$HTTP_URL' NOSUCH.TEST alice; true"
  if [ -n "$mit_started" ]; then
    KDC_PORT=$p1 KDC2_PORT=$p2 bash "${MIT_KDC_SH:-$HERE/mit-kdc.sh}" stop "$DIR/mit" >>"$t_log" 2>&1 || true
  fi
  echo "$pass passed, $fail failed (details: $t_log)"
  [ "$fail" -eq 0 ]
}

start_listeners() {
  start_one https "$PROXY_HTTPS_PORT" "$HTTPS_URL" \
    --bind "127.0.0.1:$PROXY_HTTPS_PORT" --bind "[::1]:$PROXY_HTTPS_PORT" \
    --certfile "$DIR/tls/server.pem" --keyfile "$DIR/tls/server.key"
  start_one http "$PROXY_HTTP_PORT" "$HTTP_URL" --bind "127.0.0.1:$PROXY_HTTP_PORT"
}

lab_main stop_all install make_certs write_config start_listeners
