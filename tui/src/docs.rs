//! The repository's documents, for tests that keep them true to the code.

/// The text of `docs/<path>`.
///
/// # Panics
/// If it cannot be read.
pub(crate) fn read(path: &str) -> String {
    let file = format!("{}/../docs/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {file}: {e}"))
}

/// Fails unless `docs/<path>` holds `text` word for word, showing what it
/// should hold; `what` names it.
///
/// # Panics
/// When it does not.
pub(crate) fn assert_holds(path: &str, text: &str, what: &str) {
    assert!(
        read(path).contains(text),
        "docs/{path} is out of date; its {what} should read:\n{text}"
    );
}
