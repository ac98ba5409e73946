//! Media types as OpenWhisk's controller classifies them: which request bodies it hands a raw
//! web action base64-encoded, and which response bodies it takes as text rather than decoding
//! them from base64. The adapter predicts the controller with these rules, and Faasade's
//! controller-like front (`faasade-openwhisk-host`) applies the same ones, so the two cannot
//! disagree.

use http::HeaderValue;

/// A `Content-Type`, as the controller classifies it.
#[derive(Debug)]
pub struct Media {
    /// `type/subtype`, lower case; empty when there is none.
    pub essence: String,
    /// The header as it was.
    pub original: String,
    /// Whether it names a charset.
    pub has_charset: bool,
}

/// Text types in akka-http's registry (every other `text/*` needs a charset to be text).
const TEXT_SUBTYPES: &[&str] = &[
    "plain",
    "html",
    "css",
    "csv",
    "javascript",
    "markdown",
    "xml",
    "calendar",
    "tab-separated-values",
    "uri-list",
    "richtext",
    "event-stream",
    "vcard",
    "x-vcard",
    "x-vcalendar",
    "cache-manifest",
    "x-c",
    "x-h",
    "x-java-source",
    "x-sgml",
];

/// Text types under `application/` in akka-http's registry.
const TEXT_APPLICATION: &[&str] = &[
    "application/javascript",
    "application/xml",
    "application/xhtml+xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/soap+xml",
    "application/xml-dtd",
    "application/x-www-form-urlencoded",
];

impl Media {
    /// The media type of a `Content-Type` header (none: the empty type), read as the JSON of an
    /// activation carries it: bytes that are not UTF-8 become U+FFFD. The front and the action
    /// then decide text or base64 from the same string.
    pub fn of(header: Option<&HeaderValue>) -> Self {
        Self::parse(&header.map_or(std::borrow::Cow::Borrowed(""), |v| {
            String::from_utf8_lossy(v.as_bytes())
        }))
    }

    /// The media type `content_type` names.
    pub fn parse(content_type: &str) -> Self {
        let original = content_type.trim().to_owned();
        let mut parts = original.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let has_charset = parts.any(|p| {
            p.split_once('=')
                .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        });
        Self {
            essence,
            original,
            has_charset,
        }
    }

    /// `application/json` or a `+json` type.
    pub fn is_json(&self) -> bool {
        self.essence == "application/json" || self.essence.ends_with("+json")
    }

    /// Text in the controller's registry, charset or not.
    fn registered_text(&self) -> bool {
        match self.essence.split_once('/') {
            Some(("text", sub)) => TEXT_SUBTYPES.contains(&sub),
            _ => TEXT_APPLICATION.contains(&self.essence.as_str()),
        }
    }

    /// Whether the controller base64-encoded a raw web action's body of this type: binary
    /// types, a request without a type (`application/octet-stream`), and `application/json`.
    pub fn request_is_base64(&self) -> bool {
        if self.essence == "application/json" || self.essence.is_empty() {
            return true;
        }
        let binary_family = matches!(
            self.essence.split_once('/').map(|(main, _)| main),
            Some("image" | "audio" | "video" | "font")
        );
        !(self.registered_text() || (self.has_charset && !binary_family))
    }

    /// Whether a response body of this type goes as text (anything textual that is not JSON,
    /// which the controller decodes from base64).
    pub fn response_is_text(&self) -> bool {
        !self.is_json()
            && (self.essence.starts_with("text/")
                || self.registered_text()
                || (self.essence.starts_with("application/") && self.essence.ends_with("+xml")))
    }
}
