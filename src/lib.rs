//! kerberos-client: a pure-Rust, client-side Kerberos library.
#![forbid(unsafe_code)]

pub mod asn1;
pub mod crypto;
