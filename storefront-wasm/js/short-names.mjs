// Gives a wasm-bindgen module's JS glue the short import and export names
// `wasm-opt --minify-imports-and-exports-and-modules` gave its wasm:
//
//   node short-names.mjs dist/floorwalker_core.js names.json
//
// wasm-bindgen names every import after its binding and a hash
// (`__wbg_addEventListener_f2d27251d333a631`) and every closure export after
// its Rust types, hundreds of bytes each; they are written twice, in the
// wasm and in the glue, and the hashes do not compress. Short names save
// about 3 KB gzipped of every shopper's download (docs/BENCHMARKS.md).
// Neither wasm-bindgen nor wasm-opt rewrites the JS side, so this does, on
// the glue as wasm-bindgen writes it (before esbuild minifies it). It fails,
// and so does `just wasm`, on glue of another shape, rather than write a
// module that would not link.
import { readFileSync, writeFileSync } from "node:fs";

const [gluePath, namesPath] = process.argv.slice(2);
if (!gluePath || !namesPath) {
  console.error("usage: node short-names.mjs GLUE.js NAMES.json (wasm-opt's output)");
  process.exit(2);
}
let js = readFileSync(gluePath, "utf8");
const text = readFileSync(namesPath, "utf8");
// wasm-opt prints the map as JSON, possibly after other output.
const names = JSON.parse(text.slice(text.indexOf("{")));
const fail = (why) => {
  console.error(`short-names: ${gluePath}: ${why}`);
  process.exit(1);
};
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const count = (pattern) => (js.match(pattern) || []).length;

// Exports: the glue calls them as `wasm.NAME`; some (memory's twin, the abort
// hooks) it never names.
for (const [name, short] of names.exports) {
  js = js.replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, "g"), `wasm.${short}`);
}

// Imports: the glue's own are the keys of its `import0` object; a snippet's
// are its module's exports, which the one import module lists by their new
// names.
const own = /_bg\.js$/;
const snippets = new Map();
for (const [module, name, short] of names.imports) {
  if (own.test(module)) {
    const key = new RegExp(`^(\\s+)${escape(name)}:`, "m");
    if (count(new RegExp(key.source, "gm")) !== 1) fail(`no single import key ${name}`);
    js = js.replace(key, `$1${short}:`);
  } else {
    if (!snippets.has(module)) snippets.set(module, []);
    snippets.get(module).push([name, short]);
  }
}
const returned = /return \{\s*__proto__: null,\s*"[^"]*_bg\.js": import0,((?:\s*"[^"]*": import\d+,)*)\s*\};/;
const found = js.match(returned);
if (!found) fail("no import object of the expected shape");
const namespaces = new Map();
for (const [, module, binding] of found[1].matchAll(/"([^"]*)": (import\d+),/g)) namespaces.set(module, binding);
const fields = [];
for (const [module, pairs] of snippets) {
  const binding = namespaces.get(module);
  if (!binding) fail(`no namespace for ${module}`);
  for (const [name, short] of pairs) fields.push(`${short}: ${binding}.${name}`);
}
js = js.replace(returned, `return { a: Object.assign(import0, { ${fields.join(", ")} }) };`);
writeFileSync(gluePath, js);
