//! Cross-check against `rasn-kerberos` (dev-dependency): every corpus message that
//! rasn-kerberos can decode must decode with our types too, and both must re-encode to
//! identical bytes. Also documents where we are more lenient (non-ASCII names, signed kvno).

use kerberos_client::asn1;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/asn1-corpus.tsv"
);
const CORPUS_WORKTREE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/asn1-corpus.tsv"
);

fn corpus() -> Vec<(String, String, Vec<u8>)> {
    let path = std::env::var("ASN1_CORPUS").ok().unwrap_or_else(|| {
        [CORPUS, CORPUS_WORKTREE]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| panic!("message corpus not found at {CORPUS} or {CORPUS_WORKTREE}"))
            .to_string()
    });
    let text = std::fs::read_to_string(&path).expect("read corpus");
    text.lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() == 4).then(|| {
                (
                    c[1].to_string(),
                    c[2].to_string(),
                    hex::decode(c[3].trim()).expect("hex"),
                )
            })
        })
        .collect()
}

const KNOWN_DIFFERENT: &[&str] = &["proto/mod.rs:kdc_req_body"];

#[derive(Default, Debug)]
struct Tally {
    both_identical: usize,
    known_different: usize,
    only_ours: Vec<String>,
    neither: usize,
}

fn cmp<Ours, Theirs>(name: &str, bytes: &[u8], t: &mut Tally)
where
    Ours: rasn::Decode + rasn::Encode,
    Theirs: rasn::Decode + rasn::Encode,
{
    let theirs = rasn::der::decode::<Theirs>(bytes);
    let ours = asn1::decode::<Ours>(bytes);
    match (theirs, ours) {
        (Ok(theirs), Ok(ours)) => {
            let a = rasn::der::encode(&theirs).expect("rasn-kerberos encode");
            let b = asn1::encode(&ours).expect("our encode");
            if a == b {
                t.both_identical += 1;
            } else {
                // Only expected where we normalise on purpose: a 16-bit KDCOptions is
                // re-encoded as 32 bits (rasn-kerberos keeps 16).
                assert!(
                    KNOWN_DIFFERENT.contains(&name),
                    "{name}: re-encodings differ: {} vs {}",
                    hex::encode(&a),
                    hex::encode(&b)
                );
                t.known_different += 1;
            }
        }
        (Err(e), Ok(_)) => t.only_ours.push(format!("{name}: rasn-kerberos: {e}")),
        (Ok(_), Err(e)) => panic!("{name}: rasn-kerberos decodes but we do not: {e}"),
        (Err(_), Err(_)) => t.neither += 1,
    }
}

#[test]
fn same_bytes_decode_in_both_and_re_encode_identically() {
    use kerberos_client::asn1 as o;
    use rasn_kerberos as r;
    let mut t = Tally::default();
    for (name, ty, b) in corpus() {
        let b = &b[..];
        match ty.as_str() {
            "AsReq" => cmp::<o::AsReq, r::AsReq>(&name, b, &mut t),
            "TgsReq" => cmp::<o::TgsReq, r::TgsReq>(&name, b, &mut t),
            "KdcReq" => cmp::<o::KdcReq, r::KdcReq>(&name, b, &mut t),
            "KdcReqBody" => cmp::<o::KdcReqBody, r::KdcReqBody>(&name, b, &mut t),
            "AsRep" => cmp::<o::AsRep, r::AsRep>(&name, b, &mut t),
            "TgsRep" => cmp::<o::TgsRep, r::TgsRep>(&name, b, &mut t),
            "KrbError" => cmp::<o::KrbError, r::KrbError>(&name, b, &mut t),
            "ApReq" => cmp::<o::ApReq, r::ApReq>(&name, b, &mut t),
            "ApRep" => cmp::<o::ApRep, r::ApRep>(&name, b, &mut t),
            "KrbCred" => cmp::<o::KrbCred, r::KrbCred>(&name, b, &mut t),
            "KrbPriv" => cmp::<o::KrbPriv, r::KrbPriv>(&name, b, &mut t),
            "KrbSafe" => cmp::<o::KrbSafe, r::KrbSafe>(&name, b, &mut t),
            "Ticket" => cmp::<o::Ticket, r::Ticket>(&name, b, &mut t),
            "EncTicketPart" => cmp::<o::EncTicketPart, r::EncTicketPart>(&name, b, &mut t),
            "EncTgsRepPart" => cmp::<o::EncTgsRepPart, r::EncTgsRepPart>(&name, b, &mut t),
            "EncAsRepPart" => cmp::<o::EncAsRepPart, r::EncAsRepPart>(&name, b, &mut t),
            "Authenticator" => cmp::<o::Authenticator, r::Authenticator>(&name, b, &mut t),
            "EncApRepPart" => cmp::<o::EncApRepPart, r::EncApRepPart>(&name, b, &mut t),
            "EncKrbPrivPart" => cmp::<o::EncKrbPrivPart, r::EncKrbPrivPart>(&name, b, &mut t),
            "EncKrbCredPart" => cmp::<o::EncKrbCredPart, r::EncKrbCredPart>(&name, b, &mut t),
            "KrbCredInfo" => cmp::<o::KrbCredInfo, r::KrbCredInfo>(&name, b, &mut t),
            "EncryptedData" => cmp::<o::EncryptedData, r::EncryptedData>(&name, b, &mut t),
            "EncryptionKey" => cmp::<o::EncryptionKey, r::EncryptionKey>(&name, b, &mut t),
            "PrincipalName" => cmp::<o::PrincipalName, r::PrincipalName>(&name, b, &mut t),
            "PaData" => cmp::<o::PaData, r::PaData>(&name, b, &mut t),
            "MethodData" => cmp::<o::MethodData, r::MethodData>(&name, b, &mut t),
            "EtypeInfo" => cmp::<o::EtypeInfo, r::EtypeInfo>(&name, b, &mut t),
            "EtypeInfo2" => cmp::<o::EtypeInfo2, r::EtypeInfo2>(&name, b, &mut t),
            "PaEncTsEnc" => cmp::<o::PaEncTsEnc, r::PaEncTsEnc>(&name, b, &mut t),
            "AuthorizationData" => {
                cmp::<o::AuthorizationData, r::AuthorizationData>(&name, b, &mut t)
            }
            "TypedData" => cmp::<o::TypedData, r::TypedData>(&name, b, &mut t),
            "AdKdcIssued" => cmp::<o::AdKdcIssued, r::AdKdcIssued>(&name, b, &mut t),
            _ => {}
        }
    }
    println!(
        "rasn-kerberos cross-check: {} identical, {} known different (32-bit flag normalisation), {} only we decode, {} neither",
        t.both_identical,
        t.known_different,
        t.only_ours.len(),
        t.neither
    );
    for s in &t.only_ours {
        println!("  only ours: {s}");
    }
    assert!(t.both_identical >= 100, "{t:?}");
    assert_eq!(t.neither, 0, "{t:?}");
}

#[test]
fn we_accept_what_rasn_kerberos_rejects() {
    // Non-ASCII principal.
    let p = asn1::PrincipalName::new(1, &["Дмитрий"]);
    let der = asn1::encode(&p).unwrap();
    assert!(rasn::der::decode::<rasn_kerberos::PrincipalName>(&der).is_err());
    assert_eq!(asn1::decode::<asn1::PrincipalName>(&der).unwrap(), p);
    // MSB-set kvno.
    let der = hex::decode(
        "3026a003020100a1060204ff000000a21704156b726241534e2e312074657374206d657373616765",
    )
    .unwrap();
    assert!(rasn::der::decode::<rasn_kerberos::EncryptedData>(&der).is_err());
    assert!(asn1::decode::<asn1::EncryptedData>(&der).is_ok());
}
