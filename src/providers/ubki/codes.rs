//! UBKI's codes: the authorization API's `errcode`s (from its public documentation) and
//! the bonus service's `result_code`s (the document). The document lost three numbers;
//! ours are 1, 2 and 5 (the gaps of 0..=5 in the order the document lists them),
//! changeable per scenario.

use crate::codes::code_table;

pub const AUTH: &str = "auth";
pub const BONUS: &str = "bonusservice";

code_table! {
    /// UBKI's one error type: a variant per documented error code.
    pub enum UbkiError in SPECS;
    auth_ok = "0", 200, AUTH,
        "",
        "login `sandbox`, pass `sandbox`";
    brute_force = "1", 200, AUTH,
        "Користувача заблоковано: перевищено кількість спроб авторизації",
        "5 wrong passwords in a row for one login (`ubki.brute_force.attempts`); locked for 30 virtual minutes"
        => BruteForce;
    auth_missing = "11", 200, AUTH,
        "Відсутні атрибути авторизації",
        "a body without `doc.auth`, e.g. `{}`"
        => AuthMissing;
    auth_invalid = "12", 200, AUTH,
        "Некоректні атрибути авторизації",
        "`login` or `pass` not a string, or longer than 250 characters"
        => AuthInvalid(String);
    wrong_credentials = "13", 200, AUTH,
        "Невірний логін або пароль",
        "an unknown login or a wrong password"
        => WrongCredentials;
    session_invalid = "16", 200, AUTH,
        "Ключ сесії прострочений або недійсний",
        "`{\"doc\":{\"auth\":{\"sessid\":\"...\"}}}` with an unknown or expired key"
        => SessionInvalid;
    contract_terminated = "26", 200, AUTH,
        "Договір з організацією розірвано",
        "login `terminated`, pass `sandbox` (an account with `contract: terminated`)"
        => ContractTerminated;
    account_blocked = "27", 200, AUTH,
        "Обліковий запис користувача заблоковано",
        "login `blocked`, pass `sandbox` (an account with `blocked: true`)"
        => AccountBlocked;
    bad_json = "33", 200, AUTH,
        "Помилка розбору JSON запиту",
        "a body that is not JSON"
        => BadJson(String);
    empty_credentials = "36", 200, AUTH,
        "Логін або пароль не заповнено",
        "`login` or `pass` empty"
        => EmptyCredentials;
    ok = "0", 200, BONUS,
        "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.",
        "any other well-formed INN";
    invalid_session_key = "1", 200, BONUS,
        "Недійсний або прострочений ключ сесії. Служба підтримки УБКІ: 0445851196.",
        "an unknown `sessid`, one past 23:59:59 Kyiv time of its day, or INN `0000000001`"
        => InvalidSessionKey;
    status_control_active = "2", 200, BONUS,
        "Запит відхилено - активна послуга StatusControl. Служба підтримки УБКІ: 0445851196.",
        "INN `0000000002` (StatusControl in the scenario), or any INN after buying SKN/SKN_3 through `/bonusservice/free`"
        => StatusControlActive;
    subject_absent = "3", 200, BONUS,
        "Дані суб'єкта для формування звіту відсутні в базі бюро. Служба підтримки УБКІ: 0445851196.",
        "INN `0000000003`; with `strict_subjects: true`, any INN not in `people`"
        => SubjectAbsent;
    invalid_attributes = "4", 200, BONUS,
        "Відсутні або некоректні обов'язкові атрибути. Служба підтримки УБКІ: 0445851196.",
        "a missing or malformed field (INN not 10 digits, unknown reptype...), a body that is not JSON, or INN `0000000004`"
        => InvalidAttributes(Vec<String>);
    system_error = "5", 200, BONUS,
        "Системна помилка. Служба підтримки УБКІ: 0445851196.",
        "INN `0000000005`"
        => SystemError(String);

}
