//! Checks every provider makes of its input, written once: text fields of a JSON
//! object, headers, query pairs, and the shapes several providers share (`Inn`, `Iban`,
//! `Guid`). Each returns a neutral problem; the provider turns it into its own code.

mod fields;
mod pick;
mod shapes;

pub use fields::{Blank, FieldProblem, Text, header, header_text, json_object, url_pairs};
pub use pick::{JsonField, json_pick};
pub use shapes::{Guid, Iban, Inn};
