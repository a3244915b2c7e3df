//! kerberos-client: a pure-Rust, client-side Kerberos library.
//!
//! Start with [`Client`]: it reads krb5.conf, finds the KDCs of a realm, runs the AS exchange
//! with a password, a keytab or a key, and stores the ticket in a credential cache as `kinit`
//! does. The layers below it (`crypto`, `asn1`, `exchange`, `transport`, `ccache`, `keytab`,
//! `config`) are public for callers that need them.
#![forbid(unsafe_code)]

pub mod asn1;
pub mod ccache;
pub mod client;
pub mod config;
pub mod crypto;
pub mod exchange;
pub mod keytab;
pub mod principal;
pub mod transport;

pub use ccache::CcacheName;
pub use client::{
    Client, ClientBuilder, ClientError, Clock, Credential, IntoPrincipal, OffsetClock, Secret,
    SentMessage, SystemClock, TgtOptions,
};
pub use config::Config;
pub use keytab::Keytab;
pub use principal::Principal;
