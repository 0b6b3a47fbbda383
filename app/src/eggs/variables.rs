//! Startup variables of an egg and their validation rules, shared by the browser (to explain a
//! refusal before sending) and the server (which decides).
//!
//! Rules are written as `required|integer|min:1|max:100`: `required` or `nullable`, at most one
//! type (`string`, `integer`, `boolean`), `min:N` and `max:N` (length for strings, value for
//! integers), and `in:a,b,c`. Unknown rules are refused when the egg is saved, so a server is
//! never checked against a rule nobody understands.

use crate::i18n::{t, tf};
use serde::{Deserialize, Serialize};

/// One variable an egg declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EggVariable {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The environment name the server process sees, e.g. `SERVER_JARFILE`.
    pub env_name: String,
    #[serde(default)]
    pub default: String,
    /// Server users with `startup.read` may see it.
    #[serde(default)]
    pub user_viewable: bool,
    /// Server users with `startup.update` may change it (only when also viewable).
    #[serde(default)]
    pub user_editable: bool,
    #[serde(default)]
    pub rules: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    String,
    Integer,
    Boolean,
}

/// Parsed rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    required: bool,
    kind: Kind,
    min: Option<i64>,
    max: Option<i64>,
    one_of: Option<Vec<String>>,
}

impl Rules {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut rules = Rules {
            required: false,
            kind: Kind::String,
            min: None,
            max: None,
            one_of: None,
        };
        let mut kinds = 0;
        for rule in raw.split('|').map(str::trim).filter(|r| !r.is_empty()) {
            let (name, argument) = match rule.split_once(':') {
                Some((name, argument)) => (name, Some(argument)),
                None => (rule, None),
            };
            let bound = || {
                argument
                    .and_then(|a| a.trim().parse::<i64>().ok())
                    .ok_or_else(|| {
                        tf(
                            "The rule `{name}` needs a whole number, as in `{name}:10`.",
                            &[("name", &name)],
                        )
                    })
            };
            match name {
                "required" => rules.required = true,
                "nullable" => rules.required = false,
                "string" => (rules.kind, kinds) = (Kind::String, kinds + 1),
                "integer" | "numeric" => (rules.kind, kinds) = (Kind::Integer, kinds + 1),
                "boolean" => (rules.kind, kinds) = (Kind::Boolean, kinds + 1),
                "min" => rules.min = Some(bound()?),
                "max" => rules.max = Some(bound()?),
                "in" => {
                    let choices: Vec<String> = argument
                        .unwrap_or_default()
                        .split(',')
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect();
                    if choices.is_empty() {
                        return Err(t("The rule `in` needs choices, as in `in:a,b`.").into());
                    }
                    rules.one_of = Some(choices);
                }
                other => {
                    let shown: String = other.chars().take(32).collect();
                    return Err(tf("Unknown rule `{rule}`.", &[("rule", &shown)]));
                }
            }
        }
        if kinds > 1 {
            return Err(t("Choose one of string, integer or boolean.").into());
        }
        if let (Some(min), Some(max)) = (rules.min, rules.max) {
            if min > max {
                return Err(tf(
                    "`min:{min}` is larger than `max:{max}`.",
                    &[("min", &min), ("max", &max)],
                ));
            }
        }
        Ok(rules)
    }

    /// Checks a value: `Ok` or a sentence for the user.
    pub fn check(&self, value: &str) -> Result<(), String> {
        if value.is_empty() {
            return if self.required {
                Err(t("A value is required.").into())
            } else {
                Ok(())
            };
        }
        if value.chars().any(char::is_control) {
            return Err(t("Control characters are not allowed.").into());
        }
        if value.chars().count() > 1000 {
            return Err(t("At most 1000 characters.").into());
        }
        if let Some(choices) = &self.one_of {
            if !choices.iter().any(|c| c == value) {
                return Err(tf(
                    "Choose one of: {choices}.",
                    &[("choices", &choices.join(", "))],
                ));
            }
        }
        match self.kind {
            Kind::Boolean => {
                if !matches!(value, "0" | "1" | "true" | "false") {
                    return Err(t("Enter true or false.").into());
                }
            }
            Kind::Integer => {
                let number: i64 = value
                    .parse()
                    .map_err(|_| t("Enter a whole number.").to_owned())?;
                if self.min.is_some_and(|min| number < min)
                    || self.max.is_some_and(|max| number > max)
                {
                    return Err(self.range_message(true));
                }
            }
            Kind::String => {
                let length = value.chars().count() as i64;
                if self.min.is_some_and(|min| length < min)
                    || self.max.is_some_and(|max| length > max)
                {
                    return Err(self.range_message(false));
                }
            }
        }
        Ok(())
    }

    /// The refusal for a number (`number`) or a length outside `min..=max`.
    fn range_message(&self, number: bool) -> String {
        let text = match (number, self.min, self.max) {
            (true, Some(_), Some(_)) => t("The number must be from {min} to {max}."),
            (true, Some(_), None) => t("The number must be at least {min}."),
            (true, None, Some(_)) => t("The number must be at most {max}."),
            (false, Some(_), Some(_)) => t("The length must be from {min} to {max}."),
            (false, Some(_), None) => t("The length must be at least {min}."),
            (false, None, Some(_)) => t("The length must be at most {max}."),
            (_, None, None) => return String::new(),
        };
        let (min, max) = (self.min.unwrap_or_default(), self.max.unwrap_or_default());
        tf(text, &[("min", &min), ("max", &max)])
    }
}

/// Names the daemon or the container set themselves; an egg variable may not take them.
const RESERVED_ENV_NAMES: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "HOSTNAME",
    "TZ",
    "STARTUP",
    "SERVER_MEMORY",
    "SERVER_IP",
    "SERVER_PORT",
    "P_SERVER_UUID",
    "P_SERVER_LOCATION",
    "P_SERVER_ALLOCATION_LIMIT",
];

/// Checks an environment variable name: `A-Z`, digits and `_`, not starting with a digit, and
/// not one the daemon sets itself.
pub fn check_env_name(value: &str) -> Result<(), String> {
    if RESERVED_ENV_NAMES.contains(&value) {
        return Err(tf(
            "{name} is set by the daemon itself; choose another name.",
            &[("name", &value)],
        ));
    }
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !value.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(t("Use capital letters, digits and _, as in SERVER_JARFILE.").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_check_values() {
        let rules = Rules::parse("required|integer|min:1|max:100").unwrap();
        assert!(rules.check("50").is_ok());
        assert!(rules.check("").is_err());
        assert!(rules.check("0").is_err());
        assert!(rules.check("101").is_err());
        assert!(rules.check("abc").is_err());
        let rules = Rules::parse("nullable|string|max:3").unwrap();
        assert!(rules.check("").is_ok());
        assert!(rules.check("abcd").is_err());
        let rules = Rules::parse("required|in:a,b").unwrap();
        assert!(rules.check("a").is_ok());
        assert!(rules.check("c").is_err());
        assert!(Rules::parse("boolean").unwrap().check("maybe").is_err());
        assert!(Rules::parse("regex:/x/").is_err());
        assert!(Rules::parse("max:x").is_err());
        assert!(Rules::parse("string|integer").is_err());
        assert!(Rules::parse("integer|min:5|max:1").is_err());
        assert!(Rules::parse("").unwrap().check("a\u{0}").is_err());
    }

    #[test]
    fn env_names_are_shouting_snake_case() {
        assert!(check_env_name("SERVER_JARFILE").is_ok());
        assert!(check_env_name("PATH").is_err());
        assert!(check_env_name("SERVER_MEMORY").is_err());
        assert!(check_env_name("server").is_err());
        assert!(check_env_name("1X").is_err());
        assert!(check_env_name("").is_err());
    }
}
