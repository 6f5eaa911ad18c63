//! The binary's commands: `floorwalker X` lives in `cmd/X` with its
//! arguments beside it, and runs the library's services (gate, router,
//! nats-server control, simulator, streams, feeds, records) and the
//! screens' shared parts in `ui/`. Dependencies point one way:
//! `cli` → `cmd` → `ui` → the library → `floorwalker-shared`; nothing
//! outside `cmd/` imports from it (`just test` checks).
//!
//! [`dashboard`] (no command) is the supervisor's screen, [`agent`] the
//! agents' console, [`demo`] runs everything locally, [`gate`] the gate,
//! [`intake`] what takes in what shoppers send, [`learn`] what the
//! floor teaches, [`router`] the chat router, [`simulate`] simulated shoppers, [`tail`]
//! the live figures for on-call staff, [`auth`] makes credentials, [`setup`]
//! creates the streams and [`doctor`] checks a deployment; [`args`]
//! is what several take (where and as whom to connect, a site) and
//! [`signals`] how long-running ones are stopped.

pub(crate) mod agent;
pub(crate) mod args;
pub(crate) mod auth;
pub(crate) mod dashboard;
pub(crate) mod demo;
pub(crate) mod doctor;
pub(crate) mod gate;
pub(crate) mod intake;
pub(crate) mod learn;
pub(crate) mod router;
pub(crate) mod setup;
pub(crate) mod signals;
pub(crate) mod simulate;
pub(crate) mod tail;
