//! The request body read in one pass (`input::json_pick`): each field the document
//! lists, as the checks need it (a text borrowed from the body when it has no escapes),
//! and the first field it does not list. Reading the body into a `serde_json::Map`
//! first cost more than all of the checks; what this accepts and refuses is exactly
//! what that did.

use std::borrow::Cow;

use crate::input::JsonField;
use crate::input::json_pick;

use super::wire::FIELDS;

/// The fields of a body object. A key given twice keeps its last value and the
/// unknown key named is the least one in byte order: both as a `serde_json::Map`
/// (a `BTreeMap`) had them.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    /// By position in `FIELDS`; `None` when absent.
    known: [Option<JsonField<'a>>; FIELDS.len()],
    pub unknown: Option<Cow<'a, str>>,
}

impl<'a> Fields<'a> {
    /// The body's fields: a blank body is an empty object; `None` when it is not JSON
    /// or not an object.
    pub fn read(body: &'a [u8]) -> Option<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Some(Self::default());
        }
        let picked = json_pick(body, &FIELDS).ok()?.ok()?;
        Some(Self {
            known: picked.fields,
            unknown: picked.unknown,
        })
    }

    /// The value of `FIELDS[index]`, `None` when absent.
    pub fn get(&self, index: usize) -> Option<&JsonField<'a>> {
        self.known.get(index).and_then(Option::as_ref)
    }
}
