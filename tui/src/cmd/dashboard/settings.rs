//! The dashboard's optional `--config` file: offer templates and timings.

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, bail};
use floorwalker_shared::metrics::Targets;

/// What the optional `--config` file may set.
#[derive(Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Settings {
    pub(crate) templates: Vec<String>,
    pub(crate) left_after_secs: u64,
    pub(crate) forget_after_secs: u64,
    pub(crate) replay_minutes: u64,
    pub(crate) offer_expires_secs: u64,
    pub(crate) targets: Targets,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            templates: vec![
                "Hi! Can I help you find the right size?".to_owned(),
                "Questions about delivery or returns? I'm here to help.".to_owned(),
                "Need a hand choosing? Happy to compare for you.".to_owned(),
            ],
            left_after_secs: 300,
            forget_after_secs: 600,
            replay_minutes: 30,
            offer_expires_secs: 120,
            targets: Targets::default(),
        }
    }
}

impl Settings {
    pub(crate) fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("reading the dashboard config '{}'", path.display()))?;
        let settings: Self = toml::from_str(&text)
            .wrap_err_with(|| format!("reading the dashboard config '{}'", path.display()))?;
        let max = floorwalker_shared::event::limits::MAX_OFFER_TEXT_LEN;
        if let Some(t) = settings
            .templates
            .iter()
            .find(|t| t.trim().is_empty() || t.len() > max)
        {
            bail!(
                "the dashboard config '{}' has a template that is empty or over {max} bytes: '{t}'",
                path.display()
            );
        }
        settings
            .targets
            .check()
            .wrap_err_with(|| format!("the dashboard config '{}' [targets]", path.display()))?;
        if settings.offer_expires_secs == 0 {
            bail!(
                "the dashboard config '{}' sets offer_expires_secs = 0: an offer needs at least a second to be answered",
                path.display()
            );
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dashboard.toml");
        std::fs::write(&path, text).unwrap();
        Settings::load(Some(&path))
    }

    #[test]
    fn a_config_file_sets_templates_and_timings() {
        let s = load(
            "templates = [\"Free delivery today!\"]\nleft_after_secs = 120\noffer_expires_secs = 45\n",
        )
        .unwrap();
        assert_eq!(s.templates, ["Free delivery today!"]);
        assert_eq!(
            (s.left_after_secs, s.replay_minutes, s.offer_expires_secs),
            (120, 30, 45)
        );
        assert_eq!(Settings::load(None).unwrap().templates.len(), 3);
    }

    #[test]
    fn targets_come_from_the_config_file_and_are_checked() {
        let s = load("[targets]\nlongest_wait = { amber = 30, red = 90 }\n").unwrap();
        assert_eq!(
            (s.targets.longest_wait.amber, s.targets.longest_wait.red),
            (30, 90)
        );
        assert_eq!(s.targets.service_level, Targets::default().service_level);
        let wrong = format!(
            "{:?}",
            load("[targets]\nservice_level = { amber = 50, red = 90 }\n").unwrap_err()
        );
        assert!(wrong.contains("service_level: red (90)"), "{wrong}");
    }

    #[test]
    fn a_bad_config_file_says_which_file_and_what_is_wrong() {
        let unknown = format!("{:?}", load("templatse = []").unwrap_err());
        assert!(
            unknown.contains("dashboard.toml") && unknown.contains("templatse"),
            "{unknown}"
        );
        let empty = format!("{:?}", load("templates = [\"  \"]").unwrap_err());
        assert!(empty.contains("empty or over"), "{empty}");
        let missing = format!(
            "{:?}",
            Settings::load(Some(Path::new("/nonexistent.toml"))).unwrap_err()
        );
        assert!(missing.contains("/nonexistent.toml"), "{missing}");
    }
}
