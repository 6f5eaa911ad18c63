// Floorwalker's storefront plugin, as a page imports it (`just wasm` bundles
// it with the core's JS into dist/floorwalker.js, beside the modules it
// loads), in <head> before the shop's own scripts (README.md says why):
//
//   import { start, track } from "/dist/floorwalker.js";
//   start({ server: "wss://nats.example:443", site: "my-shop", currency: "USD" });
//
// This loader is all a page runs at once. The core (floorwalker_core.js and
// its wasm: the journey, the connection, `storefront-wasm/src/`) is fetched,
// compiled and started once the page has loaded and the browser is idle, so
// it never delays the page; the chat part (floorwalker_chat.js and its wasm:
// offers, the chat window, the survey, `storefront-wasm/chat/`) only for a
// shopper who needs it: something pushed to the session, the launcher
// opened, or a chat or unsent chat facts an earlier page left.
//
// Importing the core's JS glue (not its wasm) here runs its page hooks now,
// which note a page left before the core starts and the route changes made
// before it starts (storefront-wasm/src/capture.js).
import init, { boot, chat_connected, chat_here, chat_record, chat_send, track as record } from "./floorwalker_core.js";

let options;
let started = false;
// `track` calls before the core starts, replayed once it has.
const tracks = [];

// Earlier pages wrote `await init()` before `start`: nothing is left to do.
export default async function () {}

/** Starts the plugin once the page has loaded and the browser is idle; a
 * second call does nothing. Bad options give one console message then. */
export function start(given) {
  if (options) return;
  options = given;
  const begin = async () => {
    try {
      await init();
    } catch (e) {
      console.error(`floorwalker: the plugin could not load (${e}); the page carries on without it`);
      return;
    }
    boot(options, shell);
    started = true;
    for (const [name, params] of tracks.splice(0)) record(name, params);
  };
  const idle = () => (window.requestIdleCallback ? requestIdleCallback(begin, { timeout: 2000 }) : setTimeout(begin, 1));
  if (document.readyState === "complete") idle();
  else addEventListener("load", idle, { once: true });
}

/** Records a GA4 ecommerce event by name and parameters (see README.md). */
export function track(name, params) {
  if (started) record(name, params);
  else if (tracks.length < 100) tracks.push([name, params]);
}

// The chat part: loaded once, with what arrives for it held meanwhile.
const CHAT = "Chat with us";
const UNAVAILABLE = "Chat unavailable: try again";
const ATTEMPTS = 3;
const MAX_WAITING = 64;
let key;
let part;
let loading;
let launcher;
let tries = 0;
const waiting = [];

const label = (text) => {
  if (launcher) launcher.textContent = text;
};

// Loads the chat part (once; again after a failure) and resolves to it, or
// to nothing if it would not load: the launcher then says so, and opening it
// tries again.
function chat() {
  return (loading ||= (async () => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        // The browser remembers a failed import by its URL: every retry, in
        // this round or a later one, uses another.
        const url = new URL("floorwalker_chat.js", import.meta.url);
        if (tries) url.search = `retry=${tries}`;
        tries++;
        const m = await import(url.href);
        await m.default();
        m.start(host, key);
        part = m;
        for (const [what, ...args] of waiting.splice(0)) m[what](...args);
        label(CHAT);
        return m;
      } catch (_) {
        if (attempt + 1 < ATTEMPTS) await new Promise((wake) => setTimeout(wake, 1000 << attempt));
      }
    }
    loading = undefined;
    waiting.length = 0;
    label(UNAVAILABLE);
  })());
}

// The core's functions for the chat part (storefront-wasm/chat/src/host.rs).
const host = { chat_send, chat_here, chat_connected, chat_record };

// What the core calls (storefront-wasm/src/shell.rs). Payloads are views of
// the core's memory: copied before they are kept.
const shell = {
  ready(k) {
    key = k;
    showLauncher();
    // A chat or facts this session's earlier pages left, as the chat part
    // keeps them (storefront-wasm/chat/src/storage.rs).
    try {
      if (["floorwalker.chat", "floorwalker.facts"].some((name) => localStorage.getItem(name)?.startsWith(key))) chat();
    } catch (_) {}
  },
  push(payload) {
    if (part) return part.push(payload);
    if (waiting.length < MAX_WAITING) waiting.push(["push", payload.slice()]);
    chat();
  },
  reply(id, payload) {
    // Only facts the chat part sent have replies: without it, none matter.
    if (part) part.reply(id, payload);
    else if (loading && waiting.length < MAX_WAITING) waiting.push(["reply", id, payload.slice()]);
  },
  connected() {
    part?.connected();
  },
};

// The launcher, which asks for help at any time.
function showLauncher() {
  if (!document.body || launcher) return;
  const host = Object.assign(document.createElement("div"), { id: "floorwalker-launcher" });
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = `:host{all:initial}
button{position:fixed;right:16px;bottom:16px;z-index:2147483647;padding:8px 14px;cursor:pointer;font:15px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #888;border-radius:8px;box-shadow:0 4px 16px #0003}
button:focus-visible{outline:2px solid #1a5fb4;outline-offset:2px}`;
  launcher = Object.assign(document.createElement("button"), { type: "button", textContent: CHAT });
  launcher.addEventListener("click", () => chat().then((m) => m?.ask()));
  root.append(style, launcher);
  document.body.append(host);
}
