//! Shared support for the integration tests: the MIT KDC lab started by `scripts/mit-kdc.sh`.
//!
//! The tests need the environment written by the script:
//!
//! ```sh
//! scripts/mit-kdc.sh start /tmp/kc-mit && . /tmp/kc-mit/env.sh
//! ```
//!
//! which exports `KRB5_CONFIG`, `KRB5_KDC_PROFILE`, `KC_MIT_DIR`, `KC_MIT_KDC`, `KC_MIT_KDC2`,
//! `KC_MIT_REALM` and `KC_MIT_REALM2`. Without it the tests fail (they are never skipped).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Passwords of the lab principals (see scripts/mit-kdc.sh).
pub const ALICE_PW: &str = "Alice-Passw0rd";
pub const BOB_PW: &str = "Bob-Passw0rd";
pub const HTTP_PW: &str = "Http-Passw0rd";

/// The running MIT lab.
#[derive(Debug, Clone)]
pub struct MitLab {
    /// DIR given to `scripts/mit-kdc.sh start`.
    pub dir: PathBuf,
    /// The client configuration (`KRB5_CONFIG`).
    pub krb5_config: PathBuf,
    /// `EXAMPLE.TEST`.
    pub realm: String,
    /// `OTHER.TEST`.
    pub realm2: String,
    /// `127.0.0.1:port` of the first realm's KDC.
    pub kdc: String,
}

fn need(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "\n\n{var} is not set: these tests need the MIT KDC lab. Run\n\n    \
             scripts/mit-kdc.sh start /tmp/kc-mit && . /tmp/kc-mit/env.sh\n\n\
             in the shell that runs `cargo test` (see tests/common/mod.rs).\n"
        ),
    }
}

/// The lab from the environment; panics with instructions when it is not set up.
pub fn lab() -> MitLab {
    let dir = PathBuf::from(need("KC_MIT_DIR"));
    let krb5_config = PathBuf::from(need("KRB5_CONFIG"));
    need("KRB5_KDC_PROFILE");
    assert!(
        dir.join("keytabs").is_dir(),
        "KC_MIT_DIR={} has no keytabs/: run scripts/mit-kdc.sh start on it",
        dir.display()
    );
    MitLab {
        dir,
        krb5_config,
        realm: std::env::var("KC_MIT_REALM").unwrap_or_else(|_| "EXAMPLE.TEST".into()),
        realm2: std::env::var("KC_MIT_REALM2").unwrap_or_else(|_| "OTHER.TEST".into()),
        kdc: need("KC_MIT_KDC"),
    }
}

impl MitLab {
    /// A keytab written by the script (`svc.keytab`, `http.keytab`, `alice.keytab`,
    /// `svc-other.keytab`).
    pub fn keytab(&self, name: &str) -> PathBuf {
        self.dir.join("keytabs").join(name)
    }

    /// A command for an MIT tool with the lab config, C locale and UTC (stable klist output).
    pub fn cmd(&self, tool: &str) -> Command {
        let mut c = Command::new(tool);
        c.env("KRB5_CONFIG", &self.krb5_config)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env_remove("KRB5CCNAME")
            .env_remove("KRB5_KTNAME")
            .env(
                "PATH",
                format!(
                    "{}:/usr/sbin:/sbin",
                    std::env::var("PATH").unwrap_or_default()
                ),
            );
        c
    }

    /// `kinit principal` with `password` on stdin into cache `cc`.
    pub fn kinit(&self, cc: &Path, principal: &str, password: &str) {
        let mut c = self.cmd("kinit");
        c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
            .arg(principal);
        run(c, Some(password));
    }

    /// Same as [`kinit`](Self::kinit) with an extra config file prepended to KRB5_CONFIG.
    pub fn kinit_with_conf(&self, cc: &Path, principal: &str, password: &str, conf: &Path) {
        let mut c = self.cmd("kinit");
        c.env(
            "KRB5_CONFIG",
            format!("{}:{}", conf.display(), self.krb5_config.display()),
        )
        .env("KRB5CCNAME", format!("FILE:{}", cc.display()))
        .arg(principal);
        run(c, Some(password));
    }

    /// `kvno service` using cache `cc`.
    pub fn kvno(&self, cc: &Path, service: &str) -> Output {
        let mut c = self.cmd("kvno");
        c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
            .arg(service);
        run(c, None)
    }

    /// `klist ARGS -c FILE:cc`, stdout.
    pub fn klist(&self, cc: &Path, args: &[&str]) -> String {
        let mut c = self.cmd("klist");
        c.args(args).arg("-c").arg(format!("FILE:{}", cc.display()));
        String::from_utf8(run(c, None).stdout).unwrap()
    }
}

/// Runs a command (with optional stdin line), panicking with its output on failure.
pub fn run(mut c: Command, stdin: Option<&str>) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let desc = format!("{c:?}");
    let mut child = c
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {desc}: {e}"));
    {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            let _ = writeln!(si, "{s}");
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{desc} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `MM/DD/YY HH:MM:SS` in UTC, as klist prints times with LC_ALL=C.
pub fn klist_time(t: u32) -> String {
    let secs = i64::from(t);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{:02}/{:02}/{:02} {:02}:{:02}:{:02}",
        m,
        d,
        y % 100,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers for the façade tests (tests/kdc_*.rs, tests/client_*.rs): every lab of scripts/, read
// from the environment its env.sh exports. A missing variable fails the test with instructions.

/// The value of `var`, or a panic that says which lab script to start.
pub fn need_env(var: &str, script: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "\n\n{var} is not set: this test needs the lab of scripts/{script}. Run\n\n    \
             scripts/{script} start /tmp/kc-lab/{dir} && . /tmp/kc-lab/{dir}/env.sh\n\n\
             in the shell that runs `cargo test` (scripts/test.sh does this for every lab).\n",
            dir = script.trim_end_matches(".sh")
        ),
    }
}

/// A lab realm as the façade tests see it: its directory (keytabs/), client krb5.conf, realm
/// name and first KDC (`host:port`).
#[derive(Debug, Clone)]
pub struct Realm {
    /// DIR given to the script.
    pub dir: PathBuf,
    /// The client krb5.conf the script wrote.
    pub krb5_config: PathBuf,
    /// The realm name.
    pub realm: String,
    /// `127.0.0.1:port`.
    pub kdc: String,
}

impl Realm {
    /// The MIT realm EXAMPLE.TEST of `scripts/mit-kdc.sh`.
    pub fn mit() -> Realm {
        let l = lab();
        Realm {
            dir: l.dir,
            krb5_config: l.krb5_config,
            realm: l.realm,
            kdc: l.kdc,
        }
    }

    /// HEIMDAL.TEST of `scripts/heimdal-kdc.sh`.
    pub fn heimdal() -> Realm {
        let s = "heimdal-kdc.sh";
        Realm {
            dir: PathBuf::from(need_env("KC_HEIMDAL_DIR", s)),
            krb5_config: PathBuf::from(need_env("KC_HEIMDAL_KRB5_CONFIG", s)),
            realm: need_env("KC_HEIMDAL_REALM", s),
            kdc: need_env("KC_HEIMDAL_KDC", s),
        }
    }

    /// SAMBA.TEST of `scripts/samba-dc.sh`.
    pub fn samba() -> Realm {
        let s = "samba-dc.sh";
        Realm {
            dir: PathBuf::from(need_env("KC_SAMBA_DIR", s)),
            krb5_config: PathBuf::from(need_env("KC_SAMBA_KRB5_CONFIG", s)),
            realm: need_env("KC_SAMBA_REALM", s),
            kdc: need_env("KC_SAMBA_KDC", s),
        }
    }

    /// A keytab the script wrote.
    pub fn keytab(&self, name: &str) -> PathBuf {
        let p = self.dir.join("keytabs").join(name);
        assert!(
            p.is_file(),
            "{} is missing: restart the lab script",
            p.display()
        );
        p
    }

    /// `name@REALM`.
    pub fn name(&self, user: &str) -> String {
        format!("{user}@{}", self.realm)
    }

    /// The KDC's port.
    pub fn kdc_port(&self) -> u16 {
        self.kdc
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("KDC address {:?} is not host:port", self.kdc))
    }

    /// A krb5.conf for this realm only: `kdc` lines as given, and extra `[libdefaults]` lines.
    pub fn conf_text(&self, kdcs: &[String], libdefaults: &str) -> String {
        let mut s = format!(
            "[libdefaults]\n default_realm = {r}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n{libdefaults}\n[realms]\n {r} = {{\n",
            r = self.realm
        );
        for k in kdcs {
            s.push_str(&format!("  kdc = {k}\n"));
        }
        s.push_str(" }\n");
        s
    }

    /// The same as [`conf_text`](Self::conf_text) with the realm's own KDC.
    pub fn conf_with(&self, libdefaults: &str) -> String {
        self.conf_text(std::slice::from_ref(&self.kdc), libdefaults)
    }
}

/// `KC_DNS_SERVER` of `scripts/dns-srv.sh` (`127.0.0.1:port`).
pub fn dns_server() -> std::net::SocketAddr {
    need_env("KC_DNS_SERVER", "dns-srv.sh")
        .parse()
        .expect("KC_DNS_SERVER is ip:port")
}

/// A loopback port where nothing listens (bound, then released).
pub fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// Builds `examples/kinit` (same features as this test build) and returns its path.
pub fn kinit_example() -> PathBuf {
    example("kinit")
}

/// Builds `examples/<name>` (same features as this test build) and returns its path.
pub fn example(name: &str) -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(&manifest)
        .args(["build", "--quiet", "--example", name]);
    if !cfg!(feature = "dns") {
        c.arg("--no-default-features");
    }
    if cfg!(feature = "tokio") {
        c.args(["--features", "tokio"]);
    }
    run(c, None);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    let exe = target.join("debug").join("examples").join(name);
    assert!(exe.is_file(), "{} was not built", exe.display());
    exe
}

/// Runs a command with `stdin` (written as is), returning its output whatever its status.
pub fn run_unchecked(mut c: Command, stdin: &str) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let desc = format!("{c:?}");
    let mut child = c
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {desc}: {e}"));
    {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        let _ = si.write_all(stdin.as_bytes());
    }
    child.wait_with_output().unwrap()
}
