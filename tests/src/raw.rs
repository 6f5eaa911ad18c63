//! A NATS client made of nothing but the shared codec and a socket: plain
//! TCP (as operators connect) or WebSocket (as browsers do).
//!
//! Over TCP it reads a few bytes at a time, so the decoder sees every frame
//! split across reads.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use floorwalker_shared::nats::{
    ClientOp, ConnectInfo, DecodeError, Limits, Message, ServerDecoder, ServerError, ServerInfo,
    ServerOp,
};
use floorwalker_shared::subject::Subject;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message as WsMessage, WebSocket};

/// What reading the next operation can end in besides an operation.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing whole arrived in time.
    Timeout,
    /// The server closed the connection.
    Closed,
    /// The bytes did not decode.
    Decode(DecodeError),
    /// The socket failed.
    Io(std::io::Error),
}

/// A byte pipe to a server.
pub trait Transport {
    /// Writes all of `bytes`.
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Reads what arrives within `timeout`.
    fn read_some(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError>;
}

/// Plain TCP, read `chunk` bytes at a time.
pub struct Tcp {
    stream: TcpStream,
    chunk: usize,
}

impl Transport for Tcp {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    fn read_some(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .map_err(ReadError::Io)?;
        let mut chunk = vec![0u8; self.chunk];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(ReadError::Closed),
            Ok(n) => Ok(chunk[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(ReadError::Timeout)
            }
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe) => {
                Err(ReadError::Closed)
            }
            Err(e) => Err(ReadError::Io(e)),
        }
    }
}

/// A WebSocket, as a browser opens it.
pub struct Ws {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl Transport for Ws {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.socket
            .send(WsMessage::binary(bytes.to_vec()))
            .map_err(std::io::Error::other)
    }

    fn read_some(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        if let MaybeTlsStream::Plain(stream) = self.socket.get_mut() {
            stream
                .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
                .map_err(ReadError::Io)?;
        }
        match self.socket.read() {
            Ok(WsMessage::Binary(b)) => Ok(b.to_vec()),
            Ok(WsMessage::Text(t)) => Ok(t.as_bytes().to_vec()),
            Ok(WsMessage::Close(_)) => Err(ReadError::Closed),
            Ok(_) => Ok(Vec::new()),
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                Err(ReadError::Timeout)
            }
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Err(ReadError::Closed)
            }
            Err(tungstenite::Error::Io(e)) => Err(ReadError::Io(e)),
            Err(_) => Err(ReadError::Closed),
        }
    }
}

/// What came back for a batch of operations, up to the `PONG` that ends it.
#[derive(Debug, Default)]
pub struct Roundtrip {
    /// Messages delivered.
    pub messages: Vec<Message>,
    /// Errors the server reported.
    pub errors: Vec<ServerError>,
}

/// A codec-over-a-socket client.
pub struct RawClient<T = Tcp> {
    transport: T,
    /// Read and not yet decoded.
    buf: Vec<u8>,
    decoder: ServerDecoder,
}

impl RawClient<Tcp> {
    /// Connects over TCP, reading at most `chunk` bytes per read.
    pub fn connect(addr: SocketAddr, chunk: usize) -> std::io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        Ok(Self::over(Tcp {
            stream,
            chunk: chunk.max(1),
        }))
    }
}

impl RawClient<Ws> {
    /// Opens a WebSocket to `addr` from a page of `origin`.
    pub fn connect_ws(addr: SocketAddr, origin: &str) -> Result<Self, tungstenite::Error> {
        Self::connect_ws_with(addr, origin, &[])
    }

    /// Opens a WebSocket to `addr` from a page of `origin`, with `headers`
    /// added to the upgrade request (a proxy's `X-Forwarded-For`, say).
    pub fn connect_ws_with(
        addr: SocketAddr,
        origin: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tungstenite::Error> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        Self::upgrade(stream, &format!("ws://{addr}/"), origin, headers)
    }

    /// Opens a WebSocket to `ws://{addr}{path}` from the loopback address
    /// `source` (any of 127.0.0.0/8 on Linux): one of many shoppers, as a
    /// proxy in front of the server sees them.
    pub fn connect_ws_from(
        source: IpAddr,
        addr: SocketAddr,
        path: &str,
        origin: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tungstenite::Error> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.bind(&SocketAddr::new(source, 0).into())?;
        socket.connect_timeout(&addr.into(), Duration::from_secs(5))?;
        Self::upgrade(
            socket.into(),
            &format!("ws://{addr}{path}"),
            origin,
            headers,
        )
    }

    fn upgrade(
        stream: TcpStream,
        url: &str,
        origin: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tungstenite::Error> {
        let mut request = url.into_client_request()?;
        let value = |v: &str| HeaderValue::from_str(v).map_err(tungstenite::http::Error::from);
        request.headers_mut().insert("Origin", value(origin)?);
        for (name, v) in headers {
            request.headers_mut().append(*name, value(v)?);
        }
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let (socket, _) =
            tungstenite::client(request, MaybeTlsStream::Plain(stream)).map_err(|e| match e {
                tungstenite::HandshakeError::Failure(e) => e,
                tungstenite::HandshakeError::Interrupted(_) => tungstenite::Error::ConnectionClosed,
            })?;
        Ok(Self::over(Ws { socket }))
    }
}

impl<T: Transport> RawClient<T> {
    fn over(transport: T) -> Self {
        Self {
            transport,
            buf: Vec::new(),
            decoder: ServerDecoder::new(Limits::default()),
        }
    }

    /// Sends operations in one write.
    pub fn send(&mut self, ops: &[ClientOp]) -> std::io::Result<()> {
        let mut out = Vec::new();
        for op in ops {
            op.encode(&mut out);
        }
        self.transport.write_all(&out)
    }

    /// Sends raw bytes, for what the encoder would never write.
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.transport.write_all(bytes)
    }

    /// The next operation from the server, within `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Result<ServerOp, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut rest = &self.buf[..];
            if let Some(op) = self.decoder.decode(&mut rest).map_err(ReadError::Decode)? {
                let taken = self.buf.len() - rest.len();
                self.buf.drain(..taken);
                return Ok(op);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            let bytes = self.transport.read_some(left)?;
            self.buf.extend_from_slice(&bytes);
        }
    }

    /// The next operation that is not a `PING` (answered), `+OK` or an
    /// asynchronous `INFO` (sent after CONNECT and on cluster changes).
    pub fn next_significant(&mut self, timeout: Duration) -> Result<ServerOp, ReadError> {
        loop {
            match self.next(timeout)? {
                ServerOp::Ping => self.send(&[ClientOp::Pong]).map_err(ReadError::Io)?,
                ServerOp::Ok | ServerOp::Info(_) => {}
                op => return Ok(op),
            }
        }
    }

    /// Reads INFO, sends CONNECT and a PING; `Ok(info)` once the server
    /// answers PONG, `Err` with the server's error if it refuses.
    pub fn handshake(
        &mut self,
        connect: ConnectInfo,
        timeout: Duration,
    ) -> Result<Box<ServerInfo>, HandshakeError> {
        self.handshake_with(|_| connect, timeout)
    }

    /// As [`RawClient::handshake`], with a CONNECT made from the server's
    /// INFO (to sign its nonce).
    pub fn handshake_with(
        &mut self,
        connect: impl FnOnce(&ServerInfo) -> ConnectInfo,
        timeout: Duration,
    ) -> Result<Box<ServerInfo>, HandshakeError> {
        let ServerOp::Info(raw) = self.next(timeout).map_err(HandshakeError::Read)? else {
            return Err(HandshakeError::NoInfo);
        };
        let info: Box<ServerInfo> = Box::new(
            raw.parse()
                .map_err(|e| HandshakeError::Unexpected(e.to_string()))?,
        );
        let connect = connect(&info);
        self.send(&[ClientOp::Connect(Box::new(connect)), ClientOp::Ping])
            .map_err(|e| HandshakeError::Read(ReadError::Io(e)))?;
        match self
            .next_significant(timeout)
            .map_err(HandshakeError::Read)?
        {
            ServerOp::Pong => Ok(info),
            ServerOp::Err(err) => Err(HandshakeError::Refused(err)),
            other => Err(HandshakeError::Unexpected(format!("{other:?}"))),
        }
    }

    /// A request: subscribes `inbox` (for one message), publishes `payload`
    /// to `subject` with it as the reply subject, and returns the reply.
    /// A server error (a permission refused) is returned as such.
    pub fn request(
        &mut self,
        subject: Subject,
        inbox: Subject,
        payload: &[u8],
        timeout: Duration,
    ) -> Result<Message, RequestError> {
        const SID: u64 = u64::MAX;
        self.send(&[
            ClientOp::Sub {
                subject: inbox.clone(),
                queue: None,
                sid: SID,
            },
            ClientOp::Pub {
                subject,
                reply: Some(inbox),
                headers: None,
                payload: payload.to_vec(),
            },
            ClientOp::Unsub {
                sid: SID,
                max: Some(1),
            },
        ])
        .map_err(|e| RequestError::Read(ReadError::Io(e)))?;
        loop {
            match self.next_significant(timeout).map_err(RequestError::Read)? {
                ServerOp::Msg(msg) if msg.sid == SID => return Ok(msg),
                ServerOp::Err(err) => return Err(RequestError::Server(err)),
                _ => {}
            }
        }
    }

    /// Sends `ops` and a PING, and collects what arrives up to the PONG.
    pub fn roundtrip(
        &mut self,
        ops: &[ClientOp],
        timeout: Duration,
    ) -> Result<Roundtrip, ReadError> {
        let mut ops = ops.to_vec();
        ops.push(ClientOp::Ping);
        self.send(&ops).map_err(ReadError::Io)?;
        let mut out = Roundtrip::default();
        loop {
            match self.next_significant(timeout)? {
                ServerOp::Pong => return Ok(out),
                ServerOp::Msg(msg) => out.messages.push(msg),
                ServerOp::Err(err) => out.errors.push(err),
                _ => {}
            }
        }
    }
}

/// Why a request got no reply.
#[derive(Debug)]
pub enum RequestError {
    /// The server refused it.
    Server(ServerError),
    /// Reading failed (timeout, closed, decode).
    Read(ReadError),
}

/// Why a handshake did not complete.
#[derive(Debug)]
pub enum HandshakeError {
    /// The server refused the connection.
    Refused(ServerError),
    /// The server did not open with INFO.
    NoInfo,
    /// Something else came instead of PONG.
    Unexpected(String),
    /// Reading failed (timeout, closed, decode).
    Read(ReadError),
}
