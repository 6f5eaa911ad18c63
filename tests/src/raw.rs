//! A NATS client made of nothing but the shared codec and a TCP socket.
//!
//! It reads a few bytes at a time, so the decoder sees every frame split
//! across reads, as it will over a browser WebSocket.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use floorwalker_shared::nats::{ClientOp, DecodeError, Limits, ServerDecoder, ServerOp};

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

/// A codec-over-TCP client.
pub struct RawClient {
    stream: TcpStream,
    buf: BytesMut,
    decoder: ServerDecoder,
    chunk: usize,
}

impl RawClient {
    /// Connects, reading at most `chunk` bytes per read.
    pub fn connect(addr: SocketAddr, chunk: usize) -> std::io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        Ok(Self {
            stream,
            buf: BytesMut::new(),
            decoder: ServerDecoder::new(Limits::default()),
            chunk: chunk.max(1),
        })
    }

    /// Sends operations in one write.
    pub fn send(&mut self, ops: &[ClientOp]) -> std::io::Result<()> {
        let mut out = BytesMut::new();
        for op in ops {
            op.encode(&mut out);
        }
        self.stream.write_all(&out)
    }

    /// Sends raw bytes, for what the encoder would never write.
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The next operation from the server, within `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Result<ServerOp, ReadError> {
        let deadline = Instant::now() + timeout;
        let mut chunk = vec![0u8; self.chunk];
        loop {
            if let Some(op) = self
                .decoder
                .decode(&mut self.buf)
                .map_err(ReadError::Decode)?
            {
                return Ok(op);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(ReadError::Io)?;
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(ReadError::Timeout);
                }
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Err(ReadError::Closed),
                Err(e) => return Err(ReadError::Io(e)),
            }
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
}
