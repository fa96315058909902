//! A request's headers as the rules, the providers and the journal see them: lower-case
//! names, values as (lossy) text, all in one buffer. They were a `BTreeMap` of owned
//! strings, two allocations per header plus the tree's nodes, built and dropped on
//! every request (4,300 of a UBKI request's instructions, benches/profile.sh); this is
//! two allocations in all. Read like the map was: the last of repeated names wins, and
//! it is written out as a JSON object sorted by name.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    text: String,
    /// Where each name and each value ends in `text`, in arrival order.
    ends: Vec<(u32, u32)>,
}

impl Headers {
    /// At most `max` of the pairs `pairs()` gives (read twice: sizes, then text); names
    /// are taken as given (actix's are lower-case).
    pub fn capture<'a, I>(pairs: impl Fn() -> I, max: usize) -> Self
    where
        I: Iterator<Item = (&'a str, &'a [u8])>,
    {
        let (count, bytes) = pairs()
            .take(max)
            .fold((0, 0), |(n, b), (k, v)| (n + 1, b + k.len() + v.len()));
        let mut headers = Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        };
        for (name, value) in pairs().take(max) {
            headers.push(name, value);
        }
        headers
    }

    pub fn push(&mut self, name: &str, value: &[u8]) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(&String::from_utf8_lossy(value));
        // A request's head is far below 4 GiB (actix caps it), so the ends fit.
        let end = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.ends.push((end(name_end), end(self.text.len())));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, end)| {
            let (name_end, end) = (name_end as usize, end as usize);
            let name = self.text.get(start..name_end).unwrap_or_default();
            let value = self.text.get(name_end..end).unwrap_or_default();
            start = end;
            (name, value)
        })
    }

    /// The value of `name` (lower-case), the last one if repeated.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .filter(|(k, _)| *k == name)
            .last()
            .map(|(_, v)| v)
    }

    /// Heap bytes held, for the journal's budget.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<(u32, u32)>()
    }

    fn as_map(&self) -> BTreeMap<&str, &str> {
        self.iter().collect()
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for Headers {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Self {
        let mut headers = Self::default();
        for (name, value) in pairs {
            headers.push(name, value.as_bytes());
        }
        headers
    }
}

impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(d)?;
        Ok(map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Headers {
        let pairs: [(&str, &[u8]); 4] = [
            ("x-sandbox-tenant", b"ci-1"),
            ("content-type", b"application/json"),
            ("x-forwarded-for", b"10.0.0.1"),
            ("x-forwarded-for", b"10.0.0.2"),
        ];
        Headers::capture(|| pairs.into_iter(), 64)
    }

    #[test]
    fn a_name_reads_its_last_value_like_the_map_did() {
        let headers = sample();
        assert_eq!(headers.get("content-type"), Some("application/json"));
        assert_eq!(headers.get("x-forwarded-for"), Some("10.0.0.2"));
        assert_eq!(headers.get("accept"), None);
    }

    #[test]
    fn capture_keeps_at_most_max_headers_in_arrival_order() {
        let pairs: Vec<(String, Vec<u8>)> = (0..100)
            .map(|i| (format!("h{i}"), format!("v{i}").into_bytes()))
            .collect();
        let headers =
            Headers::capture(|| pairs.iter().map(|(k, v)| (k.as_str(), v.as_slice())), 64);
        let kept: Vec<_> = headers.iter().collect();
        assert_eq!(kept.len(), 64);
        assert_eq!(kept[0], ("h0", "v0"));
        assert_eq!(kept[63], ("h63", "v63"));
    }

    #[test]
    fn invalid_utf8_is_kept_as_replacement_text() {
        let pairs: [(&str, &[u8]); 1] = [("x-odd", b"a\xffb")];
        let headers = Headers::capture(|| pairs.into_iter(), 64);
        assert_eq!(headers.get("x-odd"), Some("a\u{fffd}b"));
    }

    #[test]
    fn json_is_an_object_sorted_by_name_and_reads_back_the_same() {
        let json = serde_json::to_value(sample()).expect("serialises");
        assert_eq!(
            json.to_string(),
            r#"{"content-type":"application/json","x-forwarded-for":"10.0.0.2","x-sandbox-tenant":"ci-1"}"#
        );
        let back: Headers = serde_json::from_value(json.clone()).expect("deserialises");
        assert_eq!(serde_json::to_value(back).expect("serialises"), json);
    }
}
