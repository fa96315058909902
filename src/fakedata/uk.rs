//! A small Ukrainian locale: names, patronymics, places, phones, tax numbers.

use chrono::{Datelike, NaiveDate};
use fake::rand::RngExt;

use super::pick;
use crate::rng::{self, Rng};

pub const MALE_FIRST: &[&str] = &[
    "Олександр",
    "Андрій",
    "Дмитро",
    "Сергій",
    "Іван",
    "Максим",
    "Богдан",
    "Тарас",
    "Олег",
    "Василь",
    "Микола",
    "Юрій",
    "Петро",
    "Роман",
    "Віктор",
    "Ярослав",
    "Назар",
    "Остап",
];
pub const FEMALE_FIRST: &[&str] = &[
    "Олена",
    "Ірина",
    "Наталія",
    "Оксана",
    "Марія",
    "Тетяна",
    "Анна",
    "Юлія",
    "Катерина",
    "Світлана",
    "Галина",
    "Софія",
    "Дарина",
    "Леся",
    "Вікторія",
    "Ольга",
    "Христина",
];
/// Surnames that do not change with gender (-енко, -ук, -чук...), so no agreement is needed.
pub const SURNAMES: &[&str] = &[
    "Шевченко",
    "Бондаренко",
    "Коваленко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Бойко",
    "Мельник",
    "Лисенко",
    "Марченко",
    "Савченко",
    "Руденко",
    "Кузьменко",
    "Павленко",
    "Гончарук",
    "Романюк",
    "Мороз",
    "Литвиненко",
    "Карпенко",
    "Кравчук",
];
pub const FATHER_NAMES: &[&str] = &[
    "Олександр",
    "Андрі",
    "Дмитр",
    "Сергі",
    "Іван",
    "Петр",
    "Микол",
    "Василь",
    "Юрі",
    "Віктор",
    "Роман",
    "Олег",
    "Богдан",
    "Тарас",
];
pub const CITIES: &[&str] = &[
    "Київ",
    "Львів",
    "Харків",
    "Одеса",
    "Дніпро",
    "Запоріжжя",
    "Вінниця",
    "Полтава",
    "Чернігів",
    "Житомир",
    "Івано-Франківськ",
    "Тернопіль",
    "Луцьк",
    "Ужгород",
    "Черкаси",
    "Суми",
];
pub const STREETS: &[&str] = &[
    "вул. Хрещатик",
    "вул. Шевченка",
    "вул. Франка",
    "просп. Перемоги",
    "вул. Лесі Українки",
    "вул. Грушевського",
    "бул. Дружби Народів",
    "вул. Сагайдачного",
    "вул. Володимирська",
    "вул. Бандери",
    "просп. Свободи",
    "вул. Соборна",
    "вул. Незалежності",
];
pub const MOBILE_CODES: &[&str] = &[
    "50", "66", "95", "99", "67", "68", "96", "97", "98", "63", "73", "93",
];
pub const EMAIL_DOMAINS: &[&str] = &["gmail.com", "ukr.net", "i.ua", "meta.ua", "outlook.com"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

pub fn sex(rng: &mut Rng) -> Sex {
    if rng.random_bool(0.5) {
        Sex::Male
    } else {
        Sex::Female
    }
}

pub fn first_name(rng: &mut Rng, sex: Sex) -> String {
    match sex {
        Sex::Male => pick(rng, MALE_FIRST).into(),
        Sex::Female => pick(rng, FEMALE_FIRST).into(),
    }
}

pub fn last_name(rng: &mut Rng) -> String {
    pick(rng, SURNAMES).into()
}

/// Patronymic from a father's name stem: Петр → Петрович / Петрівна.
pub fn middle_name(rng: &mut Rng, sex: Sex) -> String {
    let stem = pick(rng, FATHER_NAMES);
    let soft = stem.ends_with('і');
    match (sex, soft) {
        (Sex::Male, true) => format!("{}йович", stem.trim_end_matches('і')),
        (Sex::Female, true) => format!("{}ївна", stem.trim_end_matches('і')),
        (Sex::Male, false) => format!("{stem}ович"),
        (Sex::Female, false) => format!("{stem}івна"),
    }
}

pub fn birth_date(rng: &mut Rng) -> NaiveDate {
    let year = rng.random_range(1960..=2004);
    let ordinal = rng.random_range(1..=365);
    NaiveDate::from_yo_opt(year, ordinal).unwrap_or(NaiveDate::MIN)
}

/// RNOKPP (individual tax number): days since 1899-12-31, four digits whose last is odd
/// for men and even for women, and the official check digit.
pub fn inn(rng: &mut Rng, birth: NaiveDate, sex: Sex) -> String {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 31).unwrap_or(NaiveDate::MIN);
    let days = (birth - epoch).num_days().clamp(0, 99_999);
    let mut serial: u32 = rng.random_range(0..1000) * 10;
    let parity = match sex {
        Sex::Male => 1,
        Sex::Female => 0,
    };
    serial += rng.random_range(0..5u32) * 2 + parity;
    let body = format!("{days:05}{serial:04}");
    format!("{body}{}", inn_check_digit(&body))
}

/// Check digit of a 9-digit RNOKPP body.
pub fn inn_check_digit(body: &str) -> u32 {
    const WEIGHTS: [i64; 9] = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
    let sum: i64 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| i64::from(d) * w)
        .sum();
    (sum.rem_euclid(11) % 10) as u32
}

/// A mobile number as UBKI and CarmaChain write it: `+380XXXXXXXXX`.
pub fn phone(rng: &mut Rng) -> String {
    format!("+380{}{}", pick(rng, MOBILE_CODES), rng::digits(rng, 7))
}

/// An old-style passport number (two Cyrillic letters, six digits) or a 9-digit ID card.
pub fn id_document(rng: &mut Rng) -> String {
    const SERIES: &[&str] = &["АВ", "ВК", "КМ", "МЕ", "НО", "СН", "ТТ", "ЕК", "КА", "ВС"];
    if rng.random_bool(0.5) {
        format!("{}{}", pick(rng, SERIES), rng::digits(rng, 6))
    } else {
        format!("{}{}", rng.random_range(1..10u8), rng::digits(rng, 8))
    }
}

pub fn address(rng: &mut Rng) -> String {
    let postcode = rng.random_range(1000..99999u32);
    format!(
        "{postcode:05}, м. {}, {}, буд. {}, кв. {}",
        pick(rng, CITIES),
        pick(rng, STREETS),
        rng.random_range(1..200u32),
        rng.random_range(1..300u32)
    )
}

const TRANSLIT: &[(char, &str)] = &[
    ('а', "a"),
    ('б', "b"),
    ('в', "v"),
    ('г', "h"),
    ('ґ', "g"),
    ('д', "d"),
    ('е', "e"),
    ('є', "ie"),
    ('ж', "zh"),
    ('з', "z"),
    ('и', "y"),
    ('і', "i"),
    ('ї', "i"),
    ('й', "i"),
    ('к', "k"),
    ('л', "l"),
    ('м', "m"),
    ('н', "n"),
    ('о', "o"),
    ('п', "p"),
    ('р', "r"),
    ('с', "s"),
    ('т', "t"),
    ('у', "u"),
    ('ф', "f"),
    ('х', "kh"),
    ('ц', "ts"),
    ('ч', "ch"),
    ('ш', "sh"),
    ('щ', "shch"),
    ('ь', ""),
    ('ю', "iu"),
    ('я', "ia"),
    ('\'', ""),
];

/// Latin transliteration (the 2010 national table, simplified) for logins and emails.
pub fn translit(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| {
            TRANSLIT
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, v)| (*v).to_string())
                .unwrap_or_else(|| {
                    if c.is_ascii_alphanumeric() {
                        c.to_string()
                    } else {
                        String::new()
                    }
                })
        })
        .collect()
}

pub fn email(rng: &mut Rng, first: &str, last: &str, birth: NaiveDate) -> String {
    format!(
        "{}.{}{}@{}",
        translit(first),
        translit(last),
        birth.year() % 100,
        pick(rng, EMAIL_DOMAINS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inn_has_a_valid_check_digit_and_encodes_birth_date() {
        let mut rng = rng::rng_for(1, &["t"]);
        let birth = NaiveDate::from_ymd_opt(1985, 3, 14).unwrap();
        let inn = inn(&mut rng, birth, Sex::Female);
        assert_eq!(inn.len(), 10);
        let check = inn_check_digit(&inn[..9]);
        assert_eq!(inn[9..].parse::<u32>().unwrap(), check);
        assert_eq!(&inn[..5], "31119");
        assert_eq!(inn[8..9].parse::<u32>().unwrap() % 2, 0);
    }

    #[test]
    fn transliteration_is_ascii() {
        assert_eq!(translit("Шевченко"), "shevchenko");
        assert!(translit("Ярослав").is_ascii());
    }
}
