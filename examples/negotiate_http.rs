//! `negotiate_http [--spn SPN] URL`: an HTTP GET with `Authorization: Negotiate` (SPNEGO/krb5,
//! mutual authentication) using the TGT in the credential cache (KRB5CCNAME), like
//! `curl --negotiate -u :`. Prints the status, whether the server's mutual-authentication
//! token verified, and the body. http:// only. The SPN defaults to the host-based name
//! `HTTP@<host of URL>`, which krb5.conf's `dns_canonicalize_hostname`, `rdns` and
//! `qualify_shortname` expand as MIT's GSS-API does for curl; `--spn HTTP/host` is sent as written.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use kerberos_client::ccache::{CcacheName, CredentialCache};
use kerberos_client::exchange;
use kerberos_client::gss::NegotiateClient;
use kerberos_client::{Client, Credential};

struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().map_err(|_| format!("bad port in {url}"))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(format!("no host in {url}"));
    }
    Ok(Url {
        host: host.to_string(),
        port,
        path: path.to_string(),
    })
}

/// A response: status, headers (name lowercased), body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn get(url: &Url, authorization: &str) -> Result<Response, String> {
    let mut s = TcpStream::connect((url.host.as_str(), url.port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {}:{}\r\nAuthorization: {authorization}\r\nConnection: close\r\n\r\n",
        url.path, url.host, url.port
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    let n = match resp.parse(&raw).map_err(|e| e.to_string())? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Err("truncated HTTP response".into()),
    };
    let status = resp.code.unwrap_or(0);
    let headers: Vec<(String, String)> = resp
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let mut body = raw.get(n..).unwrap_or(&[]).to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "bad chunk size")?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or("truncated chunk")?);
        data = data.get(size + 2..).ok_or("truncated chunk")?;
    }
}

fn tgt_from_ccache() -> Result<Credential, String> {
    let name = CcacheName::from_env().map_err(|e| e.to_string())?;
    let path = name.path().to_path_buf();
    let cache =
        CredentialCache::read(&path).map_err(|e| format!("{e} (cache {})", path.display()))?;
    let entry = cache
        .tgt()
        .ok_or_else(|| format!("no TGT in {}", path.display()))?;
    let offset = cache.kdc_offset.map(|(s, _)| i64::from(s)).unwrap_or(0);
    Ok(exchange::Credential::from_ccache(entry, offset)
        .map_err(|e| format!("the TGT in {} is unusable: {e}", path.display()))?
        .into())
}

fn run(url: &str, spn: Option<&str>) -> Result<bool, String> {
    let url = parse_url(url)?;
    let spn = spn
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP@{}", url.host));
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let tgt = tgt_from_ccache()?;
    let mut nego = NegotiateClient::new(&client, &tgt, &spn).map_err(|e| e.to_string())?;
    let resp = get(&url, nego.header_value())?;
    println!("HTTP {}", resp.status);
    let token = resp
        .headers
        .iter()
        .find(|(k, v)| k == "www-authenticate" && v.len() > "negotiate ".len())
        .map(|(_, v)| v.clone());
    let mut ok = resp.status == 200;
    match token {
        Some(v) => match nego.verify_response(&v) {
            Ok(()) => println!("mutual authentication: verified"),
            Err(e) => {
                println!("mutual authentication: FAILED ({e})");
                ok = false;
            }
        },
        None if resp.status == 200 => {
            println!("mutual authentication: FAILED (no token from the server)");
            ok = false;
        }
        None => {}
    }
    println!();
    print!("{}", String::from_utf8_lossy(&resp.body));
    Ok(ok)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (spn, url) = match args.as_slice() {
        [url] => (None, url),
        [flag, spn, url] if flag == "--spn" => (Some(spn.as_str()), url),
        _ => {
            eprintln!("usage: negotiate_http [--spn SPN] http://host[:port]/path");
            return ExitCode::from(2);
        }
    };
    match run(url, spn) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("negotiate_http: {e}");
            ExitCode::FAILURE
        }
    }
}
