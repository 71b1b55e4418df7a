//! The one rule by which every front end names users, for CSP and Cloud Director alike, in
//! listing, getting, changing and removing:
//!
//! - a selector equal to a user's id (a CSP `domain:uuid` id, a Cloud Director
//!   `urn:vcloud:user:...` URN) selects that user;
//! - otherwise it is a wildcard pattern (`*`, `?`, `[a-z]`, backtick escapes; no wildcard means
//!   the whole text), matched case-insensitively against the username, the email and the full
//!   name. Full names count so that `'Grace Hopper'` names Grace Hopper everywhere; a removal
//!   always shows the resolved users before and after, so nobody is removed unseen.
//!
//! An input that selects nobody is an item of its own with a `notFound` error, never "nothing".

use crate::bulk::Target;
use crate::error::{excerpt, Error, ErrorCategory, Result};
use crate::wildcard::Pattern;

/// What the rule reads of a user.
pub trait Selectable {
    fn user_id(&self) -> &str;
    fn username(&self) -> &str;
    fn email(&self) -> &str;
    fn full_name(&self) -> &str;

    /// Who this user is, for reports.
    fn target(&self) -> Target {
        Target { id: self.user_id().into(), username: self.username().into(), email: self.email().into(), name: self.full_name().into() }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    input: String,
    pattern: Pattern,
    id: bool,
}

impl Selector {
    /// Reads one selector; `field` names it in errors, `looks_like_id` is the provider's id shape.
    pub fn parse(field: &str, text: &str, looks_like_id: impl Fn(&str) -> bool) -> Result<Selector> {
        let input = text.trim();
        if input.is_empty() {
            return Err(Error::invalid(field, "must not be empty: name a user by id, username, email or pattern"));
        }
        let pattern = Pattern::parse(field, input)?;
        let id = !pattern.has_wildcards() && looks_like_id(input);
        Ok(Selector { input: input.to_string(), pattern, id })
    }

    /// A selector that is an id and nothing else (an `id` field of a user object): never a pattern.
    pub fn exact_id(field: &str, id: &str) -> Result<Selector> {
        let input = id.trim();
        if input.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        Ok(Selector { input: input.to_string(), pattern: Pattern::parse(field, &literal(input))?, id: true })
    }

    /// Reads a list of selectors, each field named `field[i]`.
    pub fn parse_all(field: &str, texts: &[String], looks_like_id: impl Fn(&str) -> bool + Copy) -> Result<Vec<Selector>> {
        texts.iter().enumerate().map(|(i, t)| Selector::parse(&format!("{field}[{i}]"), t, looks_like_id)).collect()
    }

    pub fn input(&self) -> &str {
        &self.input
    }

    /// The selector is an id: the user can be read directly, no listing needed.
    pub fn is_id(&self) -> bool {
        self.id
    }

    pub fn has_wildcards(&self) -> bool {
        self.pattern.has_wildcards()
    }

    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// An id selects by id alone; anything else by id, username, email or full name.
    pub fn matches(&self, user: &impl Selectable) -> bool {
        user.user_id().eq_ignore_ascii_case(&self.input)
            || !self.id && [user.username(), user.email(), user.full_name()].iter().any(|t| !t.is_empty() && self.pattern.matches(t))
    }

    /// The users this selector names, in the order given; `notFound` when none.
    pub fn select<'a, U: Selectable>(&self, users: &'a [U]) -> Result<Vec<&'a U>> {
        let hits: Vec<&U> = users.iter().filter(|u| self.matches(*u)).collect();
        if hits.is_empty() {
            return Err(self.not_found());
        }
        Ok(hits)
    }

    pub fn not_found(&self) -> Error {
        let what = if self.id { "no user with id" } else { "no user's username, email or full name matches" };
        Error::new(ErrorCategory::NotFound, format!("{what} '{}' in this organization", excerpt(&self.input)))
    }

    /// Exactly one user, for operations on one (get, set): a selector naming several is refused
    /// with the first few names, so a pattern never changes users the caller did not see.
    pub fn one<'a, U: Selectable>(&self, field: &str, users: &'a [U]) -> Result<&'a U> {
        let hits = self.select(users)?;
        if hits.len() == 1 {
            return Ok(hits[0]);
        }
        let names: Vec<&str> = hits.iter().take(5).map(|u| u.username()).collect();
        let more = if hits.len() > 5 { format!(" and {} more", hits.len() - 5) } else { String::new() };
        Err(Error::invalid(
            field,
            format!(
                "'{}' matches {} users ({}{more}); name one user (by id or username)",
                excerpt(&self.input),
                hits.len(),
                names.join(", ")
            ),
        ))
    }
}

/// `text` as a pattern that matches only itself (wildcards escaped with a backtick).
pub fn literal(text: &str) -> String {
    text.chars().flat_map(|c| if "*?[]`".contains(c) { vec!['`', c] } else { vec![c] }).collect()
}

/// True for text a selector would read as a pattern rather than as itself.
pub fn has_pattern_characters(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// A new username must be selectable as itself: wildcard characters are refused.
pub fn check_new_username(field: &str, username: &str) -> Result<()> {
    if has_pattern_characters(username) {
        return Err(Error::invalid(
            field,
            format!(
                "'{}' holds a wildcard character (*, ? or [), which would make it a pattern wherever users are named",
                excerpt(username)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct U(&'static str, &'static str, &'static str, &'static str);
    impl Selectable for U {
        fn user_id(&self) -> &str {
            self.0
        }
        fn username(&self) -> &str {
            self.1
        }
        fn email(&self) -> &str {
            self.2
        }
        fn full_name(&self) -> &str {
            self.3
        }
    }

    fn sel(s: &str) -> Selector {
        Selector::parse("users[0]", s, |s| s.starts_with("urn:")).unwrap()
    }

    #[test]
    fn one_rule_for_id_username_email_full_name_and_patterns() {
        let users = [U("urn:1", "jdoe", "john@x.com", "John Doe"), U("urn:2", "ada", "ada@x.com", "Ada Lovelace")];
        let ids = |s: &str| sel(s).select(&users).map(|v| v.iter().map(|u| u.0).collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(ids("urn:2"), ["urn:2"]);
        assert!(sel("urn:2").is_id());
        assert_eq!(ids("JDOE"), ["urn:1"]);
        assert_eq!(ids("ada@x.com"), ["urn:2"]);
        assert_eq!(ids("John Doe"), ["urn:1"]);
        assert_eq!(ids("*@x.com"), ["urn:1", "urn:2"]);
        assert_eq!(ids("a*"), ["urn:2"]);
        assert!(sel("nobody").select(&users).unwrap_err().category == ErrorCategory::NotFound);
        assert_eq!(sel("jd*").one("id", &users).unwrap().0, "urn:1");
        let e = sel("*").one("id", &users).unwrap_err();
        assert!(e.message.contains("matches 2 users (jdoe, ada)"), "{}", e.message);
    }

    #[test]
    fn empty_selectors_and_pattern_usernames_are_refused() {
        assert_eq!(Selector::parse("users[3]", "  ", |_| false).unwrap_err().field.as_deref(), Some("users[3]"));
        for bad in ["*", "a?", "x[1]"] {
            assert!(check_new_username("users[0].username", bad).is_err(), "{bad}");
        }
        assert!(check_new_username("u", "first.last").is_ok());
    }
}
