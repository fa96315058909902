//! Positions of any value in a scenario file, so a problem found after parsing
//! (`ubki: subjects[1].inn ...`) points at the line and column of that value.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML document with the position of every node.
#[derive(Debug, Default)]
pub enum Node {
    /// Entries with where each key is written.
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    #[default]
    Leaf,
}

/// A map key of any scalar type, as text.
pub struct Key(pub String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key(String::new()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Key>>()? {
                    let key = Spanned::new(key.value.0, key.referenced, key.defined);
                    entries.push((key, map.next_value::<Spanned<Node>>()?));
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

/// A path as problems write it: `subjects[1].inn`, `discount_term_days.ALB`.
pub fn path_of(message: &str) -> Vec<Step> {
    let head: String = message
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "_.[]-".contains(*c))
        .collect();
    let mut steps = Vec::new();
    for part in head.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            steps.push(Step::Key(key.to_string()));
        }
        for index in pieces {
            match index.trim_end_matches(']').parse() {
                Ok(i) => steps.push(Step::Index(i)),
                Err(_) => return steps,
            }
        }
    }
    steps
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The deepest node along `steps` from `root`, with how many steps it took.
pub fn resolve<'a>(root: &'a Spanned<Node>, steps: &[Step]) -> (&'a Spanned<Node>, usize) {
    let mut at = root;
    for (taken, step) in steps.iter().enumerate() {
        let next = match (&at.value, step) {
            (Node::Map(entries), Step::Key(key)) => entries
                .iter()
                .find(|(k, _)| &k.value == key)
                .map(|(_, v)| v),
            (Node::Seq(items), Step::Index(i)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(node) => at = node,
            None => return (at, taken),
        }
    }
    (at, steps.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_path_resolves_to_its_line_and_column() {
        let yaml = "seed: 1\nubki:\n  subjects:\n    - inn: '1'\n    - inn: '12'\n";
        let root: Spanned<Node> = serde_saphyr::from_str(yaml).unwrap();
        let mut steps = vec![Step::Key("ubki".into())];
        steps.extend(path_of("subjects[1].inn `12` is not 10 digits"));

        let (node, taken) = resolve(&root, &steps);

        assert_eq!(taken, 4);
        assert_eq!((node.referenced.line(), node.referenced.column()), (5, 12));
    }
}
