//! `examples/cloud_tgt.rs` run as a subprocess on PRT responses generated from the emulated Entra
//! KDC (see tests/cloud_fixture/mod.rs): the happy paths and error paths, checked with MIT `klist`.

mod cloud_fixture;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloud_fixture::{ClientKeyForm, Options};

/// The example binary next to this test binary (`target/<profile>/examples/cloud_tgt`); built with
/// `cargo build --example cloud_tgt` when this test was built alone.
fn example() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(build_example).clone()
}

fn build_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples").join("cloud_tgt");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--example", "cloud_tgt"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build --example cloud_tgt");
        assert!(status.success(), "cargo build --example cloud_tgt failed");
    }
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(example())
        .args(args)
        .env_remove("KRB5CCNAME")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn imports_both_tickets_with_the_transport_key() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(&lab, Options::default());
    let dir = tempfile::tempdir().unwrap();
    let response = dir.path().join("prt.json");
    std::fs::write(&response, &fx.json).unwrap();
    let tk = dir.path().join("transport.pem");
    std::fs::write(&tk, &fx.transport_key_pkcs8_pem).unwrap();
    let cc = dir.path().join("cloud.cc");
    let ad_cc = dir.path().join("ad.cc");
    let out = run(&[
        "--prt-response".as_ref(),
        response.as_os_str(),
        "--transport-key".as_ref(),
        tk.as_os_str(),
        "--ccache".as_ref(),
        cc.as_os_str(),
        "--ad-ccache".as_ref(),
        ad_cc.as_os_str(),
    ]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("tgt_cloud: AdeleV\\@contoso.onmicrosoft.com@KERBEROS.MICROSOFTONLINE.COM for krbtgt/KERBEROS.MICROSOFTONLINE.COM@KERBEROS.MICROSOFTONLINE.COM"), "{t}");
    assert!(
        t.contains("tgt_ad: adelev@CONTOSO.TEST for krbtgt/CONTOSO.TEST@CONTOSO.TEST"),
        "{t}"
    );
    assert!(t.contains("windows.net, file.core.windows.net"), "{t}");
    let k = cloud_fixture::klist(&lab, &cc, &[]);
    assert!(
        k.contains(
            "Default principal: AdeleV\\@contoso.onmicrosoft.com@KERBEROS.MICROSOFTONLINE.COM"
        ),
        "{k}"
    );
    let k = cloud_fixture::klist(&lab, &ad_cc, &[]);
    assert!(k.contains("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), "{k}");
}

#[test]
fn imports_with_session_key_hex_and_plain_client_key() {
    let lab = cloud_fixture::lab();
    let dir = tempfile::tempdir().unwrap();
    for (form, with_key) in [
        (ClientKeyForm::JweGcm, true),
        (ClientKeyForm::PlainBase64, false),
    ] {
        let fx = cloud_fixture::generate(
            &lab,
            Options {
                client_key: form,
                with_ad: false,
                ..Options::default()
            },
        );
        let response = dir.path().join("prt.json");
        std::fs::write(&response, &fx.json).unwrap();
        let cc = dir.path().join(format!("{form:?}.cc"));
        let hex = fx.session_key_hex();
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--prt-response".as_ref(),
            response.as_os_str(),
            "--ccache".as_ref(),
            cc.as_os_str(),
        ];
        if with_key {
            args.push("--session-key".as_ref());
            args.push(hex.as_ref());
        }
        let out = run(&args);
        assert!(out.status.success(), "{form:?}: {}", text(&out));
        let k = cloud_fixture::klist(&lab, &cc, &[]);
        assert!(k.contains("krbtgt/KERBEROS.MICROSOFTONLINE.COM@"), "{k}");
    }
}

#[test]
fn errors_exit_non_zero_with_a_message_and_write_nothing() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(&lab, Options::default());
    let dir = tempfile::tempdir().unwrap();
    let response = dir.path().join("prt.json");
    std::fs::write(&response, &fx.json).unwrap();
    let cc = dir.path().join("cloud.cc");
    let ad_cc = dir.path().join("ad.cc");
    let wrong = "11".repeat(32);

    // Wrong session key.
    let out = run(&[
        "--prt-response".as_ref(),
        response.as_os_str(),
        "--session-key".as_ref(),
        wrong.as_ref(),
        "--ccache".as_ref(),
        cc.as_os_str(),
        "--ad-ccache".as_ref(),
        ad_cc.as_os_str(),
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("cloud_tgt: error: tgt_cloud:"), "{t}");
    assert!(
        !t.contains(&wrong) && !t.contains(&fx.session_key_hex()),
        "{t}"
    );
    assert!(!cc.exists() && !ad_cc.exists());

    // A JWE client key without any key.
    let out = run(&[
        "--prt-response".as_ref(),
        response.as_os_str(),
        "--ccache".as_ref(),
        cc.as_os_str(),
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("needs the PRT session key"), "{t}");
    assert!(!cc.exists());

    // Malformed JSON.
    std::fs::write(&response, &fx.json[..100]).unwrap();
    let hex = fx.session_key_hex();
    let out = run(&[
        "--prt-response".as_ref(),
        response.as_os_str(),
        "--session-key".as_ref(),
        hex.as_ref(),
        "--ccache".as_ref(),
        cc.as_os_str(),
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("not valid JSON"), "{t}");
    assert!(!cc.exists());

    // With --spn too, a bad response is an error before anything is sent or written.
    let out = run(&[
        "--prt-response".as_ref(),
        response.as_os_str(),
        "--spn".as_ref(),
        "cifs/acct.file.core.windows.net".as_ref(),
        "--kdc-proxy".as_ref(),
        "https://127.0.0.1:60443/tenant/kerberos".as_ref(),
        "--ccache".as_ref(),
        cc.as_os_str(),
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error"), "{t}");
    assert!(!cc.exists());

    // Usage errors.
    for args in [
        &["--ccache".as_ref(), cc.as_os_str()][..],
        &[
            "--prt-response".as_ref(),
            response.as_os_str(),
            "--bogus".as_ref(),
        ][..],
        &[
            "--prt-response".as_ref(),
            response.as_os_str(),
            "--spn".as_ref(),
            "cifs/x".as_ref(),
        ][..],
    ] {
        let out = run(args);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{t}");
        assert!(t.contains("usage: cloud_tgt"), "{t}");
    }
    assert!(!cc.exists());
}

/// A utility, not a check: writes generated responses (faithful and usable shapes) with their
/// session keys and transport keys to `$KC_CLOUD_WRITE_FIXTURE` for manual runs of `cloud_tgt`:
/// `KC_CLOUD_WRITE_FIXTURE=/tmp/fx cargo test --test cloud_example -- --ignored write_fixtures`.
#[test]
#[ignore = "utility: writes fixtures to $KC_CLOUD_WRITE_FIXTURE for manual runs"]
fn write_fixtures() {
    let dir = std::env::var("KC_CLOUD_WRITE_FIXTURE")
        .expect("KC_CLOUD_WRITE_FIXTURE=DIR names where to write the fixtures");
    let lab = cloud_fixture::lab();
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, shape) in [
        ("faithful", cloud_fixture::Shape::Faithful),
        ("usable", cloud_fixture::Shape::Usable),
    ] {
        let fx = cloud_fixture::generate(
            &lab,
            Options {
                shape,
                ..Options::default()
            },
        );
        std::fs::write(dir.join(format!("{name}.json")), &fx.json).unwrap();
        std::fs::write(
            dir.join(format!("{name}.session-key")),
            fx.session_key_hex(),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}.transport-key.pem")),
            &fx.transport_key_pkcs1_pem,
        )
        .unwrap();
    }
}
