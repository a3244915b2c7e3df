#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod asn1;
pub mod ccache;
pub mod cloud;
pub mod config;
pub mod crypto;
pub mod exchange;
pub mod keytab;
pub mod principal;
pub mod transport;
