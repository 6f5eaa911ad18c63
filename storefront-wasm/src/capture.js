// The page hooks of `capture.rs`, in plain JS: listening to the page from
// Rust would bring a binding per event type and per field read into every
// shopper's download, and a call into wasm per pointer move would cost more
// than the move itself.
let input = false, scrolled = false, started = false;

// The page as the plugin records it: time, path with a hash router's route,
// the campaign's source, medium and name (each the first non-empty value of
// its `utm_` parameter, decoded by the browser), title and referrer, one per
// line, which none of them can hold (a decoded value's line breaks become
// spaces).
const shown = Date.now();
const utm = (query) => ["source", "medium", "campaign"].map((name) =>
  (query.getAll("utm_" + name).find((v) => v) || "").replace(/\n/g, " "));
const page = (at) => [at, location.pathname + (location.hash.startsWith("#/") ? location.hash : ""),
  ...utm(new URLSearchParams(location.search)), document.title, document.referrer].join("\n");

// The core starts only after the page has loaded, at idle: a shopper who
// moves on at once (a quick click, a redirect) leaves before `start` runs,
// and that page, often the landing page with how the shopper came, would
// never be recorded. This module runs earlier, with the page's scripts (the
// loader imports the core's glue, which imports it): it notes when the page
// was shown, and a page left before `start` keeps its view, and when it was
// left, in `localStorage`; the next page's `start` records it first.
addEventListener("pagehide", () => {
  if (!started) try { localStorage.setItem("floorwalker.early", page(shown) + "\n" + Date.now()); } catch (_) {}
});
export function this_page() { return page(Date.now()); }

// What `watch_page` tells the core, as `hook(kind)`: see capture.rs.
const ROUTE = 1, HIDDEN = 2, VISIBLE = 3, LEAVE = 4, EXIT = 5, TICK = 6;
const opts = { passive: true };
let hook;
// The pages the shopper saw before `start`: this one as it was shown, then
// each single-page route change (the first 15, and the latest), which the
// core reads at `start` (`take_route`) as it reads earlier dataLayer entries.
const routes = [page(shown)];
const call = (kind) => {
  if (hook) try { hook(kind); } catch (_) {}
  else if (kind === ROUTE) routes[Math.min(routes.length, 16)] = page(Date.now());
};
export function take_route() { return routes.shift(); }

// Route changes from now on: single-page shops change routes with
// history.pushState/replaceState, which fire no event: they are wrapped,
// and the page's own call runs first, its result and errors its own. A
// shop's code that kept the originals before this ran is not seen: hence
// the script tag first in <head>.
const wrapped = ["pushState", "replaceState"].every((name) => {
  const original = history[name];
  if (typeof original !== "function") return false;
  history[name] = function (...args) {
    const result = original.apply(this, args);
    call(ROUTE);
    return result;
  };
  return true;
});
addEventListener("popstate", () => call(ROUTE), opts);
addEventListener("hashchange", () => call(ROUTE), opts);
export function take_early() {
  started = true;
  try {
    const early = localStorage.getItem("floorwalker.early");
    localStorage.removeItem("floorwalker.early");
    return early;
  } catch (_) {}
}

// Input only notes that there was input (and a scroll); the once-a-second
// tick reads and clears the notes, so input is timed to the second, which
// is all idleness needs.
export function watch_input() {
  const opts = { passive: true, capture: true };
  const note = () => { input = true; };
  for (const name of ["pointermove", "keydown", "touchstart"]) addEventListener(name, note, opts);
  addEventListener("scroll", () => { input = scrolled = true; }, opts);
}
export function take_input() { const i = input; input = false; return i; }
export function take_scrolled() { const s = scrolled; scrolled = false; return s; }

// How far down the page the bottom of the window is, in percent; -1 if the
// page has no height. Read once a tick, never in an input handler.
export function scroll_percent() {
  const height = document.documentElement.scrollHeight;
  return height > 0 ? Math.round(Math.min(100, (scrollY + innerHeight) / height * 100)) : -1;
}

// Calls `h` on route changes (above), the tab hidden or shown, the page
// left, the pointer leaving through the top edge (towards the tabs or the
// close button), and once a second. False if history could not be wrapped.
export function watch_page(h) {
  if (!wrapped) return false;
  hook = h;
  document.addEventListener("visibilitychange", () => call(document.visibilityState === "hidden" ? HIDDEN : VISIBLE), opts);
  addEventListener("pagehide", () => call(LEAVE), opts);
  document.addEventListener("mouseout", (e) => { if (!e.relatedTarget && e.clientY <= 0) call(EXIT); }, opts);
  setInterval(() => call(TICK), 1000);
  return true;
}

// The page's `dataLayer`, made an array if it is not one.
export function data_layer() {
  if (!Array.isArray(window.dataLayer)) window.dataLayer = [];
  return window.dataLayer;
}

// Wrapping `dataLayer.push` in JS keeps every argument of the shop's call (a
// Rust closure has a fixed arity) without `new Function`, which a
// storefront's content security policy may forbid; the shop's push runs
// first and its result is returned, and our hook can neither throw nor
// change it.
export function wrap_push(layer, hook) {
  const original = layer.push;
  layer.push = function (...entries) {
    const result = original.apply(this, entries);
    for (const entry of entries) { try { hook(entry); } catch (_) {} }
    return result;
  };
}
