#!/usr/bin/env bash
# scripts/samba-dc.sh - a throwaway Samba 4 Active Directory DC on loopback for the integration tests.
#
#   scripts/samba-dc.sh install DIR   apt-get install the Samba AD DC packages (and MIT client tools)
#   scripts/samba-dc.sh start DIR     install if needed, provision SAMBA.TEST in DIR if absent (once,
#                                     ~10 s), start `samba -F --no-process-group -M single` in the
#                                     background, wait until the KDC answers, write DIR/env.sh
#   scripts/samba-dc.sh stop DIR      stop the samba process started from DIR (saved PID only)
#   scripts/samba-dc.sh env DIR       rewrite and print DIR/env.sh
#   scripts/samba-dc.sh selftest DIR  MIT client tools against the DC (kinit -E, S4U2Self/Proxy, ...)
#
# `. DIR/env.sh` exports KC_SAMBA_DIR, KC_SAMBA_KDC, KC_SAMBA_KDC6, KC_SAMBA_REALM,
# KC_SAMBA_KRB5_CONFIG, KC_SAMBA_KPASSWD. It does not export KRB5_CONFIG.
#
# Realm SAMBA.TEST, NetBIOS domain SAMBA, DC host name dc1. KDC udp+tcp 127.0.0.1 and [::1] port
# $SAMBA_KDC_PORT (60288), kpasswd $SAMBA_KPASSWD_PORT (60289). No DNS anywhere (--dns-backend=NONE,
# dns/spn update commands /bin/true, netbios off, interfaces = lo only).
# SAMBA_SERVICES (default "kdc"): the samba services to run. Accounts are created offline on
# sam.ldb, so the KDC alone is enough; "kdc, ldap" adds LDAP on the fixed ports 389/636/3268/3269.
# Ports and services are frozen in DIR/settings.sh by the first start.
# Password policy: complexity off, no expiry. Accounts (password; notes):
#   administrator  Admin-Passw0rd
#   alice          Alice-Passw0rd
#   bob            Bob-Passw0rd    UF_DONT_REQUIRE_PREAUTH
#   svc            Svc-Passw0rd    SPN host/svc.samba.test, TRUSTED_TO_AUTH_FOR_DELEGATION,
#                                  msDS-AllowedToDelegateTo HTTP/web.samba.test, enctypes 0x1C;
#                                  keytabs/svc.keytab (host/svc.samba.test and svc@SAMBA.TEST)
#   web            Web-Passw0rd    SPN HTTP/web.samba.test, enctypes 0x1C; keytabs/web.keytab
#   rc4svc         Rc4svc-Passw0rd SPN HTTP/rc4.samba.test, enctypes 0x4 (RC4 only); keytabs/rc4svc.keytab
#   krbtgt         random          keytabs/krbtgt.keytab
# In AD an SPN is not a client name: use svc@SAMBA.TEST for AS-REQs, S4U and FAST armor.
# Environment: NO_INSTALL=1 (never run apt-get), SAMBA_START_TIMEOUT (60 s). Must run as root.
set -euo pipefail

LAB_NAME=samba-dc
# shellcheck source-path=SCRIPTDIR source=lab-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-lib.sh"
lab_args 2,10 "$@"

REALM=SAMBA.TEST
NETBIOS=SAMBA
DOMAIN=samba.test
if ! lab_load_settings; then
  SAMBA_KDC_PORT=${SAMBA_KDC_PORT:-60288}
  SAMBA_KPASSWD_PORT=${SAMBA_KPASSWD_PORT:-60289}
  SAMBA_SERVICES=${SAMBA_SERVICES:-kdc}
  lab_save_settings SAMBA_KDC_PORT SAMBA_KPASSWD_PORT SAMBA_SERVICES
fi
TIMEOUT=${SAMBA_START_TIMEOUT:-60}
SMB_CONF=$DIR/etc/smb.conf
CLIENT_CONF=$DIR/krb5.conf
KDC_CONF=$DIR/etc/kdc-krb5.conf   # KRB5_CONFIG of the samba process (never /etc/krb5.conf)
PKGS="samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules python3-samba winbind krb5-user"
SYSPY=/usr/bin/python3   # samba's python modules live in the Debian python
LAB_PYTHON=$SYSPY        # for kdc_probe

ST() { samba-tool "$@" -s "$SMB_CONF"; }

install() {
  [ "$(id -u)" = 0 ] || die "samba must run as root"
  if command -v samba >/dev/null && command -v samba-tool >/dev/null && [ -d /usr/share/samba/setup ] \
     && "$SYSPY" -c 'import samba.samdb' 2>/dev/null && command -v kinit >/dev/null && command -v kvno >/dev/null; then
    return 0
  fi
  log "installing $PKGS"
  # shellcheck disable=SC2086
  apt_get install --no-install-recommends $PKGS >"$DIR/apt.log" 2>&1 || {
    apt_get update >>"$DIR/apt.log" 2>&1
    # shellcheck disable=SC2086
    apt_get install --no-install-recommends $PKGS >>"$DIR/apt.log" 2>&1 || { tail -n 20 "$DIR/apt.log" >&2; die "apt-get install failed"; }
  }
}

provision() {
  [ -f "$DIR/private/.accounts-complete" ] && return 0
  mkdir -p "$DIR/log" "$DIR/keytabs"
  rm -rf "${DIR:?}/etc" "${DIR:?}/private" "${DIR:?}/state" "${DIR:?}/cache" "${DIR:?}/bind-dns" "${DIR:?}"/keytabs/*.keytab
  log "provisioning $REALM in $DIR (services: $SAMBA_SERVICES)"
  samba-tool domain provision --targetdir="$DIR" --realm="$REALM" --domain="$NETBIOS" \
    --server-role=dc --dns-backend=NONE --adminpass=Admin-Passw0rd --host-name=dc1 --host-ip=127.0.0.1 \
    --option="interfaces = lo" --option="bind interfaces only = yes" \
    --option="server services = $SAMBA_SERVICES" --option="disable netbios = yes" \
    --option="dns update command = /bin/true" --option="spn update command = /bin/true" \
    --option="krb5 port = $SAMBA_KDC_PORT" --option="kpasswd port = $SAMBA_KPASSWD_PORT" \
    --option="log file = $DIR/log/samba.%m.log" --option="max log size = 0" \
    --option="kdc enable fast = yes" --option="pid directory = $DIR/run/piddir" \
    >"$DIR/log/provision.log" 2>&1 || { tail -n 30 "$DIR/log/provision.log" >&2; die "provision failed"; }
  ST domain passwordsettings set --complexity=off --max-pwd-age=0 --min-pwd-age=0 --history-length=0 \
    >>"$DIR/log/provision.log" 2>&1 || { tail -n 20 "$DIR/log/provision.log" >&2; die "passwordsettings failed"; }
  # all accounts and keytabs in one python process (each samba-tool call costs ~1 s of start-up)
  "$SYSPY" - "$DIR" "$DOMAIN" "$REALM" >>"$DIR/log/provision.log" 2>&1 <<'PY' || { tail -n 30 "$DIR/log/provision.log" >&2; die "account setup failed"; }
import sys, ldb
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
from samba.net import Net
import samba.dckeytab  # adds Net.export_keytab
from samba import dsdb
d, dom, realm = sys.argv[1:4]
lp = LoadParm(); lp.load(d + "/etc/smb.conf")
db = SamDB(url=d + "/private/sam.ldb", session_info=system_session(), lp=lp)
accounts = [  # name, password, SPNs, msDS-SupportedEncryptionTypes, msDS-AllowedToDelegateTo
    ("alice", "Alice-Passw0rd", [], None, []),
    ("bob", "Bob-Passw0rd", [], None, []),
    ("svc", "Svc-Passw0rd", ["host/svc." + dom], 0x1C, ["HTTP/web." + dom]),
    ("web", "Web-Passw0rd", ["HTTP/web." + dom], 0x1C, []),
    ("rc4svc", "Rc4svc-Passw0rd", ["HTTP/rc4." + dom], 0x4, []),
]
for name, pw, spns, enc, a2d in accounts:
    db.newuser(name, pw)
    m = ldb.Message(db.search(base=db.domain_dn(), expression="(sAMAccountName=%s)" % name, attrs=[])[0].dn)
    if spns:
        m["spn"] = ldb.MessageElement(spns, ldb.FLAG_MOD_REPLACE, "servicePrincipalName")
    if enc is not None:
        m["enc"] = ldb.MessageElement(str(enc), ldb.FLAG_MOD_REPLACE, "msDS-SupportedEncryptionTypes")
    if a2d:
        m["a2d"] = ldb.MessageElement(a2d, ldb.FLAG_MOD_REPLACE, "msDS-AllowedToDelegateTo")
    if spns or enc is not None or a2d:
        db.modify(m)
for name in ["administrator"] + [a[0] for a in accounts]:
    db.setexpiry("(sAMAccountName=%s)" % name, 0, no_expiry_req=True)
db.toggle_userAccountFlags("(sAMAccountName=bob)", dsdb.UF_DONT_REQUIRE_PREAUTH, on=True, strict=True)
# Samba's Heimdal KDC requires preauth if the client *or the server* entry has it, and the krbtgt
# account has it unless UF_DONT_REQUIRE_PREAUTH is set there too (krbtgt is disabled, so it is
# never a client; the per-client flag still decides). See also [kdc] require-preauth in KDC_CONF.
db.toggle_userAccountFlags("(sAMAccountName=krbtgt)", dsdb.UF_DONT_REQUIRE_PREAUTH, on=True, strict=True)
db.toggle_userAccountFlags("(sAMAccountName=svc)", dsdb.UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION, on=True, strict=True)
net = Net(None, lp)
for keytab, principal in [("svc", "host/svc." + dom), ("svc", "svc"), ("web", "HTTP/web." + dom),
                          ("rc4svc", "HTTP/rc4." + dom), ("krbtgt", "krbtgt")]:
    net.export_keytab(keytab="%s/keytabs/%s.keytab" % (d, keytab), principal=principal)
print("accounts and keytabs done")
PY
  touch "$DIR/private/.accounts-complete"
}

write_client_conf() {
  # samba's embedded Heimdal reads KRB5_CONFIG: keep it off /etc/krb5.conf and let the
  # per-account UF_DONT_REQUIRE_PREAUTH decide (Heimdal's [kdc] require-preauth defaults to true)
  {
    lab_krb5_libdefaults "$REALM"
    printf '\n[kdc]\n    require-preauth = false\n'
  } >"$KDC_CONF"
  {
    lab_krb5_libdefaults "$REALM"
    cat <<EOF
    qualify_shortname = ""
    forwardable = true
    allow_rc4 = true

[realms]
    $REALM = {
        kdc = 127.0.0.1:$SAMBA_KDC_PORT
        kpasswd_server = 127.0.0.1:$SAMBA_KPASSWD_PORT
        admin_server = 127.0.0.1:$SAMBA_KPASSWD_PORT
    }

[domain_realm]
    .$DOMAIN = $REALM
    $DOMAIN = $REALM
EOF
  } >"$CLIENT_CONF"
}

# the KDC answers on 127.0.0.1 and [::1]
kdc_probe_both() { kdc_probe 127.0.0.1 "$SAMBA_KDC_PORT" "$REALM" && kdc_probe ::1 "$SAMBA_KDC_PORT" "$REALM"; }

start_daemon() {
  mkdir -p "$DIR/run/piddir" "$DIR/cc" "$DIR/log"
  if pid_alive "$DIR/run/samba.pid"; then
    log "samba already running (pid $(pid_of "$DIR/run/samba.pid"))"
    return 0
  fi
  tcp_busy "$SAMBA_KDC_PORT" && die "127.0.0.1:$SAMBA_KDC_PORT is already in use by another process"
  KRB5_CONFIG=$KDC_CONF setsid samba -s "$SMB_CONF" -F --no-process-group -M single --debug-stdout \
    >>"$DIR/log/samba.stdout" 2>&1 </dev/null 9>&- &
  save_pid $! "$DIR/run/samba.pid"
  lab_wait "$DIR/run/samba.pid" 0.2 kdc_probe_both \
    || lab_give_up "samba KDC did not answer on udp+tcp 127.0.0.1/[::1]:$SAMBA_KDC_PORT" 30 stop_daemon "$DIR/log/samba.stdout"
  log "samba KDC answers on udp+tcp 127.0.0.1/[::1]:$SAMBA_KDC_PORT (pid $(pid_of "$DIR/run/samba.pid"))"
}

stop_daemon() {
  lab_stop "$DIR/run/samba.pid" 100
}

write_env() {
  cat >"$DIR/env.sh" <<EOF
export KC_SAMBA_DIR=$DIR
export KC_SAMBA_KDC=127.0.0.1:$SAMBA_KDC_PORT
export KC_SAMBA_KDC6=[::1]:$SAMBA_KDC_PORT
export KC_SAMBA_REALM=$REALM
export KC_SAMBA_KRB5_CONFIG=$CLIENT_CONF
export KC_SAMBA_KPASSWD=127.0.0.1:$SAMBA_KPASSWD_PORT
EOF
}

selftest() {
  pid_alive "$DIR/run/samba.pid" || die "not running; run: $0 start $DIR"
  local pass=0 fail=0 t_log=$DIR/log/selftest.log
  : >"$t_log"
  export KRB5_CONFIG=$CLIENT_CONF KRB5CCNAME=FILE:$DIR/cc/selftest
  local svc="host/svc.$DOMAIN@$REALM" web="HTTP/web.$DOMAIN@$REALM" svcu="svc@$REALM" e
  check "kdc answers udp+tcp on 127.0.0.1 and [::1] (raw AS-REQ)" kdc_probe_both
  check "kinit administrator" sh -c "echo Admin-Passw0rd | kinit administrator@$REALM"
  check "kinit alice (preauth)" sh -c "echo Alice-Passw0rd | kinit alice@$REALM"
  check "kvno $svc" kvno "$svc"
  check "kinit alice wrong password fails" sh -c "! echo Wrong-Passw0rd | kinit alice@$REALM"
  check "kinit alice gets PREAUTH_REQUIRED first" sh -c \
    "echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit alice@$REALM | grep -q 'Additional pre-authentication required'"
  check "kinit bob (DONT_REQUIRE_PREAUTH: AS-REP without PREAUTH_REQUIRED)" sh -c \
    "echo Bob-Passw0rd | KRB5_TRACE=/dev/stdout kinit bob@$REALM >'$DIR/run/bob.trace' && ! grep -q 'Additional pre-authentication required' '$DIR/run/bob.trace'"
  check "kinit enterprise name (kinit -E alice@$DOMAIN)" sh -c "echo Alice-Passw0rd | kinit -E alice@$DOMAIN && kvno '$svc'"
  check "kinit -C -E alice@$DOMAIN canonicalizes to alice@$REALM" sh -c "echo Alice-Passw0rd | kinit -C -E alice@$DOMAIN && klist | grep -q 'Default principal: alice@$REALM'"
  check "kinit via [::1]:$SAMBA_KDC_PORT" sh -c "printf '[realms]\n $REALM = {\n  kdc = [::1]:$SAMBA_KDC_PORT\n }\n' >'$DIR/run/v6.conf'
      echo Alice-Passw0rd | KRB5_CONFIG='$DIR/run/v6.conf:$CLIENT_CONF' KRB5_TRACE=/dev/stdout kinit alice@$REALM | grep -q '::1'"
  check "RESPONSE_TOO_BIG over udp, retried over tcp" sh -c \
    "echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit alice@$REALM | grep -Eq 'stream 127.0.0.1:$SAMBA_KDC_PORT'"
  check "kinit -k svc@$REALM from svc.keytab" kinit -k -t "$DIR/keytabs/svc.keytab" "$svcu"
  check "service ticket for svc is AES256 (enctypes 0x1C)" sh -c "echo Alice-Passw0rd | kinit alice@$REALM && kvno '$svc' &&
      klist -e | grep -A1 'host/svc' | grep -q 'aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96'"
  check "service ticket for HTTP/rc4.$DOMAIN is RC4 (enctypes 0x4)" sh -c "echo Alice-Passw0rd | kinit alice@$REALM && kvno 'HTTP/rc4.$DOMAIN@$REALM' &&
      klist -e | grep -A1 'HTTP/rc4' | grep -Eq 'tkt\): (DEPRECATED:)?arcfour-hmac'"
  check "rc4svc.keytab decrypts (kvno -k)" sh -c "echo Alice-Passw0rd | kinit alice@$REALM && kvno -k '$DIR/keytabs/rc4svc.keytab' 'HTTP/rc4.$DOMAIN@$REALM'"
  for e in aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 arcfour-hmac; do
    printf '[libdefaults]\n default_tkt_enctypes = %s\n default_tgs_enctypes = %s\n' "$e" "$e" >"$DIR/run/only-$e.conf"
    check "AS+TGS with only $e" sh -c "export KRB5_CONFIG='$DIR/run/only-$e.conf:$CLIENT_CONF'
      echo Alice-Passw0rd | kinit alice@$REALM && kvno '$svc' && klist -e | grep -Eq 'Etype \\(skey, tkt\\): (DEPRECATED:)?$e,'"
  done
  check "FAST (kinit -T armor ccache from svc@)" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' -c '$DIR/cc/armor' '$svcu' &&
      echo Alice-Passw0rd | KRB5_TRACE=/dev/stdout kinit -T '$DIR/cc/armor' alice@$REALM | grep -q 'FAST'"
  check "S4U2Self (kvno -U alice, svc@)" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' '$svcu' &&
      kvno -k '$DIR/keytabs/svc.keytab' -U alice '$svcu'"
  check "S4U2Proxy (kvno -U alice -P $web)" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' '$svcu' &&
      kvno -U alice -P '$web' && klist | grep -A1 'HTTP/web' | grep -q 'for client alice@$REALM'"
  check "S4U2Proxy to a service not in msDS-AllowedToDelegateTo fails" sh -c "kinit -k -t '$DIR/keytabs/svc.keytab' '$svcu' &&
      ! kvno -U alice -P 'HTTP/rc4.$DOMAIN@$REALM'"
  check "web.keytab decrypts HTTP/web ticket" sh -c "echo Alice-Passw0rd | kinit alice@$REALM && kvno -k '$DIR/keytabs/web.keytab' '$web'"
  check "kpasswd (temporary user)" sh -c "samba-tool user add kpwtest Old-Passw0rd -s '$SMB_CONF' >/dev/null &&
      printf '%s\n' Old-Passw0rd New-Passw0rd-7 New-Passw0rd-7 | kpasswd kpwtest@$REALM &&
      echo New-Passw0rd-7 | kinit kpwtest@$REALM; rc=\$?
      samba-tool user delete kpwtest -s '$SMB_CONF' >/dev/null; exit \$rc"
  echo "$pass passed, $fail failed (details: $t_log)"
  [ "$fail" -eq 0 ]
}

lab_main stop_daemon install provision write_client_conf start_daemon
