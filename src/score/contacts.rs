//! The regulators' contacts per jurisdiction (`rules/jurisdictions.toml`, issue 47): whom a
//! routed alert or on-sale finding is sent to in a province or city. Unknown keys are rejected,
//! and every error names the file and line.

use std::path::Path;

use serde::Deserialize;

use crate::config::{ConfigError, line_in_block};
use crate::model::{Contact, Jurisdiction, PROVINCES};

pub const DEFAULT_JURISDICTIONS_TOML: &str = include_str!("../../rules/jurisdictions.toml");
pub const JURISDICTIONS_FILE: &str = "jurisdictions.toml";

/// The contacts of the rules, by province and city.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    #[serde(default)]
    contact: Vec<Contact>,
}

impl Contacts {
    /// The contacts of `rules_dir/jurisdictions.toml`, or the embedded ones when there is none.
    pub fn load(rules_dir: Option<&Path>) -> Result<Contacts, Vec<ConfigError>> {
        let embedded = || {
            Contacts::parse(
                DEFAULT_JURISDICTIONS_TOML,
                "<embedded>/rules/jurisdictions.toml",
            )
        };
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(JURISDICTIONS_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Contacts::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse and validate; `file` names the text in errors.
    pub fn parse(text: &str, file: &str) -> Result<Contacts, Vec<ConfigError>> {
        let contacts: Contacts =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let at = |n: usize, key: &str| line_in_block(text, "contact", n, key);
        for (n, c) in contacts.contact.iter().enumerate() {
            if !PROVINCES.contains(&c.province.as_str()) {
                errors.push(ConfigError::new(
                    file,
                    at(n, "province"),
                    format!(
                        "province {:?} is not a canonical province name (浙江省, 广西壮族自治区 …)",
                        c.province
                    ),
                ));
            }
            if c.city.as_deref().is_some_and(|x| x.trim().is_empty()) {
                errors.push(ConfigError::new(
                    file,
                    at(n, "city"),
                    "city is empty: leave it out for the province's own unit",
                ));
            }
            if c.unit.trim().is_empty() {
                errors.push(ConfigError::new(file, at(n, "unit"), "unit is empty"));
            }
            if !c.email.is_empty() && !c.email.contains('@') {
                errors.push(ConfigError::new(
                    file,
                    at(n, "email"),
                    format!("email {:?} has no @", c.email),
                ));
            }
            let same = contacts.contact[..n]
                .iter()
                .any(|o| o.province == c.province && o.city == c.city);
            if same {
                errors.push(ConfigError::new(
                    file,
                    at(n, ""),
                    format!(
                        "a second contact for {}{}",
                        c.province,
                        c.city.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(contacts)
        } else {
            Err(errors)
        }
    }

    /// The contact for a province and city: the city's unit, else the province's.
    pub fn of(&self, province: &str, city: Option<&str>) -> Option<&Contact> {
        let find = |city: Option<&str>| {
            self.contact
                .iter()
                .find(|c| c.province == province && c.city.as_deref() == city)
        };
        city.and_then(|x| find(Some(x))).or_else(|| find(None))
    }

    /// Give each jurisdiction its contact, if the rules name one.
    pub fn address(&self, jurisdictions: &mut [Jurisdiction]) {
        for j in jurisdictions {
            j.contact = self.of(&j.province, j.city.as_deref()).cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_contacts_load_and_a_city_falls_back_to_its_province() {
        let c = Contacts::load(None).unwrap();
        let nb = c.of("浙江省", Some("宁波市")).unwrap();
        assert_eq!(nb.city.as_deref(), Some("宁波市"));
        let hz = c.of("浙江省", Some("杭州市")).unwrap();
        assert_eq!(hz.city, None);
        assert!(c.of("河南省", None).is_none());
    }

    #[test]
    fn bad_entries_are_named_by_file_and_line() {
        let text = "[[contact]]\nprovince = \"浙江省\"\nunit = \"甲\"\n\n\
                    [[contact]]\nprovince = \"浙江\"\nunit = \" \"\nemail = \"nobody\"\n\n\
                    [[contact]]\nprovince = \"浙江省\"\nunit = \"乙\"\n";
        let errs = Contacts::parse(text, "j.toml").unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [6, 7, 8, 10], "{errs:?}");
        assert!(errs.iter().all(|e| e.file == "j.toml"));
        let unknown = Contacts::parse(
            "[[contact]]\nprovince = \"浙江省\"\nunit = \"甲\"\nfax = \"1\"\n",
            "j.toml",
        )
        .unwrap_err();
        assert_eq!(unknown[0].line, 4, "{unknown:?}");
    }
}
