//! Splitting identifiers (property names, node types) into their words.

/// Splits an identifier into its words: at every character that is neither a letter nor
/// a digit, at lowercase-to-uppercase steps (`"EmperorPenguin"`), at the end of an acronym
/// (`"HTTPServer"` gives `"HTTP"`, `"Server"`) and between letters and digits.
///
/// The tokens are slices of `identifier`; compare them case-insensitively (the learner
/// hashes them lowercased, the reason writer reads `can_fly` as "can fly").
///
/// ```
/// use llmkg_exception::identifier_tokens;
/// let tokens: Vec<&str> = identifier_tokens("Emperor_Penguin").collect();
/// assert_eq!(tokens, ["Emperor", "Penguin"]);
/// let tokens: Vec<&str> = identifier_tokens("kingPenguin2HTTPServer").collect();
/// assert_eq!(tokens, ["king", "Penguin", "2", "HTTP", "Server"]);
/// ```
#[inline]
#[must_use]
pub fn identifier_tokens(identifier: &str) -> IdentifierTokens<'_> {
    IdentifierTokens { rest: identifier }
}

/// The iterator of [`identifier_tokens`].
#[derive(Clone, Debug)]
pub struct IdentifierTokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for IdentifierTokens<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest.trim_start_matches(|c: char| !c.is_alphanumeric());
        let mut chars = text.char_indices().peekable();
        let Some((_, first)) = chars.next() else {
            self.rest = text;
            return None;
        };
        let mut previous = first;
        let mut end = text.len();
        while let Some((index, current)) = chars.next() {
            let next_is_lowercase = chars.peek().is_some_and(|&(_, next)| next.is_lowercase());
            let boundary = !current.is_alphanumeric()
                || (current.is_uppercase() && (previous.is_lowercase() || previous.is_numeric()))
                || (current.is_uppercase() && previous.is_uppercase() && next_is_lowercase)
                || (current.is_numeric() != previous.is_numeric());
            if boundary {
                end = index;
                break;
            }
            previous = current;
        }
        self.rest = &text[end..];
        Some(&text[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(identifier: &str) -> Vec<&str> {
        identifier_tokens(identifier).collect()
    }

    #[test]
    fn splits_snake_camel_acronyms_and_digits() {
        assert_eq!(tokens("can_fly"), ["can", "fly"]);
        assert_eq!(tokens("EmperorPenguin"), ["Emperor", "Penguin"]);
        assert_eq!(tokens("__Type_5__"), ["Type", "5"]);
        assert_eq!(tokens("XMLHttpRequest"), ["XML", "Http", "Request"]);
        assert_eq!(tokens("prop12abc"), ["prop", "12", "abc"]);
        assert_eq!(tokens(""), Vec::<&str>::new());
        assert_eq!(tokens("_-_ "), Vec::<&str>::new());
        assert_eq!(tokens("Éléphant_d'Afrique"), ["Éléphant", "d", "Afrique"]);
    }
}
