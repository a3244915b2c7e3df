//! The blocking (std) driver: UDP and TCP with per-KDC deadlines, KDCs tried in order.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::framing::{self, MAX_UDP_LEN};
use super::{AttemptError, KdcEndpoint, Protocol, Schedule, SendOptions, TransportError};

/// Send `message` to the KDCs of `realm` in order and return the first reply.
///
/// For each KDC the protocols from [`SendOptions::protocols_for`] are tried in turn (UDP, then TCP when
/// UDP gets no answer); every failure is kept and reported if no KDC answers.
pub fn send(
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
        ) {
            Ok(reply) => {
                tracing::debug!(endpoint = %planned.endpoint, protocol = %planned.protocol, sent = message.len(), received = reply.len(), "KDC replied");
                return Ok(reply);
            }
            Err(error) => schedule.failed(planned, error),
        }
    }
    Err(schedule.into_error())
}

/// One exchange with one KDC over one protocol, trying each address the host resolves to.
pub fn send_one(
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
}

/// The UDP sockets of one send, kept across passes: a KDC's late reply to an earlier datagram is
/// still taken (the request is the same), instead of being dropped with its socket while the KDC
/// is asked again, which is what turns a busy KDC into an overloaded one.
#[derive(Default)]
struct UdpSockets(Vec<(SocketAddr, UdpSocket)>);

fn attempt(
    endpoint: &KdcEndpoint,
    protocol: Protocol,
    message: &[u8],
    opts: &SendOptions,
    udp: &mut UdpSockets,
) -> Result<Vec<u8>, AttemptError> {
    let deadline = Instant::now() + opts.timeout;
    let addrs: Vec<SocketAddr> = (endpoint.host.as_str(), endpoint.port)
        .to_socket_addrs()
        .map_err(AttemptError::Resolve)?
        .collect();
    let mut last = AttemptError::Resolve(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "host resolved to no address",
    ));
    for addr in addrs {
        let result = match protocol {
            Protocol::Udp => udp_exchange(addr, message, deadline, opts.timeout, udp),
            Protocol::Tcp => tcp_exchange(addr, message, deadline, opts),
        };
        match result {
            Ok(reply) => return Ok(reply),
            Err(e @ AttemptError::Timeout(_)) => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn remaining(deadline: Instant, timeout: Duration) -> Result<Duration, AttemptError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(AttemptError::Timeout(timeout))
    } else {
        Ok(left)
    }
}

fn udp_exchange(
    addr: SocketAddr,
    message: &[u8],
    deadline: Instant,
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
            let socket = UdpSocket::bind(local).map_err(io)?;
            // connect() makes the kernel drop datagrams from any other source.
            socket.connect(addr).map_err(io)?;
            udp.0.push((addr, socket));
            udp.0.len() - 1
        }
    };
    let Some((_, socket)) = udp.0.get(index) else {
        return Err(AttemptError::Empty);
    };
    socket.send(message).map_err(io)?;
    let mut buf = [0u8; MAX_UDP_LEN];
    loop {
        socket
            .set_read_timeout(Some(remaining(deadline, timeout)?))
            .map_err(io)?;
        let n = socket.recv(&mut buf).map_err(io)?;
        if n > 0 {
            return Ok(buf.get(..n).unwrap_or_default().to_vec());
        }
    }
}

fn tcp_exchange(
    addr: SocketAddr,
    message: &[u8],
    deadline: Instant,
    opts: &SendOptions,
) -> Result<Vec<u8>, AttemptError> {
    let timeout = opts.timeout;
    let io = |e| AttemptError::from_io(e, timeout);
    let mut stream =
        TcpStream::connect_timeout(&addr, remaining(deadline, timeout)?).map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    stream
        .set_write_timeout(Some(remaining(deadline, timeout)?))
        .map_err(io)?;
    stream.write_all(&framing::frame(message)).map_err(io)?;
    let mut prefix = [0u8; 4];
    read_full(&mut stream, &mut prefix, deadline, timeout)?;
    let len = framing::parse_prefix(prefix, opts.max_reply_len)?;
    let mut reply = vec![0u8; len];
    read_full(&mut stream, &mut reply, deadline, timeout)?;
    Ok(reply)
}

/// Fill `buf`, re-arming the read timeout with what is left of the deadline before each read, so a peer
/// that trickles bytes cannot hold the client past the deadline.
fn read_full(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
    timeout: Duration,
) -> Result<(), AttemptError> {
    let mut filled = 0;
    while filled < buf.len() {
        stream
            .set_read_timeout(Some(remaining(deadline, timeout)?))
            .map_err(|e| AttemptError::from_io(e, timeout))?;
        let rest = buf.get_mut(filled..).unwrap_or_default();
        match stream.read(rest) {
            Ok(0) => {
                return Err(AttemptError::Truncated {
                    received: filled,
                    expected: buf.len(),
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(AttemptError::from_io(e, timeout)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    fn opts(ms: u64) -> SendOptions {
        SendOptions {
            timeout: Duration::from_millis(ms),
            ..SendOptions::default()
        }
    }

    #[test]
    fn udp_echo_and_tcp_echo() {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        let tcp = TcpListener::bind(("127.0.0.1", port)).unwrap();
        thread::spawn(move || {
            let mut b = [0u8; 100];
            let (n, from) = udp.recv_from(&mut b).unwrap();
            udp.send_to(&b[..n], from).unwrap();
        });
        thread::spawn(move || {
            let (mut s, _) = tcp.accept().unwrap();
            let mut p = [0u8; 4];
            s.read_exact(&mut p).unwrap();
            let mut m = vec![0; u32::from_be_bytes(p) as usize];
            s.read_exact(&mut m).unwrap();
            s.write_all(&framing::frame(&m)).unwrap();
        });
        let ep = KdcEndpoint::new("127.0.0.1", port);
        assert_eq!(
            send_one(&ep, Protocol::Udp, b"ping", &opts(2000)).unwrap(),
            b"ping"
        );
        assert_eq!(
            send_one(&ep, Protocol::Tcp, b"pong", &opts(2000)).unwrap(),
            b"pong"
        );
    }

    #[test]
    fn dead_kdc_then_live_kdc_and_every_failure_reported() {
        // A port with nothing behind it: bind and drop.
        let dead = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let live = TcpListener::bind("127.0.0.1:0").unwrap();
        let live_port = live.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut s, _) = live.accept().unwrap();
            let mut p = [0u8; 4];
            s.read_exact(&mut p).unwrap();
            let mut m = vec![0; u32::from_be_bytes(p) as usize];
            s.read_exact(&mut m).unwrap();
            s.write_all(&framing::frame(b"reply")).unwrap();
        });
        let eps = [
            KdcEndpoint::new("127.0.0.1", dead).with_protocol(Protocol::Tcp),
            KdcEndpoint::new("127.0.0.1", live_port).with_protocol(Protocol::Tcp),
        ];
        assert_eq!(send("R", &eps, b"x", &opts(2000)).unwrap(), b"reply");
        match send("R", &eps[..1], b"x", &opts(500)) {
            Err(TransportError::AllFailed { attempts, .. }) => {
                assert_eq!(attempts.len(), 1);
                assert!(matches!(attempts[0].error, AttemptError::Refused));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn oversized_prefix_and_trickle_are_bounded() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        thread::spawn(move || {
            for (i, s) in l.incoming().enumerate() {
                let mut s = s.unwrap();
                let mut p = [0u8; 5];
                let _ = s.read(&mut p);
                if i == 0 {
                    let _ = s.write_all(&[0x7f, 0xff, 0xff, 0xff]);
                } else {
                    // a 256-byte reply announced, then one byte every 100 ms: never done in time
                    let _ = s.write_all(&[0, 0, 1, 0]);
                    for _ in 0..50 {
                        if s.write_all(&[0]).is_err() {
                            break;
                        }
                        thread::sleep(Duration::from_millis(100));
                    }
                }
            }
        });
        let ep = KdcEndpoint::new("127.0.0.1", port);
        let e = send_one(&ep, Protocol::Tcp, b"x", &opts(2000)).unwrap_err();
        assert!(matches!(e, AttemptError::TooLarge { .. }), "{e}");
        let start = Instant::now();
        let e = send_one(&ep, Protocol::Tcp, b"x", &opts(500)).unwrap_err();
        assert!(matches!(e, AttemptError::Timeout(_)), "{e}");
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn protocol_choice() {
        let o = SendOptions::default();
        let ep = KdcEndpoint::new("h", 88);
        assert_eq!(
            o.protocols_for(&ep, 100),
            vec![Protocol::Udp, Protocol::Tcp]
        );
        assert_eq!(o.protocols_for(&ep, 2000), vec![Protocol::Tcp]);
        let tcp_only = SendOptions {
            tcp_only: true,
            ..o.clone()
        };
        assert_eq!(tcp_only.protocols_for(&ep, 10), vec![Protocol::Tcp]);
        assert!(
            tcp_only
                .protocols_for(&ep.clone().with_protocol(Protocol::Udp), 10)
                .is_empty()
        );
    }
}
