#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod asn1;
pub mod ccache;
pub mod client;
pub mod cloud;
pub mod config;
pub mod crypto;
pub mod exchange;
pub mod gss;
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
