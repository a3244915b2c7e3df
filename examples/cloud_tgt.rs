//! Import the Entra ID cloud TGT (and the on-premises partial TGT) from a PRT token response into
//! MIT credential caches.
//!
//! ```text
//! cloud_tgt --prt-response FILE [--session-key HEX | --transport-key PEM]
//!           [--ccache FILE] [--ad-ccache FILE] [--spn SPN --kdc-proxy URL [--ca PEM]]
//! ```
//!
//! * `--prt-response FILE`: the token endpoint's response body (JSON, or the JWE around it that a
//!   session-key-signed request gets, which needs the session key).
//! * `--session-key HEX`: the PRT session key (64 hex digits); or `--transport-key PEM`: the device
//!   transport key (PKCS#1 or PKCS#8, PEM or DER) that unwraps `session_key_jwe`. Neither is needed
//!   when `clientKey` is plain base64.
//! * `--ccache FILE`: write `tgt_cloud` there; `--ad-ccache FILE`: write `tgt_ad` there. Without
//!   either, both tickets are imported and described but nothing is written.
//! * `--spn SPN --kdc-proxy URL [--ca PEM]`: with the cloud TGT, a service ticket for SPN (sent
//!   exactly as written) through the KDC proxy (e.g. `https://login.microsoftonline.com/<tenant>/
//!   kerberos`; `--ca` trusts only that CA, else the system's roots; an `http://` URL is used as
//!   given), added to `--ccache`.
//!
//! Exit status: 0 on success, 1 on any error (with a message on stderr), 2 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use kerberos_client::cloud::{self, PrtResponse, PrtSessionKey, TgtBlob, TransportKey};
use kerberos_client::exchange::Credential;

const USAGE: &str = "usage: cloud_tgt --prt-response FILE [--session-key HEX | --transport-key PEM] \
[--ccache FILE] [--ad-ccache FILE] [--spn SPN --kdc-proxy URL [--ca PEM]]";

#[derive(Default, Debug)]
struct Args {
    prt_response: Option<PathBuf>,
    session_key: Option<String>,
    transport_key: Option<PathBuf>,
    ccache: Option<PathBuf>,
    ad_ccache: Option<PathBuf>,
    spn: Option<String>,
    kdc_proxy: Option<String>,
    ca: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--prt-response" => args.prt_response = Some(value()?.into()),
            "--session-key" => args.session_key = Some(value()?),
            "--transport-key" => args.transport_key = Some(value()?.into()),
            "--ccache" => args.ccache = Some(value()?.into()),
            "--ad-ccache" => args.ad_ccache = Some(value()?.into()),
            "--spn" => args.spn = Some(value()?),
            "--kdc-proxy" => args.kdc_proxy = Some(value()?),
            "--ca" => args.ca = Some(value()?.into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.prt_response.is_none() {
        return Err("--prt-response FILE is required".into());
    }
    if args.session_key.is_some() && args.transport_key.is_some() {
        return Err("give --session-key or --transport-key, not both".into());
    }
    if args.spn.is_some() != args.kdc_proxy.is_some() {
        return Err("--spn and --kdc-proxy go together".into());
    }
    if args.ca.is_some() && args.kdc_proxy.is_none() {
        return Err("--ca needs --kdc-proxy".into());
    }
    Ok(args)
}

fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}

fn describe(cred: &Credential) -> String {
    format!(
        "{} for {}, {} session key, valid {} to {}{}",
        cred.client,
        cred.server,
        cred.session_key.etype(),
        utc(cred.start_time),
        utc(cred.end_time),
        cred.renew_till
            .map(|r| format!(", renewable until {}", utc(r)))
            .unwrap_or_default()
    )
}

fn import(
    name: &str,
    blob: Result<&TgtBlob, cloud::CloudError>,
    session_key: Option<&PrtSessionKey>,
) -> Result<Credential, String> {
    let blob = blob.map_err(|e| e.to_string())?;
    blob.import(session_key).map_err(|e| {
        let msg = e.to_string();
        if msg.starts_with(name) {
            msg
        } else {
            format!("{name}: {msg}")
        }
    })
}

fn run(args: Args) -> Result<(), String> {
    let path = args
        .prt_response
        .as_ref()
        .ok_or("--prt-response is required")?;
    let body =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;

    let mut session_key = match &args.session_key {
        Some(hex) => Some(PrtSessionKey::from_hex(hex).map_err(|e| format!("--session-key: {e}"))?),
        None => None,
    };
    let response = match &session_key {
        Some(sk) => PrtResponse::parse_encrypted(&body, sk),
        None => PrtResponse::parse(&body),
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(tk_path) = &args.transport_key {
        let bytes =
            std::fs::read(tk_path).map_err(|e| format!("reading {}: {e}", tk_path.display()))?;
        let tk = TransportKey::from_file_contents(&bytes)
            .map_err(|e| format!("{}: {e}", tk_path.display()))?;
        session_key = Some(
            response
                .session_key(&tk)
                .map_err(|e| format!("session_key_jwe: {e}"))?,
        );
    }
    let sk = session_key.as_ref();

    let names = response.top_level_names();
    if !names.is_empty() {
        println!(
            "kerberos_top_level_names: {} -> {}",
            names.join(", "),
            cloud::CLOUD_REALM
        );
    }

    let write_any = args.ccache.is_some() || args.ad_ccache.is_some();
    // Import everything first, then write: an error leaves no cache behind.
    let cloud_cred = if args.ccache.is_some()
        || args.spn.is_some()
        || (!write_any && response.tgt_cloud.is_some())
    {
        Some(import("tgt_cloud", response.cloud_tgt(), sk)?)
    } else {
        None
    };
    let ad_cred = if args.ad_ccache.is_some() || (!write_any && response.tgt_ad.is_some()) {
        Some(import("tgt_ad", response.ad_tgt(), sk)?)
    } else {
        None
    };
    if cloud_cred.is_none() && ad_cred.is_none() {
        return Err(
            "the PRT response holds no ticket (tgt_cloud/tgt_ad); was it requested with tgt=true?"
                .into(),
        );
    }
    for (name, cred, target) in [
        ("tgt_cloud", &cloud_cred, &args.ccache),
        ("tgt_ad", &ad_cred, &args.ad_ccache),
    ] {
        let Some(cred) = cred else { continue };
        match target {
            Some(file) => {
                cloud::store(cred, file).map_err(|e| format!("{}: {e}", file.display()))?;
                println!("{name}: {}; written to {}", describe(cred), file.display());
            }
            None => println!("{name}: {} (not written: no cache given)", describe(cred)),
        }
    }
    if let (Some(spn), Some(proxy)) = (&args.spn, &args.kdc_proxy) {
        let tgt = cloud_cred.ok_or("--spn needs tgt_cloud")?;
        let ca_pem = match &args.ca {
            Some(p) => Some(std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()))?),
            None => None,
        };
        let client = cloud::cloud_client(&cloud::CloudClientOptions {
            kdc_proxy: proxy.clone(),
            ca_pem,
            allow_plain_http: proxy.starts_with("http://"),
            top_level_names: names.clone(),
        })
        .map_err(|e| e.to_string())?;
        let ticket =
            cloud::cloud_service_ticket(&client, &tgt.into(), spn, std::time::SystemTime::now())
                .map_err(|e| format!("{spn} through {proxy}: {e}"))?;
        match &args.ccache {
            Some(file) => {
                ticket
                    .add_to(file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                println!("{spn}: {}; added to {}", describe(&ticket), file.display());
            }
            None => println!("{spn}: {} (not written: no cache given)", describe(&ticket)),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("cloud_tgt: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("cloud_tgt: error: {msg}");
            ExitCode::FAILURE
        }
    }
}
