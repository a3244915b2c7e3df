//! The tokio driver: the same behaviour as [`super::blocking`], without blocking a runtime thread.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};

use super::framing::{self, MAX_UDP_LEN};
use super::{AttemptError, KdcEndpoint, Protocol, Schedule, SendOptions, TransportError};

/// Send `message` to the KDCs of `realm` in order and return the first reply (see
/// [`super::blocking::send`]).
pub async fn send(
    realm: &str,
    endpoints: &[KdcEndpoint],
    message: &[u8],
    opts: &SendOptions,
) -> Result<Vec<u8>, TransportError> {
    let mut schedule = Schedule::new(realm, endpoints, opts, message.len());
    let mut udp = UdpSockets::default();
    while let Some(planned) = schedule.next_attempt() {
        match attempt(
            planned.endpoint,
            planned.protocol,
            message,
            &planned.opts,
            &mut udp,
        )
        .await
        {
            Ok(reply) => {
                tracing::debug!(endpoint = %planned.endpoint, protocol = %planned.protocol, sent = message.len(), received = reply.len(), "KDC replied");
                return Ok(reply);
            }
            Err(error) => schedule.failed(planned, error),
        }
    }
    Err(schedule.into_error())
}

/// One exchange with one KDC over one protocol, bounded by the per-KDC timeout as a whole.
pub async fn send_one(
    endpoint: &KdcEndpoint,
    protocol: Protocol,
    message: &[u8],
    opts: &SendOptions,
) -> Result<Vec<u8>, AttemptError> {
    attempt(
        endpoint,
        protocol,
        message,
        opts,
        &mut UdpSockets::default(),
    )
    .await
}

/// The UDP sockets of one send, kept across passes so that a late reply to an earlier datagram
/// is still taken (see the blocking driver).
#[derive(Default)]
struct UdpSockets(Vec<(SocketAddr, UdpSocket)>);

async fn attempt(
    endpoint: &KdcEndpoint,
    protocol: Protocol,
    message: &[u8],
    opts: &SendOptions,
    udp: &mut UdpSockets,
) -> Result<Vec<u8>, AttemptError> {
    let deadline = Instant::now() + opts.timeout;
    match timeout_at(deadline, exchange(endpoint, protocol, message, opts, udp)).await {
        Ok(result) => result,
        Err(_) => Err(AttemptError::Timeout(opts.timeout)),
    }
}

async fn exchange(
    endpoint: &KdcEndpoint,
    protocol: Protocol,
    message: &[u8],
    opts: &SendOptions,
    udp: &mut UdpSockets,
) -> Result<Vec<u8>, AttemptError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(AttemptError::Resolve)?
        .collect();
    let mut last = AttemptError::Resolve(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "host resolved to no address",
    ));
    for addr in addrs {
        let result = match protocol {
            Protocol::Udp => udp_exchange(addr, message, opts.timeout, udp).await,
            Protocol::Tcp => tcp_exchange(addr, message, opts).await,
        };
        match result {
            Ok(reply) => return Ok(reply),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn udp_exchange(
    addr: SocketAddr,
    message: &[u8],
    timeout: Duration,
    udp: &mut UdpSockets,
) -> Result<Vec<u8>, AttemptError> {
    let io = |e| AttemptError::from_io(e, timeout);
    let index = match udp.0.iter().position(|(a, _)| *a == addr) {
        Some(i) => i,
        None => {
            let local: SocketAddr = if addr.is_ipv4() {
                (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
            } else {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            };
            let socket = UdpSocket::bind(local).await.map_err(io)?;
            socket.connect(addr).await.map_err(io)?;
            udp.0.push((addr, socket));
            udp.0.len() - 1
        }
    };
    let Some((_, socket)) = udp.0.get(index) else {
        return Err(AttemptError::Empty);
    };
    socket.send(message).await.map_err(io)?;
    let mut buf = vec![0u8; MAX_UDP_LEN];
    loop {
        let n = socket.recv(&mut buf).await.map_err(io)?;
        if n > 0 {
            buf.truncate(n);
            buf.shrink_to_fit();
            return Ok(buf);
        }
    }
}

async fn tcp_exchange(
    addr: SocketAddr,
    message: &[u8],
    opts: &SendOptions,
) -> Result<Vec<u8>, AttemptError> {
    let io = |e| AttemptError::from_io(e, opts.timeout);
    let mut stream = TcpStream::connect(addr).await.map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    stream
        .write_all(&framing::frame(message))
        .await
        .map_err(io)?;
    let mut prefix = [0u8; 4];
    read_full(&mut stream, &mut prefix)
        .await
        .map_err(|e| e.or_io(opts.timeout))?;
    let len = framing::parse_prefix(prefix, opts.max_reply_len)?;
    let mut reply = vec![0u8; len];
    read_full(&mut stream, &mut reply)
        .await
        .map_err(|e| e.or_io(opts.timeout))?;
    Ok(reply)
}

enum ReadError {
    Eof { received: usize, expected: usize },
    Io(std::io::Error),
}

impl ReadError {
    fn or_io(self, timeout: Duration) -> AttemptError {
        match self {
            ReadError::Eof { received, expected } => AttemptError::Truncated { received, expected },
            ReadError::Io(e) => AttemptError::from_io(e, timeout),
        }
    }
}

async fn read_full(stream: &mut TcpStream, buf: &mut [u8]) -> Result<(), ReadError> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = buf.get_mut(filled..).unwrap_or_default();
        match stream.read(rest).await {
            Ok(0) => {
                return Err(ReadError::Eof {
                    received: filled,
                    expected: buf.len(),
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn udp_and_tcp_echo_and_trickle() {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = udp.local_addr().unwrap().port();
        let tcp = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        tokio::spawn(async move {
            let mut b = [0u8; 100];
            let (n, from) = udp.recv_from(&mut b).await.unwrap();
            udp.send_to(&b[..n], from).await.unwrap();
        });
        tokio::spawn(async move {
            let (mut s, _) = tcp.accept().await.unwrap();
            let mut p = [0u8; 4];
            s.read_exact(&mut p).await.unwrap();
            let mut m = vec![0; u32::from_be_bytes(p) as usize];
            s.read_exact(&mut m).await.unwrap();
            s.write_all(&framing::frame(&m)).await.unwrap();
            // second connection trickles
            let (mut s, _) = tcp.accept().await.unwrap();
            let _ = s.write_all(&[0, 0, 1, 0]).await;
            for _ in 0..50 {
                if s.write_all(&[0]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let ep = KdcEndpoint::new("127.0.0.1", port);
        let o = SendOptions {
            timeout: Duration::from_millis(2000),
            ..SendOptions::default()
        };
        assert_eq!(
            send_one(&ep, Protocol::Udp, b"ping", &o).await.unwrap(),
            b"ping"
        );
        assert_eq!(
            send_one(&ep, Protocol::Tcp, b"pong", &o).await.unwrap(),
            b"pong"
        );
        let short = SendOptions {
            timeout: Duration::from_millis(400),
            ..o
        };
        let e = send_one(&ep, Protocol::Tcp, b"x", &short)
            .await
            .unwrap_err();
        assert!(matches!(e, AttemptError::Timeout(_)), "{e}");
    }
}
