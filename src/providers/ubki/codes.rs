//! UBKI's codes: the authorization API's `errcode`s (FACTS.md) and the bonus service's
//! `result_code`s (the document). The document lost three numbers; ours are 1, 2 and 5
//! (the gaps of 0..=5 in the order the document lists them), changeable per scenario.

use crate::providers::CodeSpec;

pub const AUTH: &str = "auth";
pub const BONUS: &str = "bonusservice";

pub const SPECS: &[CodeSpec] = &[
    CodeSpec {
        key: "auth_ok",
        code: "0",
        status: 200,
        message: "",
        scope: AUTH,
        trigger: "login `sandbox`, pass `sandbox`",
    },
    CodeSpec {
        key: "brute_force",
        code: "1",
        status: 200,
        message: "Користувача заблоковано: перевищено кількість спроб авторизації",
        scope: AUTH,
        trigger: "5 wrong passwords in a row for one login (`ubki.brute_force.attempts`); locked for 30 virtual minutes",
    },
    CodeSpec {
        key: "auth_missing",
        code: "11",
        status: 200,
        message: "Відсутні атрибути авторизації",
        scope: AUTH,
        trigger: "a body without `doc.auth`, e.g. `{}`",
    },
    CodeSpec {
        key: "auth_invalid",
        code: "12",
        status: 200,
        message: "Некоректні атрибути авторизації",
        scope: AUTH,
        trigger: "`login` or `pass` not a string, or longer than 250 characters",
    },
    CodeSpec {
        key: "wrong_credentials",
        code: "13",
        status: 200,
        message: "Невірний логін або пароль",
        scope: AUTH,
        trigger: "an unknown login or a wrong password",
    },
    CodeSpec {
        key: "session_invalid",
        code: "16",
        status: 200,
        message: "Ключ сесії прострочений або недійсний",
        scope: AUTH,
        trigger: "`{\"doc\":{\"auth\":{\"sessid\":\"...\"}}}` with an unknown or expired key",
    },
    CodeSpec {
        key: "contract_terminated",
        code: "26",
        status: 200,
        message: "Договір з організацією розірвано",
        scope: AUTH,
        trigger: "login `terminated`, pass `sandbox` (an account with `contract: terminated`)",
    },
    CodeSpec {
        key: "account_blocked",
        code: "27",
        status: 200,
        message: "Обліковий запис користувача заблоковано",
        scope: AUTH,
        trigger: "login `blocked`, pass `sandbox` (an account with `blocked: true`)",
    },
    CodeSpec {
        key: "bad_json",
        code: "33",
        status: 200,
        message: "Помилка розбору JSON запиту",
        scope: AUTH,
        trigger: "a body that is not JSON",
    },
    CodeSpec {
        key: "empty_credentials",
        code: "36",
        status: 200,
        message: "Логін або пароль не заповнено",
        scope: AUTH,
        trigger: "`login` or `pass` empty",
    },
    CodeSpec {
        key: "ok",
        code: "0",
        status: 200,
        message: "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "any other well-formed INN",
    },
    CodeSpec {
        key: "invalid_session_key",
        code: "1",
        status: 200,
        message: "Недійсний або прострочений ключ сесії. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "an unknown `sessid`, one past 23:59:59 Kyiv time of its day, or INN `0000000001`",
    },
    CodeSpec {
        key: "status_control_active",
        code: "2",
        status: 200,
        message: "Запит відхилено - активна послуга StatusControl. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "INN `0000000002` (StatusControl in the scenario), or any INN after buying SKN/SKN_3 through `/bonusservice/free`",
    },
    CodeSpec {
        key: "subject_absent",
        code: "3",
        status: 200,
        message: "Дані суб'єкта для формування звіту відсутні в базі бюро. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "INN `0000000003`; with `strict_subjects: true`, any INN not in `people`",
    },
    CodeSpec {
        key: "invalid_attributes",
        code: "4",
        status: 200,
        message: "Відсутні або некоректні обов'язкові атрибути. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "a missing or malformed field (INN not 10 digits, unknown reptype...), a body that is not JSON, or INN `0000000004`",
    },
    CodeSpec {
        key: "system_error",
        code: "5",
        status: 200,
        message: "Системна помилка. Служба підтримки УБКІ: 0445851196.",
        scope: BONUS,
        trigger: "INN `0000000005`",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::CodeTable;

    #[test]
    fn table_has_no_colliding_codes() {
        assert!(CodeTable::override_problems(SPECS, &Default::default()).is_empty());
    }
}
