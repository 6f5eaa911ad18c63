//! `floorwalker demo`'s command line.

use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Port for NATS clients (dashboard, agents, simulator); 0 picks a free one.
    #[arg(long, default_value_t = 4222, value_name = "PORT")]
    pub(crate) port: u16,

    /// Port for browsers (the storefront plugin speaks NATS over WebSocket);
    /// 0 picks a free one.
    #[arg(long, default_value_t = 4223, value_name = "PORT")]
    pub(crate) ws_port: u16,

    /// Port for the demo shop's web pages; 0 picks a free one.
    #[arg(long, default_value_t = 4280, value_name = "PORT")]
    pub(crate) shop_port: u16,

    /// Do not open the dashboard: run the services, say where, and wait for
    /// q or Ctrl-C.
    #[arg(long)]
    pub(crate) no_dashboard: bool,

    /// Seconds what runs where stays on the screen before the dashboard
    /// opens (Enter opens it sooner; `?` in the dashboard shows it again).
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub(crate) dashboard_after: u64,

    /// Simulated agents (bots named ana, ben and cleo) answering chats, 0 to
    /// 3; with fewer than needed, shoppers wait in the queue.
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub(crate) agents: u8,

    /// Simulated shoppers on the demo shop at once (0 for none).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub(crate) shoppers: usize,

    /// How much faster than real time the simulated shoppers act.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub(crate) speed: f64,
}
