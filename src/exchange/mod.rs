//! PLACEHOLDER with the contract types of the exchange (no logic): lets the client façade compile
//! until the exchange branch is merged, which replaces this file.
#![allow(missing_docs, dead_code, unused_variables)]
use crate::principal::Principal;
use std::time::{Duration, SystemTime};
pub enum Step { Send(Outgoing), Done(Credential) }
#[derive(Clone, Debug)] pub struct Outgoing { pub realm: String, pub message: Vec<u8>, pub tcp_only: bool }
pub struct AsExchange;
impl AsExchange {
    pub fn new(request: AsRequest, now: SystemTime) -> Result<AsExchange, ExchangeError> { Err(ExchangeError::UnexpectedMessage) }
    pub fn poll(&mut self) -> Option<Step> { None }
    pub fn receive(&mut self, reply: &[u8], now: SystemTime) -> Result<(), ExchangeError> { Ok(()) }
}
pub struct AsRequest { pub client: Principal, pub secret: AsSecret, pub options: AsOptions }
pub enum AsSecret { Password(zeroize::Zeroizing<String>), Keys(Vec<crate::crypto::Key>) }
#[derive(Clone, Debug)] pub struct AsOptions {
    pub lifetime: Duration, pub renew_lifetime: Option<Duration>, pub forwardable: bool, pub proxiable: bool,
    pub etypes: Vec<i32>, pub allow_weak_crypto: bool, pub request_pac: Option<bool>, pub canonicalize: bool,
    pub addressless: bool, pub server: Option<Principal>, pub max_referrals: u8, pub clock_skew: Duration }
impl Default for AsOptions { fn default() -> Self { AsOptions { lifetime: Duration::from_secs(36000), renew_lifetime: None, forwardable: false, proxiable: false, etypes: vec![18,17,20,19], allow_weak_crypto: false, request_pac: None, canonicalize: true, addressless: true, server: None, max_referrals: 5, clock_skew: Duration::from_secs(300) } } }
#[derive(Clone, Debug)]
pub struct Credential { pub client: Principal, pub server: Principal, pub ticket: Vec<u8>, pub session_key: crate::crypto::Key,
    pub flags: u32, pub auth_time: i64, pub start_time: i64, pub end_time: i64, pub renew_till: Option<i64>,
    pub kdc_offset: i64, pub enc_padata: Vec<(i32, Vec<u8>)> }
impl Credential { pub fn to_ccache(&self) -> crate::ccache::Credential { unimplemented!() } }
#[derive(Debug, thiserror::Error)] #[error("kdc error {code}")]
pub struct KdcError { pub code: i32, pub name: &'static str, pub e_text: Option<String>, pub e_data: Option<Vec<u8>>, pub realm: String, pub server_time: Option<i64> }
#[derive(Debug, thiserror::Error)] #[non_exhaustive] pub enum ExchangeError { #[error(transparent)] Kdc(KdcError), #[error("unexpected")] UnexpectedMessage }
