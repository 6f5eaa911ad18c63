//! An operator-mode deployment's chain of trust: the operator vouches for
//! four accounts, their JWTs say who may sign their users and what they
//! share, and nats-server keeps them in its account directory, where
//! `floorwalker auth` sends every change to the running server. Changing an
//! account (revoking an operator, rotating the gate's keys) needs no
//! restart and drops no connection but the ones it means to.
//!
//! - [`claims`]: the operator's and accounts' claims.
//! - [`keys`]: `trust.toml`, the keys only `floorwalker auth` holds.
//! - [`accounts`]: the JWTs and the server config, from the keys.
//! - [`push`]: sending account changes to a running server.
//!
//! Hand-written on `gate::jwt` for the reason given there; the shapes were
//! checked against nats-server 2.15.1 (`shared/notes/nats-operator-mode.md`).

pub mod accounts;
pub mod claims;
pub mod keys;
pub mod push;
