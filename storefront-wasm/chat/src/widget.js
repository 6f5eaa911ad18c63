// The widget's DOM (see widget.rs): built here rather than through web-sys
// bindings, which would each add to the download. Text is set with
// textContent only, never parsed as HTML; everything lives in Shadow DOMs.
const CSS = `:host{all:initial}
.o,.c{position:fixed;right:16px;z-index:2147483647;font:15px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #888;border-radius:8px;box-shadow:0 4px 16px #0003}
.o{bottom:72px;max-width:320px;padding:12px 36px 12px 14px}
.c{bottom:72px;width:300px;padding:10px}
p{margin:0 0 10px}button{font:inherit;margin-right:8px;padding:4px 12px;cursor:pointer}
.x{position:absolute;top:4px;right:4px;margin:0;padding:0 6px;border:0;background:none;font-size:18px}
.s{margin:18px 24px 0 0;font-size:13px;color:#444}
.g{max-height:240px;overflow:auto;margin:8px 0}.g p{margin:0 0 6px}.a{font-weight:600}
input{font:inherit;width:190px}
button:focus-visible,input:focus-visible{outline:2px solid #1a5fb4;outline-offset:2px}`;

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);

function panel(id) {
  document.getElementById(id)?.remove();
  const host = el("div", { id });
  const root = host.attachShadow({ mode: "open" });
  root.append(el("style", { textContent: CSS }));
  document.body.append(host);
  return [host, root];
}

function button(label, className) {
  return el("button", { type: "button", className, textContent: label });
}

const chat = (css) => document.getElementById("floorwalker-chat")?.shadowRoot?.querySelector(css);

export function show_offer(text, answer) {
  if (!document.body) return false;
  const [host, root] = panel("floorwalker-offer");
  const box = el("div", { className: "o" });
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Chat offer");
  box.setAttribute("aria-live", "polite");
  const accept = button("Accept", "accept");
  const decline = button("No thanks", "decline");
  const close = button("\u00d7", "x");
  close.setAttribute("aria-label", "Dismiss");
  let done = false;
  const finish = (how) => {
    if (done) return;
    done = true;
    host.remove();
    try { answer(how); } catch (_) {}
  };
  accept.addEventListener("click", () => finish("accepted"));
  decline.addEventListener("click", () => finish("declined"));
  close.addEventListener("click", () => finish("declined"));
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") finish("declined"); });
  box.append(el("p", { textContent: text }), accept, decline, close);
  root.append(box);
  return true;
}

// The window's lines ([id, who, text]) and the chat they are of, kept for
// the chat's next page; a line whose id is shown already is not shown again.
const LOG = "floorwalker.chatlog";
let shown = { chat: "", lines: [] };

const line = (log, who, text) => {
  const p = el("p");
  p.append(el("span", { className: "a", textContent: who + ": " }), el("span", { textContent: text }));
  log.append(p);
  log.scrollTop = log.scrollHeight;
};

export function open_chat(send, close, id) {
  if (!document.body) return;
  let log = chat(".g");
  if (log && shown.chat === id) return;
  if (!log) {
    const [host, root] = panel("floorwalker-chat");
    const box = el("div", { className: "c" });
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Chat");
    const status = el("p", { className: "s" });
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    log = el("div", { className: "g" });
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    const form = el("form");
    const input = el("input", { type: "text", maxLength: 1000 });
    input.setAttribute("aria-label", "Your message");
    const x = button("\u00d7", "x");
    x.setAttribute("aria-label", "Close chat");
    const shut = () => { host.remove(); try { close(); } catch (_) {} };
    x.addEventListener("click", shut);
    box.addEventListener("keydown", (e) => { if (e.key === "Escape") shut(); });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      try { send(text); } catch (_) {}
    });
    form.append(input, el("button", { type: "submit", textContent: "Send" }));
    box.append(x, status, log, form);
    root.append(box);
    input.focus({ preventScroll: true });
  }
  log.replaceChildren();
  try {
    if (shown.chat !== id) {
      const kept = JSON.parse(localStorage.getItem(LOG));
      shown = { chat: id, lines: kept?.chat === id ? [...kept.lines] : [] };
    }
    for (const [, who, text] of shown.lines) line(log, who, text);
  } catch (_) {
    // Storage unavailable, or not ours: the chat's next lines start afresh.
    shown = { chat: id, lines: [] };
    log.replaceChildren();
  }
}

export function chat_status(text) {
  const status = chat(".s");
  if (status) status.textContent = text;
}

export function chat_add(id, who, text) {
  const log = chat(".g");
  if (!log || (id && shown.lines.some((l) => l[0] === id))) return;
  shown.lines.push([id, who, text]);
  if (shown.lines.length > 50) shown.lines.shift();
  try { localStorage.setItem(LOG, JSON.stringify(shown)); } catch (_) {}
  line(log, who, text);
}

export function show_survey(question, answer) {
  if (!document.body) return false;
  const [host, root] = panel("floorwalker-survey");
  const box = el("form", { className: "o" });
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Survey");
  const comment = el("input", { type: "text", maxLength: 1000 });
  comment.setAttribute("aria-label", "Comment (optional)");
  let done = false;
  // `helped` is undefined when the survey is dismissed.
  const finish = (helped) => {
    if (done) return;
    done = true;
    host.remove();
    try { answer(helped, comment.value.trim()); } catch (_) {}
  };
  const yes = button("Yes", "yes");
  const no = button("No", "no");
  yes.addEventListener("click", () => finish(true));
  no.addEventListener("click", () => finish(false));
  const close = button("\u00d7", "x");
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => finish(undefined));
  box.append(el("p", { textContent: question }), comment, el("p"), yes, no, close);
  root.append(box);
  return true;
}
