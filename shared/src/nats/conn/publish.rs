//! Publishing: into an outbox that `poll_transmit` empties, oldest first,
//! while connected; while not, it is bounded, the oldest dropped first.

use alloc::vec::Vec;

use super::{Connection, PublishError};
use crate::nats::header::HeaderMap;
use crate::nats::op::ClientOp;
use crate::subject::Subject;

#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    subject: Subject,
    reply: Option<Subject>,
    headers: Option<HeaderMap>,
    pub(super) payload: Vec<u8>,
}

impl Outgoing {
    pub(super) fn size(&self) -> usize {
        self.payload.len() + self.subject.as_str().len() + 64
    }
}

impl Connection {
    /// Publishes with the next [`Connection::poll_transmit`] if connected,
    /// else keeps it in the outbox.
    pub fn publish(
        &mut self,
        subject: Subject,
        reply: Option<Subject>,
        headers: Option<HeaderMap>,
        payload: Vec<u8>,
    ) -> Result<(), PublishError> {
        let out = Outgoing {
            subject,
            reply,
            headers,
            payload,
        };
        if out.payload.len() > self.payload_limit() || out.size() > self.options.outbox_bytes {
            return Err(PublishError::TooLarge);
        }
        self.outbox_size += out.size();
        self.outbox.push_back(out);
        // Connected, `poll_transmit` takes it all this turn; if the transport
        // is lost first, `go_down` bounds what is left.
        if !self.is_connected() {
            self.trim();
        }
        Ok(())
    }

    /// The largest payload a publish may carry: the server's word, or the
    /// decoder's bound until a server has said.
    pub(super) fn payload_limit(&self) -> usize {
        self.max_payload.unwrap_or(self.options.limits.max_payload)
    }

    /// Drops the oldest publishes (counted) until the outbox is within bounds.
    pub(super) fn trim(&mut self) {
        while self.outbox_size > self.options.outbox_bytes {
            if let Some(old) = self.outbox.pop_front() {
                self.outbox_size -= old.size();
                self.dropped += 1;
            }
        }
    }

    /// Publishes not yet handed to the IO layer: waiting for a connection,
    /// or for [`Connection::poll_transmit`].
    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// Takes back the payloads of the plain publishes (no reply, no headers)
    /// to `subject` not yet handed to the IO layer, oldest first: for a
    /// client about to go away to keep them and publish them again later.
    pub fn take_unsent(&mut self, subject: &Subject) -> Vec<Vec<u8>> {
        let mut taken = Vec::new();
        // Each is taken from the front, and put back at the end unless it
        // is taken: `VecDeque::retain_mut` is more code in the plugin.
        for _ in 0..self.outbox.len() {
            if let Some(out) = self.outbox.pop_front() {
                if out.subject == *subject && out.reply.is_none() && out.headers.is_none() {
                    self.outbox_size -= out.size();
                    taken.push(out.payload);
                } else {
                    self.outbox.push_back(out);
                }
            }
        }
        taken
    }
}

/// Writes a publish taken from the outbox, moving its parts, not copying them.
pub(super) fn encode_pub(out: Outgoing, tx: &mut Vec<u8>) {
    let Outgoing {
        subject,
        reply,
        headers,
        payload,
    } = out;
    ClientOp::Pub {
        subject,
        reply,
        headers,
        payload,
    }
    .encode(tx);
}
