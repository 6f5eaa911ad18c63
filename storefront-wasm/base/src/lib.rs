//! What both parts of the storefront plugin need from the browser: the core
//! every page loads (`floorwalker-storefront`) and the chat part it loads on
//! demand (`floorwalker-storefront-chat`) are two wasm modules, each linked
//! with this crate once.
//!
//! It holds the allocator and the panic handler of the small build, the one
//! instance a part keeps per page ([`one_per_page!`]), `localStorage` and
//! random ids.

// `just wasm` builds the plugin without std (`--cfg floorwalker_no_std`), so
// that a panic (none is expected) traps rather than pulling in std's panic
// and formatting machinery: kilobytes of every shopper's download
// (docs/BENCHMARKS.md). Other builds, tests included, keep std: the browser
// tests' harness needs it, and std brings its own panic handler.
#![cfg_attr(floorwalker_no_std, no_std)]

extern crate alloc;

use alloc::string::String;

use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

// The one instance per page relies on there being one thread.
#[cfg(all(
    floorwalker_no_std,
    not(all(target_arch = "wasm32", not(target_feature = "atomics")))
))]
compile_error!("floorwalker_no_std is for wasm32 without threads only");

// The default allocator (dlmalloc) is 5.5 KB of every shopper's download; the
// plugin allocates little and runs on one thread, where a free-list
// allocator does as well.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without threads runs the plugin on one
// thread, which is what AssumeSingleThreaded requires.
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(floorwalker_no_std)]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Where a part keeps its one instance without std, which has no
/// `thread_local!`: a plain static on the browser's one thread. The instance
/// lives as long as the page (it is leaked, not counted): no drop code for
/// it, nor weak references in its handlers, reach the download.
#[cfg(floorwalker_no_std)]
pub struct OnePerPage<T: 'static>(core::cell::Cell<Option<&'static T>>);

// SAFETY: built only for wasm32-unknown-unknown without the atomics feature
// (see the compile_error above), where the plugin runs on exactly one thread
// and the static is never touched from another.
#[cfg(floorwalker_no_std)]
#[allow(unsafe_code)]
unsafe impl<T> Sync for OnePerPage<T> {}

#[cfg(floorwalker_no_std)]
impl<T> OnePerPage<T> {
    /// Empty until the part starts.
    #[allow(clippy::new_without_default)] // for statics
    pub const fn new() -> Self {
        Self(core::cell::Cell::new(None))
    }

    /// The instance, once started (as `LocalKey<Cell<_>>::get`).
    pub fn get(&self) -> Option<&'static T> {
        self.0.get()
    }

    /// Keeps the instance (as `LocalKey<Cell<_>>::set`).
    pub fn set(&self, instance: Option<&'static T>) {
        self.0.set(instance);
    }
}

/// Declares `static NAME` holding a part's one instance of `Type` (a
/// `&'static Type` once started), read with `NAME.get()` and kept with
/// `NAME.set(Some(instance))`: a plain static without std, a thread-local
/// with it.
#[macro_export]
macro_rules! one_per_page {
    ($vis:vis $name:ident: $ty:ty) => {
        #[cfg(floorwalker_no_std)]
        $vis static $name: $crate::OnePerPage<$ty> = $crate::OnePerPage::new();
        #[cfg(not(floorwalker_no_std))]
        std::thread_local! {
            $vis static $name: core::cell::Cell<Option<&'static $ty>> =
                const { core::cell::Cell::new(None) };
        }
    };
}

/// Keeps `instance` for the rest of the page's life.
pub fn for_the_page<T>(instance: T) -> &'static T {
    alloc::boxed::Box::leak(alloc::boxed::Box::new(instance))
}

// The browser's globals, named directly: `web_sys::window()` looks for the
// global object four ways, each an import of every part's download.
#[wasm_bindgen(
    inline_js = "export function storage() { try { return localStorage; } catch (_) {} }"
)]
extern "C" {
    /// The page's `localStorage`; `None` where it is unavailable (some
    /// private modes throw on reading it).
    #[wasm_bindgen(js_name = storage)]
    fn local_storage() -> Option<web_sys::Storage>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &mut [u8]) -> Result<JsValue, JsValue>;

    /// `setTimeout(callback, ms)`: the timer's id.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, ms: i32) -> i32;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: i32);

    /// `performance.now()`: milliseconds since the page began, never going
    /// back.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn performance_now() -> f64;
}

/// The page's `localStorage`; `None` where it is unavailable (some private
/// modes throw).
pub fn storage() -> Option<web_sys::Storage> {
    local_storage()
}

/// 32 random bytes from the browser's CSPRNG; `None` if
/// `crypto.getRandomValues` is missing or throws.
pub fn random_bytes() -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    get_random_values(&mut bytes).ok()?;
    Some(bytes)
}

/// A new random id of `len * 4 / 3` characters of `[A-Za-z0-9_-]` from
/// `len` random bytes (at most 32).
pub fn random_id(len: usize) -> Option<String> {
    let random = random_bytes()?;
    Some(floorwalker_shared::base64url::encode(random.get(..len)?))
}
