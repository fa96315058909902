//! UBKI's codes: the authorization API's `errcode`s (from its public documentation) and
//! the bonus service's `result_code`s (the document), plus the sandbox's answer for a
//! path that is no endpoint. The document lost three numbers;
//! ours are 1, 2 and 5 (the gaps of 0..=5 in the order the document lists them),
//! changeable per scenario.

use crate::codes::code_table;

pub const AUTH: &str = "auth";
pub const BONUS: &str = "bonusservice";

code_table! {
    /// UBKI's one error type: a variant per documented error code.
    pub enum UbkiError in SPECS;
    auth_ok {
        code: "0",
        status: 200,
        scope: AUTH,
        message: "",
        trigger: "login `sandbox`, pass `sandbox`",
    }
    brute_force {
        code: "1",
        status: 200,
        scope: AUTH,
        message: "Користувача заблоковано: перевищено кількість спроб авторизації",
        trigger: "5 wrong passwords in a row for one login (`ubki.brute_force.attempts`); locked for 30 virtual minutes",
        answered_by: BruteForce,
    }
    auth_missing {
        code: "11",
        status: 200,
        scope: AUTH,
        message: "Відсутні атрибути авторизації",
        trigger: "a body without `doc.auth`, e.g. `{}`",
        answered_by: AuthMissing,
    }
    auth_invalid {
        code: "12",
        status: 200,
        scope: AUTH,
        message: "Некоректні атрибути авторизації",
        trigger: "`login` or `pass` not a string, or longer than 250 characters",
        answered_by: AuthInvalid(String),
    }
    wrong_credentials {
        code: "13",
        status: 200,
        scope: AUTH,
        message: "Невірний логін або пароль",
        trigger: "an unknown login or a wrong password",
        answered_by: WrongCredentials,
    }
    session_invalid {
        code: "16",
        status: 200,
        scope: AUTH,
        message: "Ключ сесії прострочений або недійсний",
        trigger: "`{\"doc\":{\"auth\":{\"sessid\":\"...\"}}}` with an unknown or expired key",
        answered_by: SessionInvalid,
    }
    contract_terminated {
        code: "26",
        status: 200,
        scope: AUTH,
        message: "Договір з організацією розірвано",
        trigger: "login `terminated`, pass `sandbox` (an account with `contract: terminated`)",
        answered_by: ContractTerminated,
    }
    account_blocked {
        code: "27",
        status: 200,
        scope: AUTH,
        message: "Обліковий запис користувача заблоковано",
        trigger: "login `blocked`, pass `sandbox` (an account with `blocked: true`)",
        answered_by: AccountBlocked,
    }
    bad_json {
        code: "33",
        status: 200,
        scope: AUTH,
        message: "Помилка розбору JSON запиту",
        trigger: "a body that is neither JSON nor XML (raw or base64-encoded), or XML that is not well-formed",
        answered_by: BadJson(String),
    }
    empty_credentials {
        code: "36",
        status: 200,
        scope: AUTH,
        message: "Логін або пароль не заповнено",
        trigger: "`login` or `pass` empty",
        answered_by: EmptyCredentials,
    }
    ip_not_allowed {
        code: "278",
        status: 200,
        scope: AUTH,
        message: "Доступ з цієї IP-адреси заборонено",
        trigger: "login `whitelisted`, pass `sandbox`: an account whose `allowed_ips` lacks the caller's address (the socket's, or the first `X-Forwarded-For` one with `ubki.behind_proxy: true`)",
        answered_by: IpNotAllowed(String),
    }
    not_found {
        code: "404",
        status: 404,
        scope: AUTH,
        message: "Ресурс не знайдено",
        trigger: "a path under `/ubki/` outside `/bonusservice/` that is no UBKI endpoint, e.g. `/ubki/b2_api_xml/ubki/xml`",
    }
    ok {
        code: "0",
        status: 200,
        scope: BONUS,
        message: "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.",
        trigger: "any other well-formed INN",
    }
    invalid_session_key {
        code: "1",
        status: 200,
        scope: BONUS,
        message: "Недійсний або прострочений ключ сесії. Служба підтримки УБКІ: 0445851196.",
        trigger: "an unknown `sessid`, one past 23:59:59 Kyiv time of its day, or INN `0000000001`",
        answered_by: InvalidSessionKey,
    }
    status_control_active {
        code: "2",
        status: 200,
        scope: BONUS,
        message: "Запит відхилено - активна послуга StatusControl. Служба підтримки УБКІ: 0445851196.",
        trigger: "INN `0000000002` (StatusControl in the scenario), or any INN after buying SKN/SKN_3 through `/bonusservice/free`",
        answered_by: StatusControlActive,
    }
    subject_absent {
        code: "3",
        status: 200,
        scope: BONUS,
        message: "Дані суб'єкта для формування звіту відсутні в базі бюро. Служба підтримки УБКІ: 0445851196.",
        trigger: "INN `0000000003`; with `strict_subjects: true`, any INN not in `people`",
        answered_by: SubjectAbsent,
    }
    invalid_attributes {
        code: "4",
        status: 200,
        scope: BONUS,
        message: "Відсутні або некоректні обов'язкові атрибути. Служба підтримки УБКІ: 0445851196.",
        trigger: "a missing or malformed field (INN not 10 digits, unknown reptype...), a body that is not JSON, or INN `0000000004`",
        answered_by: InvalidAttributes(Vec<String>),
    }
    system_error {
        code: "5",
        status: 200,
        scope: BONUS,
        message: "Системна помилка. Служба підтримки УБКІ: 0445851196.",
        trigger: "INN `0000000005`",
        answered_by: SystemError(String),
    }
}
