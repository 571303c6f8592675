//! The pages' words, per language (English first; `texts/*.toml`, one file a language,
//! the same keys as `en.toml`). The language is the first of the browser's
//! `Accept-Language` (RFC 9110 §12.5.4) that Signet has; a key a translation lacks
//! falls back to English. To add a language, add its file here and to [`LANGUAGES`].

use axum::http::{header, HeaderMap};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The languages shipped, by primary tag.
const LANGUAGES: &[(&str, &str)] =
    &[("en", include_str!("../../texts/en.toml")), ("fr", include_str!("../../texts/fr.toml"))];

/// One language's texts.
#[derive(Debug)]
pub(crate) struct Texts {
    words: HashMap<String, String>,
    english: Option<&'static Texts>,
}

impl Texts {
    /// The text of `key` (the key itself if no language has it: a visible bug, never a
    /// panic).
    pub fn get(&self, key: &str) -> String {
        self.words
            .get(key)
            .or_else(|| self.english.and_then(|e| e.words.get(key)))
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text of `key` with its `{name}` placeholders filled (the page escapes the
    /// result as a whole). One pass over the text: a value that itself reads like a
    /// placeholder (a user named `{brand}`) stays as it is.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let text = self.get(key);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                values.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, close))
            });
            match value {
                Some((v, close)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The language tag, for `<html lang>`.
    pub fn lang(&self) -> String {
        self.get("lang")
    }
}

fn parse(source: &str) -> HashMap<String, String> {
    let table: toml::Table = source.parse().unwrap_or_default();
    table.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned()))).collect()
}

fn all() -> &'static HashMap<&'static str, Texts> {
    static ALL: OnceLock<HashMap<&'static str, Texts>> = OnceLock::new();
    static ENGLISH: OnceLock<Texts> = OnceLock::new();
    ALL.get_or_init(|| {
        let english = ENGLISH.get_or_init(|| Texts { words: parse(LANGUAGES[0].1), english: None });
        LANGUAGES
            .iter()
            .map(|(tag, source)| (*tag, Texts { words: parse(source), english: Some(english) }))
            .collect()
    })
}

/// The texts for a request: the first language of `Accept-Language` (by quality) that
/// is shipped, English otherwise.
pub(crate) fn for_request(headers: &HeaderMap) -> &'static Texts {
    for_page(headers, &[])
}

/// The texts for a page of an authorization request: the first of the client's
/// `ui_locales` (OpenID Connect Core §3.1.2.1) that is shipped, then as
/// [`for_request`].
pub(crate) fn for_page(headers: &HeaderMap, ui_locales: &[String]) -> &'static Texts {
    let all = all();
    let asked = ui_locales.iter().filter_map(|t| primary(t));
    let browser = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(preferences)
        .unwrap_or_default();
    asked
        .chain(browser)
        .find_map(|tag| all.get(tag.as_str()))
        .or_else(|| all.get("en"))
        .unwrap_or_else(|| english_fallback())
}

/// The languages shipped (for `ui_locales_supported` in the metadata).
pub(crate) fn shipped() -> Vec<&'static str> {
    LANGUAGES.iter().map(|(tag, _)| *tag).collect()
}

/// The primary language subtag of a language tag, in lower case.
fn primary(tag: &str) -> Option<String> {
    let p = tag.trim().split('-').next()?.to_ascii_lowercase();
    (!p.is_empty()).then_some(p)
}

fn english_fallback() -> &'static Texts {
    static EMPTY: OnceLock<Texts> = OnceLock::new();
    EMPTY.get_or_init(|| Texts { words: HashMap::new(), english: None })
}

/// Primary language tags of an `Accept-Language` value, best first (q=0 dropped).
fn preferences(value: &str) -> Vec<String> {
    let mut tags: Vec<(f32, usize, String)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.trim().split(';');
            let tag = primary(pieces.next()?)?;
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn every_translation_has_every_english_key() {
        let english = parse(LANGUAGES[0].1);
        for (tag, source) in LANGUAGES {
            let words = parse(source);
            for key in english.keys() {
                assert!(words.contains_key(key), "{tag} lacks {key}");
            }
            assert_eq!(words.get("lang").map(String::as_str), Some(*tag));
        }
    }

    #[test]
    fn the_browser_chooses_among_the_shipped_languages() {
        let mut h = HeaderMap::new();
        assert_eq!(for_request(&h).lang(), "en");
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de-DE, fr-CH;q=0.8, en;q=0.5"));
        assert_eq!(for_request(&h).lang(), "fr");
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr;q=0, en"));
        assert_eq!(for_request(&h).lang(), "en");
        // The client's ui_locales come first, then the browser's languages.
        let asked = |tags: &[&str]| tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        assert_eq!(for_page(&h, &asked(&["fr-CA", "en"])).lang(), "fr");
        assert_eq!(for_page(&h, &asked(&["de"])).lang(), "en");
        let t = for_request(&h);
        assert_eq!(
            t.fill("login_asks", &[("client", "<App>"), ("brand", "B")]),
            "<App> asks you to log in to B."
        );
        assert_eq!(t.get("no-such-key"), "no-such-key");
        // A value that reads like a placeholder is not filled in again.
        assert_eq!(
            t.fill("login_asks", &[("client", "{brand}"), ("brand", "B")]),
            "{brand} asks you to log in to B."
        );
    }
}
