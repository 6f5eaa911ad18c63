//! One site's page patterns, each under a small number (its slot), so a
//! session's timeline holds four bytes per page view rather than the
//! pattern's text.
//!
//! Patterns come from browsers' paths, so a site has at most a configured
//! number; the paths of any beyond share the one [`OVERFLOW`] slot. When
//! sessions age out of the window the patterns none of the rest saw are
//! dropped and the slots renumbered ([`Table::compact`]), so the bound
//! holds for the window, not for all time.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Where a pattern is kept.
pub(super) type Slot = u32;

/// The slot of every path beyond a site's bound.
pub(super) const OVERFLOW: Slot = Slot::MAX;

/// One site's patterns (see the module doc).
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    names: Vec<String>,
    /// Looked up by `&str`, without allocating.
    slots: BTreeMap<String, Slot>,
}

impl Table {
    /// The slot of `pattern`, made if fewer than `max` are kept, else
    /// [`OVERFLOW`].
    pub(super) fn slot(&mut self, pattern: &str, max: usize) -> Slot {
        if let Some(slot) = self.slots.get(pattern) {
            return *slot;
        }
        let Ok(slot) = Slot::try_from(self.names.len()) else {
            return OVERFLOW;
        };
        if self.names.len() >= max || slot == OVERFLOW {
            return OVERFLOW;
        }
        self.names.push(pattern.into());
        self.slots.insert(pattern.into(), slot);
        slot
    }

    /// The pattern in `slot` (not [`OVERFLOW`]).
    pub(super) fn name(&self, slot: Slot) -> &str {
        self.names.get(slot as usize).map_or("", String::as_str)
    }

    /// How many patterns are kept.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// Drops the patterns whose `used` is false; returns each old slot's
    /// new one (unused ones map to [`OVERFLOW`] and are never asked for).
    pub(super) fn compact(&mut self, used: &[bool]) -> Vec<Slot> {
        let mut remap = Vec::with_capacity(self.names.len());
        let mut kept = Vec::new();
        for (i, name) in core::mem::take(&mut self.names).into_iter().enumerate() {
            if used.get(i).copied().unwrap_or(true) {
                let slot = Slot::try_from(kept.len()).unwrap_or(OVERFLOW);
                remap.push(slot);
                kept.push(name);
            } else {
                self.slots.remove(&name);
                remap.push(OVERFLOW);
            }
        }
        for (slot, name) in kept.iter().enumerate() {
            if let Some(s) = self.slots.get_mut(name) {
                *s = Slot::try_from(slot).unwrap_or(OVERFLOW);
            }
        }
        self.names = kept;
        remap
    }
}
