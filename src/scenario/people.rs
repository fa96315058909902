//! People shared by every provider, so one person is the same at UBKI, CarmaChain,
//! SberSafe and TrustDecision. Fields left out are generated from the seed and the
//! person's key, so adding a person never changes another.

use foldhash::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::fakedata::uk;
use crate::rng;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Person {
    /// Stable name other sections refer to (`person: alice`).
    pub id: Option<String>,
    /// Ukrainian individual tax number (RNOKPP), 10 digits.
    pub inn: Option<String>,
    /// Passport or ID card number.
    pub id_document: Option<String>,
    /// `+380XXXXXXXXX`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<String>,
    pub address: Option<String>,
}

/// A person with every field filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub id: String,
    pub inn: String,
    pub id_document: String,
    pub phone: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub middle_name: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub address: String,
}

impl PersonRecord {
    /// Fills what `spec` leaves out from a generator keyed by `key`.
    pub fn generate(seed: u64, key: &str, spec: &Person) -> Self {
        let mut rng = rng::rng_for(seed, &["person", key]);
        let sex = match spec.sex.as_deref() {
            Some("female" | "F" | "f") => uk::Sex::Female,
            Some(_) => uk::Sex::Male,
            None => uk::sex(&mut rng),
        };
        let first_name = spec
            .first_name
            .clone()
            .unwrap_or_else(|| uk::first_name(&mut rng, sex));
        let last_name = spec
            .last_name
            .clone()
            .unwrap_or_else(|| uk::last_name(&mut rng));
        let middle_name = spec
            .middle_name
            .clone()
            .unwrap_or_else(|| uk::middle_name(&mut rng, sex));
        let birth_date = spec.birth_date.unwrap_or_else(|| uk::birth_date(&mut rng));
        let inn = spec
            .inn
            .clone()
            .unwrap_or_else(|| uk::inn(&mut rng, birth_date, sex));
        let id_document = spec
            .id_document
            .clone()
            .unwrap_or_else(|| uk::id_document(&mut rng));
        let phone = spec.phone.clone().unwrap_or_else(|| uk::phone(&mut rng));
        let email = spec
            .email
            .clone()
            .unwrap_or_else(|| uk::email(&mut rng, &first_name, &last_name, birth_date));
        let address = spec
            .address
            .clone()
            .unwrap_or_else(|| uk::address(&mut rng));
        Self {
            id: spec.id.clone().unwrap_or_else(|| key.to_string()),
            inn,
            id_document,
            phone,
            email,
            first_name,
            last_name,
            middle_name,
            birth_date,
            sex: match sex {
                uk::Sex::Male => "male".into(),
                uk::Sex::Female => "female".into(),
            },
            address,
        }
    }

    /// Someone the scenario does not list, made up from one identifying value (an INN,
    /// a document number...), the same in every run and every tenant.
    pub fn stranger(seed: u64, kind: &str, value: &str) -> Self {
        let key = format!("{kind}:{value}");
        let mut spec = Person::default();
        match kind {
            "inn" => spec.inn = Some(value.to_string()),
            "id_document" => spec.id_document = Some(value.to_string()),
            "phone" => spec.phone = Some(value.to_string()),
            "email" => spec.email = Some(value.to_string()),
            _ => {}
        }
        Self::generate(seed, &key, &spec)
    }
}

/// The scenario's people, resolved and indexed by every identifier.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub all: Vec<PersonRecord>,
    by_id: HashMap<String, usize>,
    by_inn: HashMap<String, usize>,
    by_document: HashMap<String, usize>,
    by_phone: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
}

impl People {
    pub fn resolve(seed: u64, specs: &[Person]) -> Self {
        let mut people = People::default();
        for (index, spec) in specs.iter().enumerate() {
            let key = spec.id.clone().unwrap_or_else(|| format!("#{index}"));
            let record = PersonRecord::generate(seed, &key, spec);
            let at = people.all.len();
            people.by_id.insert(record.id.clone(), at);
            people.by_inn.insert(record.inn.clone(), at);
            people
                .by_document
                .insert(record.id_document.to_uppercase(), at);
            people.by_phone.insert(normalize_phone(&record.phone), at);
            people.by_email.insert(record.email.to_lowercase(), at);
            people.all.push(record);
        }
        people
    }

    pub fn by_id(&self, id: &str) -> Option<&PersonRecord> {
        self.by_id.get(id).map(|&i| &self.all[i])
    }
    pub fn by_inn(&self, inn: &str) -> Option<&PersonRecord> {
        self.by_inn.get(inn).map(|&i| &self.all[i])
    }
    pub fn by_document(&self, doc: &str) -> Option<&PersonRecord> {
        self.by_document
            .get(&doc.to_uppercase())
            .map(|&i| &self.all[i])
    }
    /// Any of `+380XXXXXXXXX`, `380XXXXXXXXX`, `0XXXXXXXXX`.
    pub fn by_phone(&self, phone: &str) -> Option<&PersonRecord> {
        self.by_phone
            .get(&normalize_phone(phone))
            .map(|&i| &self.all[i])
    }
    pub fn by_email(&self, email: &str) -> Option<&PersonRecord> {
        self.by_email
            .get(&email.to_lowercase())
            .map(|&i| &self.all[i])
    }
}

/// Ukrainian mobile numbers to `+380XXXXXXXXX`; anything else is returned trimmed.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    match digits.len() {
        12 if digits.starts_with("380") => format!("+{digits}"),
        10 if digits.starts_with('0') => format!("+38{digits}"),
        _ => phone.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_fields_are_kept_and_missing_ones_generated_deterministically() {
        let spec = Person {
            id: Some("alice".into()),
            inn: Some("3241500301".into()),
            ..Person::default()
        };
        let a = People::resolve(42, std::slice::from_ref(&spec));
        let b = People::resolve(42, &[spec]);
        let alice = a.by_id("alice").unwrap();
        assert_eq!(alice.inn, "3241500301");
        assert_eq!(a.all, b.all);
        assert!(alice.phone.starts_with("+380"));
        assert_eq!(a.by_phone(&alice.phone[1..]).unwrap().id, "alice");
    }

    #[test]
    fn phone_formats_normalize_to_plus_380() {
        assert_eq!(normalize_phone("0501234567"), "+380501234567");
        assert_eq!(normalize_phone("380501234567"), "+380501234567");
        assert_eq!(normalize_phone("+380501234567"), "+380501234567");
    }
}
