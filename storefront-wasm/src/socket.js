// The browser's WebSocket for `transport.rs`, opened here: from Rust, its
// constructor, binary type, handlers and message events would each be a
// binding in every shopper's download. `hook(kind, bytes)` hears the socket
// open (0), close (1) and each binary message (2, its bytes); a socket that
// cannot be made (a malformed URL) is null, as if it closed at once.
const none = new Uint8Array(0);
export function open_socket(url, hook) {
  let ws;
  try { ws = new WebSocket(url); } catch (_) { return null; }
  ws.binaryType = "arraybuffer";
  ws.onopen = () => hook(0, none);
  ws.onclose = () => hook(1, none);
  ws.onmessage = (e) => { if (e.data instanceof ArrayBuffer) hook(2, new Uint8Array(e.data)); };
  return ws;
}
