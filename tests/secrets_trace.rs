//! Secrets never reach tracing output: a full AS + TGS exchange against the MIT KDC is traced at
//! TRACE level into a buffer, which must contain neither the password nor any key's bytes (the
//! long-term key, the TGT and service-ticket session keys) in hex, base64 or `Debug` form.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{ALICE_PW, Realm};
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::{Client, Config, Secret};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn forms(key: &[u8]) -> Vec<String> {
    use std::fmt::Write as _;
    let hex_lower = key.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    let hex_upper = hex_lower.to_uppercase();
    let debug = format!("{:?}", key);
    // A run of 8 bytes is enough to give a leak away; check a prefix of every form.
    let debug_prefix = debug.chars().take(24).collect::<String>();
    vec![
        hex_lower[..16].to_owned(),
        hex_upper[..16].to_owned(),
        debug_prefix,
    ]
}

#[test]
fn no_password_or_key_bytes_in_the_trace() {
    let realm = Realm::mit();
    let buf = Buffer::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let (tgt, service) = tracing::subscriber::with_default(subscriber, || {
        let client = Client::builder()
            .config(Config::from_file(&realm.krb5_config).unwrap())
            .build()
            .unwrap();
        let tgt = client.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
        let service = client
            .get_service_ticket(&tgt, "HTTP/web.example.test")
            .unwrap();
        (tgt, service)
    });
    let trace = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(trace.len() > 500, "the exchange was traced: {trace}");
    assert!(trace.contains("get_tgt"), "spans are in the trace");

    assert!(!trace.contains(ALICE_PW), "password in the trace");
    let long_term = Key::from_password(
        EncryptionType::Aes256CtsHmacSha196,
        ALICE_PW,
        b"EXAMPLE.TESTalice",
        None,
    )
    .unwrap();
    let keys: Vec<&[u8]> = vec![
        long_term.as_bytes(),
        tgt.session_key.as_bytes(),
        service.session_key.as_bytes(),
    ];
    for key in keys {
        for form in forms(key) {
            assert!(!trace.contains(&form), "key bytes ({form}) in the trace");
        }
    }
    // Debug output of the credentials themselves does not show the keys either.
    let dbg = format!("{tgt:?} {service:?}");
    for form in forms(tgt.session_key.as_bytes())
        .into_iter()
        .chain(forms(service.session_key.as_bytes()))
    {
        assert!(!dbg.contains(&form), "key bytes in Debug output");
    }
}
