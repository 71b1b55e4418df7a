//! Secrets (API tokens, app secrets, access tokens, passwords) behind a type whose `Debug` and
//! `Display` never show them.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself: call only where it is sent to the service.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last four characters, the way PowerCLI shows `ApiTokenPreview`; short secrets show nothing.
    pub fn preview(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 16 {
            "****".into()
        } else {
            format!("****{}", chars[chars.len() - 4..].iter().collect::<String>())
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("tok-1234567890-abcdef");
        assert!(!format!("{s:?}").contains("1234"));
        assert!(!format!("{s}").contains("1234"));
        assert_eq!(s.preview(), "****cdef");
        assert_eq!(Secret::new("short").preview(), "****");
    }
}
