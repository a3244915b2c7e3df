//! kerberos-client: a pure-Rust, client-side Kerberos library.
#![forbid(unsafe_code)]

pub mod config;
pub mod crypto;
pub mod transport;
pub mod ccache;
pub mod keytab;
pub mod principal;
