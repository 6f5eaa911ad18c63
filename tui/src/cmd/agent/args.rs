//! `floorwalker agent`'s command line.

use clap::Args;

use crate::cmd::args::ConnectArgs;

#[derive(Debug, Args)]
pub(crate) struct AgentArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// The agent's user name; it must be the user of the credentials.
    #[arg(long, env = "FLOORWALKER_AGENT", value_name = "NAME")]
    pub(crate) name: String,

    /// Most chats at once (1 to 20); `+` and `-` change it while working.
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u8).range(1..=20))]
    pub(crate) capacity: u8,

    /// Start away (`a` makes the agent available).
    #[arg(long)]
    pub(crate) away: bool,
}
