//! Subscriptions: sent at once after CONNECT, and kept to be replayed on
//! every reconnect.

use super::Connection;
use crate::nats::op::ClientOp;
use crate::subject::Subject;

#[derive(Debug, Clone)]
pub(super) struct Sub {
    subject: Subject,
    queue: Option<Subject>,
}

impl Connection {
    /// Subscribes now and after every reconnect; returns the subscription id.
    pub fn subscribe(&mut self, subject: Subject, queue: Option<Subject>) -> u64 {
        let sid = self.next_sid;
        self.next_sid += 1;
        let sub = Sub { subject, queue };
        // Before INFO, the handshake will send it; after CONNECT, send now.
        if self.is_past_connect() {
            sub_op(sid, &sub).encode(&mut self.tx);
        }
        self.subs.push((sid, sub));
        sid
    }

    /// Ends a subscription.
    pub fn unsubscribe(&mut self, sid: u64) {
        let before = self.subs.len();
        self.subs.retain(|(s, _)| *s != sid);
        if self.subs.len() < before && self.is_past_connect() {
            ClientOp::Unsub { sid, max: None }.encode(&mut self.tx);
        }
    }
}

pub(super) fn sub_op(sid: u64, sub: &Sub) -> ClientOp {
    ClientOp::Sub {
        subject: sub.subject.clone(),
        queue: sub.queue.clone(),
        sid,
    }
}
