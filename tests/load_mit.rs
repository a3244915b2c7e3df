//! Load: 1,000 concurrent AS+TGS exchanges with the tokio driver against the local MIT KDC
//! complete, with no lost or mismatched replies (every task checks its own names, and no two
//! tasks get the same session key). `scripts/load.sh` measures the same in a release build beside
//! MIT's own client.
#![cfg(feature = "tokio")]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use kerberos_client::{Client, Config, Keytab, Secret};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_as_and_tgs_exchanges() {
    let realm = common::Realm::mit();
    let client = Arc::new(
        Client::builder()
            .config(Config::from_file(&realm.krb5_config).unwrap())
            .build()
            .unwrap(),
    );
    let keytab = Arc::new(Keytab::read(realm.dir.join("keytabs/alice.keytab")).unwrap());
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (client, keytab) = (client.clone(), keytab.clone());
            tokio::spawn(async move {
                let tgt = client
                    .get_tgt_async("alice", Secret::Keytab((*keytab).clone()))
                    .await
                    .map_err(|e| format!("AS: {e}"))?;
                let server = kerberos_client::exchange::service_name::parse_service_name(
                    "HTTP/web.example.test",
                    "EXAMPLE.TEST",
                    None,
                )
                .unwrap();
                let options = client.tgs_options("EXAMPLE.TEST").unwrap();
                let t = client
                    .get_service_ticket_with_async(&tgt, server, options)
                    .await
                    .map_err(|e| format!("TGS: {e}"))?;
                let c = &t.credential;
                if c.client != tgt.client
                    || c.server.to_string() != "HTTP/web.example.test@EXAMPLE.TEST"
                {
                    return Err(format!("mismatched reply: {} / {}", c.client, c.server));
                }
                Ok::<_, String>((
                    tgt.session_key.as_bytes().to_vec(),
                    c.session_key.as_bytes().to_vec(),
                ))
            })
        })
        .collect();
    let mut keys = HashSet::new();
    let mut failures = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok((a, b)) => {
                assert!(keys.insert(a), "two exchanges got the same TGT session key");
                assert!(
                    keys.insert(b),
                    "two exchanges got the same service session key"
                );
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(keys.len(), 2000);
}
