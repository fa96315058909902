//! What a peer shares about a person, per category. Person fields (names, documents,
//! phone, address) come from the shared `people` record so the person looks the same at
//! every provider; the rest is drawn per (peer, person, category) from the seed, so it
//! never depends on the order of requests. Scenario `peers[].data` wins field by field.

use std::collections::BTreeMap;

use fake::rand::RngExt;

use super::scenario::Peer;
use super::wire::{CATEGORIES, Detail};
use crate::fakedata::{pick, uk};
use crate::rng;
use crate::scenario::PersonRecord;

const SEGMENTS: &[&str] = &["mass", "mass affluent", "affluent", "student", "pensioner"];
const CHANNELS: &[&str] = &["mobile app", "web", "branch", "call centre", "messenger"];
const SERVICES: &[&str] = &[
    "мобільний зв'язок",
    "домашній інтернет",
    "кредитна картка",
    "депозит",
    "страхування авто",
    "розстрочка",
    "доставка",
    "таксі",
    "онлайн-кінотеатр",
];
const SUBSCRIPTIONS: &[&str] = &[
    "Київстар Тариф Смарт",
    "lifecell Вільний",
    "Megogo Легка",
    "Sweet.TV",
    "Spotify Premium",
    "YouTube Premium",
    "Нова пошта Плюс",
    "Rozetka Premium",
];
const EMPLOYERS: &[&str] = &[
    "ТОВ \"Агро-Інвест\"",
    "ПрАТ \"Київстар\"",
    "АТ \"Укрзалізниця\"",
    "ТОВ \"Епіцентр К\"",
    "ФОП",
    "КНП \"Міська лікарня №3\"",
    "ТОВ \"Нова Пошта\"",
    "АТ \"Ощадбанк\"",
];
const POSITIONS: &[&str] = &[
    "менеджер",
    "бухгалтер",
    "водій",
    "інженер",
    "продавець",
    "лікар",
    "програміст",
];
const EDUCATION: &[&str] = &["вища", "неповна вища", "професійно-технічна", "середня"];
const MARITAL: &[&str] = &[
    "одружений/заміжня",
    "неодружений/незаміжня",
    "розлучений/розлучена",
];

fn some<'a>(rng: &mut rng::Rng, items: &'a [&'a str], max: usize) -> String {
    let n = rng.random_range(1..=max);
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..n {
        let item = pick(rng, items);
        if !chosen.contains(&item) {
            chosen.push(item);
        }
    }
    chosen.join(", ")
}

/// Generated fields of `category` for `person` at `peer`, in a stable order.
fn generated(
    seed: u64,
    peer: &str,
    key: &str,
    p: &PersonRecord,
    category: &str,
) -> Vec<(String, String)> {
    let mut g = rng::rng_for(seed, &["carmachain", "data", peer, key, category]);
    let pairs: Vec<(&str, String)> = match category {
        "Name" => vec![
            ("lastName", p.last_name.clone()),
            ("firstName", p.first_name.clone()),
            ("middleName", p.middle_name.clone()),
        ],
        "Identity" => vec![
            ("idDocument", p.id_document.clone()),
            ("inn", p.inn.clone()),
            ("birthDate", p.birth_date.format("%Y-%m-%d").to_string()),
        ],
        "Address" => {
            let actual = if g.random_bool(0.5) {
                p.address.clone()
            } else {
                uk::address(&mut g)
            };
            vec![
                ("registrationAddress", p.address.clone()),
                ("actualAddress", actual),
            ]
        }
        "Contacts" => vec![
            ("phoneNumber", p.phone.clone()),
            ("email", p.email.clone()),
            ("additionalPhone", uk::phone(&mut g)),
        ],
        "Credit History" => credit_history(&mut g),
        "Consumer Profile" => consumer_profile(&mut g),
        "Services" => vec![("services", some(&mut g, SERVICES, 3))],
        "Socio-Demographic Profile" => socio_demographic(&mut g, p),
        "Subscription" => vec![("subscriptions", some(&mut g, SUBSCRIPTIONS, 2))],
        _ => Vec::new(),
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn credit_history(g: &mut rng::Rng) -> Vec<(&'static str, String)> {
    vec![
        ("activeLoans", g.random_range(0..5u32).to_string()),
        ("closedLoans", g.random_range(0..13u32).to_string()),
        (
            "maxOverdueDays",
            pick(g, &["0", "0", "0", "7", "30", "90"]).to_string(),
        ),
        (
            "totalDebtUAH",
            (g.random_range(0..2000u32) * 100).to_string(),
        ),
    ]
}

fn consumer_profile(g: &mut rng::Rng) -> Vec<(&'static str, String)> {
    vec![
        ("segment", pick(g, SEGMENTS).to_string()),
        (
            "averageMonthlySpendUAH",
            (g.random_range(20..600u32) * 100).to_string(),
        ),
        ("preferredChannel", pick(g, CHANNELS).to_string()),
    ]
}

fn socio_demographic(g: &mut rng::Rng, p: &PersonRecord) -> Vec<(&'static str, String)> {
    vec![
        ("sex", p.sex.clone()),
        ("maritalStatus", pick(g, MARITAL).to_string()),
        ("education", pick(g, EDUCATION).to_string()),
        ("employer", pick(g, EMPLOYERS).to_string()),
        ("position", pick(g, POSITIONS).to_string()),
    ]
}

/// Rows `peer` shares on `person` (keyed `key`) for `categories`, with scenario values
/// (`fixed`: category → field → value) replacing or adding fields.
pub fn rows(
    seed: u64,
    peer: &Peer,
    key: &str,
    person: &PersonRecord,
    categories: &[&'static str],
    fixed: Option<&BTreeMap<String, BTreeMap<String, String>>>,
) -> Vec<Detail> {
    let mut out = Vec::new();
    for category in CATEGORIES {
        if !categories.contains(category)
            || (!peer.categories.is_empty() && !peer.categories.iter().any(|c| c == category))
        {
            continue;
        }
        let mut fields = generated(seed, &peer.id, key, person, category);
        if let Some(extra) = fixed.and_then(|f| f.get(*category)) {
            for (name, value) in extra {
                match fields.iter_mut().find(|(n, _)| n == name) {
                    Some(field) => field.1 = value.clone(),
                    None => fields.push((name.clone(), value.clone())),
                }
            }
        }
        out.extend(fields.into_iter().map(|(field_name, field_value)| Detail {
            id_ppeers: peer.id.clone(),
            group_data: (*category).to_string(),
            field_name,
            field_value,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Person;

    #[test]
    fn same_peer_and_person_give_the_same_rows_and_fixed_values_win() {
        let person = PersonRecord::generate(1, "p", &Person::default());
        let peer = Peer {
            id: "peer-1".into(),
            ..Peer::default()
        };
        let a = rows(1, &peer, "p", &person, CATEGORIES, None);
        assert_eq!(a, rows(1, &peer, "p", &person, CATEGORIES, None));
        let groups: std::collections::BTreeSet<_> =
            a.iter().map(|d| d.group_data.as_str()).collect();
        assert_eq!(groups.len(), CATEGORIES.len());
        let mut fixed = BTreeMap::new();
        fixed.insert(
            "Name".to_string(),
            BTreeMap::from([("firstName".to_string(), "X".to_string())]),
        );
        let b = rows(1, &peer, "p", &person, &["Name"], Some(&fixed));
        assert!(b.iter().all(|d| d.group_data == "Name"));
        assert!(
            b.iter()
                .any(|d| d.field_name == "firstName" && d.field_value == "X")
        );
    }
}
