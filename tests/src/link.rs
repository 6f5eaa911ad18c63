//! A TCP link between a client and a server that a test can cut, and that
//! can hold the client's PINGs back, as a slow network may deliver the end
//! of a write late. It reads what it carries with the shared codec, so the
//! test knows which pushes crossed it; a raw link ([`Link::start_raw`])
//! carries anything (a browser's WebSocket) unread. Either can refuse new
//! connections for a while, as a network that stays down.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use floorwalker_shared::nats::{ClientDecoder, ClientOp, ServerDecoder, ServerOp};

/// A link listening on a free loopback port, forwarding every connection to
/// the server. Dropping it cuts every connection and stops listening.
pub struct Link {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    /// Bytes cross unread.
    raw: bool,
    /// New connections are closed at once.
    refusing: AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    hold_pings: bool,
    /// Whether a PING is waiting to cross.
    holding: bool,
    /// Payloads of the MSGs carried to clients, in order.
    pushed: Vec<Vec<u8>>,
    /// Both sockets of every connection, to cut them.
    sockets: Vec<TcpStream>,
    closed: bool,
}

impl Link {
    /// Starts a link to `server`.
    ///
    /// # Panics
    /// If no loopback port is free.
    pub fn start(server: SocketAddr) -> Self {
        Self::start_with(server, false)
    }

    /// Starts a link to `server` that carries any bytes unread (a
    /// browser's WebSocket): it cannot hold PINGs or note pushes.
    ///
    /// # Panics
    /// If no loopback port is free.
    pub fn start_raw(server: SocketAddr) -> Self {
        Self::start_with(server, true)
    }

    fn start_with(server: SocketAddr, raw: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let addr = listener.local_addr().expect("the link's address");
        let shared = Arc::new(Shared {
            raw,
            ..Shared::default()
        });
        let accept = {
            let shared = shared.clone();
            thread::spawn(move || accept(&listener, server, &shared))
        };
        Self {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every connection it carries, as a network failure would.
    pub fn cut(&self) {
        for socket in self.shared.lock().sockets.drain(..) {
            let _ = socket.shutdown(Shutdown::Both);
        }
        self.shared.changed.notify_all();
    }

    /// Closes new connections at once while `refuse` is true, as a network
    /// that stays down; connections it carries are left alone ([`Link::cut`]
    /// cuts them).
    pub fn refuse(&self, refuse: bool) {
        self.shared.refusing.store(refuse, Ordering::SeqCst);
    }

    /// Holds every PING a client writes (and what follows it) until
    /// released with `false`.
    pub fn hold_pings(&self, hold: bool) {
        self.shared.lock().hold_pings = hold;
        self.shared.changed.notify_all();
    }

    /// Whether a client's PING is being held.
    pub fn holding(&self) -> bool {
        self.shared.lock().holding
    }

    /// Payloads of the MSGs carried to clients so far, in order.
    pub fn pushed(&self) -> Vec<Vec<u8>> {
        self.shared.lock().pushed.clone()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.hold_pings(false);
        self.cut();
        // Wakes the accept loop so it sees `closed`.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn accept(listener: &TcpListener, server: SocketAddr, shared: &Arc<Shared>) {
    for client in listener.incoming() {
        if shared.lock().closed {
            return;
        }
        let Ok(client) = client else { continue };
        if shared.refusing.load(Ordering::SeqCst) {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let Ok(upstream) = TcpStream::connect(server) else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let (Ok(c1), Ok(c2), Ok(u1), Ok(u2)) = (
            client.try_clone(),
            client.try_clone(),
            upstream.try_clone(),
            upstream.try_clone(),
        ) else {
            continue;
        };
        shared.lock().sockets.extend([c1, u1]);
        let s = shared.clone();
        thread::spawn(move || to_server(client, upstream, &s));
        let s = shared.clone();
        thread::spawn(move || to_client(u2, c2, &s));
    }
}

/// Forwards what the client writes, one operation at a time, holding PINGs
/// while asked to.
fn to_server(mut from: TcpStream, mut to: TcpStream, shared: &Shared) {
    if shared.raw {
        return carry(from, to);
    }
    let mut decoder = ClientDecoder::default();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = from.read(&mut chunk) {
        buf.extend_from_slice(&chunk[..n]);
        let mut rest = &buf[..];
        loop {
            let before = rest;
            let op = match decoder.decode(&mut rest) {
                Ok(Some(op)) => op,
                Ok(None) => break,
                // Not for this link to repair: the client sees it cut.
                Err(_) => {
                    let _ = from.shutdown(Shutdown::Both);
                    break;
                }
            };
            if op == ClientOp::Ping {
                let mut state = shared.lock();
                state.holding = state.hold_pings;
                while state.hold_pings && !state.closed {
                    state = shared
                        .changed
                        .wait(state)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                state.holding = false;
            }
            if to.write_all(&before[..before.len() - rest.len()]).is_err() {
                break;
            }
        }
        let taken = buf.len() - rest.len();
        buf.drain(..taken);
    }
    let _ = to.shutdown(Shutdown::Both);
}

/// Forwards what the server writes as it comes, noting the pushes.
fn to_client(mut from: TcpStream, mut to: TcpStream, shared: &Shared) {
    if shared.raw {
        return carry(from, to);
    }
    let mut decoder = ServerDecoder::default();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = from.read(&mut chunk) {
        if to.write_all(&chunk[..n]).is_err() {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut rest = &buf[..];
        while let Ok(Some(op)) = decoder.decode(&mut rest) {
            if let ServerOp::Msg(msg) = op {
                shared.lock().pushed.push(msg.payload);
            }
        }
        let taken = buf.len() - rest.len();
        buf.drain(..taken);
    }
    let _ = to.shutdown(Shutdown::Both);
}

/// Forwards bytes as they come, unread.
fn carry(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Both);
}
