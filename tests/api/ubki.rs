//! UBKI over HTTP: session keys, their Kyiv-day lifetime, the discount and free
//! services, and every code of both code tables.

use crate::common::{TestApp, body};
use serde_json::{Value, json};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";
const DISCOUNT: &str = "/ubki/bonusservice/discount";
const FREE: &str = "/ubki/bonusservice/free";
const FOREVER_KEY: &str = "0123456789ABCDEF0123456789ABCDEF";
const EXPIRED_KEY: &str = "EXPIRED0EXPIRED0EXPIRED0EXPIRED0";

fn credentials(login: &str, pass: &str) -> Value {
    json!({"doc": {"auth": {"login": login, "pass": pass}}})
}

async fn auth(app: &TestApp, body_: &Value) -> Value {
    body(app.post_json(AUTH, body_).await).await["doc"]["auth"].clone()
}

async fn errcode(app: &TestApp, body_: &Value) -> String {
    auth(app, body_).await["errcode"]
        .as_str()
        .expect("errcode")
        .to_string()
}

async fn key(app: &TestApp) -> String {
    auth(app, &credentials("sandbox", "sandbox")).await["sessid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn discount(sessid: &str, reptype: &str, inn: &str) -> Value {
    json!({"sessid": sessid, "reptype": reptype, "inn": inn, "email": "o.limarenko@gmail.com"})
}

async fn result_code(app: &TestApp, path: &str, body_: &Value) -> String {
    body(app.post_json(path, body_).await).await["result_code"]
        .as_str()
        .expect("result_code")
        .to_string()
}

/// The `result_code` of an ALB discount for `inn` with the scenario's never-expiring key.
async fn alb_discount_code(app: &TestApp, inn: &str) -> String {
    result_code(app, DISCOUNT, &discount(FOREVER_KEY, "ALB", inn)).await
}

// ---- authorization API

#[tokio::test]
async fn auth_with_default_credentials_returns_every_documented_field() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;

    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;

    let sessid = answer["sessid"].as_str().unwrap();
    assert_eq!(sessid.len(), 32);
    assert!(
        sessid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    );
    assert_eq!(answer["errcode"], "0");
    assert_eq!(
        answer["datecr"], "2024-09-04 14:39:13",
        "Kyiv time, UTC+3 in summer"
    );
    assert_eq!(answer["dateed"], "2024-09-04 23:59:59");
    assert_eq!(answer["userlogin"], "sandbox");
    assert_eq!(answer["userid"], "29120");
    for field in [
        "errtext",
        "errtextclient",
        "userfname",
        "userlname",
        "usermname",
        "rolegroupid",
        "rolegroupname",
        "agrid",
        "agrname",
        "role",
        "mustchngpass",
    ] {
        assert!(answer[field].is_string(), "{field} missing");
    }
}

#[tokio::test]
async fn wrong_password_returns_errcode_13() {
    let app = TestApp::spawn().await;
    assert_eq!(errcode(&app, &credentials("sandbox", "nope")).await, "13");
    assert_eq!(errcode(&app, &credentials("nobody", "sandbox")).await, "13");
}

#[tokio::test]
async fn empty_login_or_password_returns_errcode_36() {
    let app = TestApp::spawn().await;
    assert_eq!(errcode(&app, &credentials("", "sandbox")).await, "36");
    assert_eq!(errcode(&app, &credentials("sandbox", "")).await, "36");
}

#[tokio::test]
async fn missing_auth_attributes_return_errcode_11() {
    let app = TestApp::spawn().await;
    assert_eq!(errcode(&app, &json!({})).await, "11");
    assert_eq!(
        errcode(&app, &json!({"doc": {"auth": {"login": "sandbox"}}})).await,
        "11"
    );
}

#[tokio::test]
async fn invalid_auth_attributes_return_errcode_12() {
    let app = TestApp::spawn().await;
    assert_eq!(
        errcode(&app, &json!({"doc": {"auth": {"login": 42, "pass": "x"}}})).await,
        "12"
    );
    assert_eq!(
        errcode(&app, &credentials(&"a".repeat(251), "x")).await,
        "12"
    );
}

#[tokio::test]
async fn unparseable_json_returns_errcode_33() {
    let app = TestApp::spawn().await;

    let answer = body(app.post_raw(AUTH, "{\"doc\": [").await).await;

    assert_eq!(answer["doc"]["auth"]["errcode"], "33");
}

#[tokio::test]
async fn blocked_account_returns_errcode_27_and_terminated_contract_26() {
    let app = TestApp::spawn().await;
    assert_eq!(
        errcode(&app, &credentials("blocked", "sandbox")).await,
        "27"
    );
    assert_eq!(
        errcode(&app, &credentials("terminated", "sandbox")).await,
        "26"
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_past_the_threshold_return_errcode_1_until_the_lock_ends() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;
    for _ in 0..5 {
        assert_eq!(errcode(&app, &credentials("sandbox", "wrong")).await, "13");
    }

    let locked = errcode(&app, &credentials("sandbox", "sandbox")).await;
    app.advance_clock(30 * 60).await;
    let unlocked = errcode(&app, &credentials("sandbox", "sandbox")).await;

    assert_eq!(locked, "1");
    assert_eq!(unlocked, "0");
}

#[tokio::test]
async fn checking_a_valid_key_returns_it_and_an_expired_one_errcode_16() {
    let app = TestApp::spawn().await;
    let sessid = key(&app).await;

    let valid = auth(&app, &json!({"doc": {"auth": {"sessid": sessid}}})).await;
    let expired = auth(&app, &json!({"doc": {"auth": {"sessid": EXPIRED_KEY}}})).await;

    assert_eq!(valid["errcode"], "0");
    assert_eq!(valid["sessid"], sessid.as_str());
    assert_eq!(expired["errcode"], "16");
}

#[tokio::test]
async fn every_auth_errcode_can_be_forced() {
    let app = TestApp::spawn().await;
    for code in ["1", "11", "12", "13", "16", "26", "27", "33", "36"] {
        let res = app
            .post_forced(AUTH, &credentials("sandbox", "sandbox"), code)
            .await;
        assert_eq!(res.status(), 200);
        let answer = body(res).await;
        assert_eq!(answer["doc"]["auth"]["errcode"], code);
        assert!(
            !answer["doc"]["auth"]["errtext"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
}

// ---- session key lifetime

#[tokio::test]
async fn key_issued_before_22_kyiv_expires_after_23_59_59_that_day() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T18:59:00Z").await; // 21:59 in Kyiv
    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;
    let sessid = answer["sessid"].as_str().unwrap().to_string();
    assert_eq!(answer["dateed"], "2024-09-04 23:59:59");

    app.freeze_clock("2024-09-04T20:59:59Z").await; // 23:59:59 in Kyiv
    let last_second = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;
    app.advance_clock(1).await;
    let next_day = result_code(&app, DISCOUNT, &discount(&sessid, "BLC", "3241500301")).await;

    assert_eq!(last_second, "0");
    assert_eq!(next_day, "1");
}

#[tokio::test]
async fn key_is_valid_through_the_whole_last_second() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T18:00:00Z").await;
    let sessid = key(&app).await;

    app.freeze_clock("2024-09-04T20:59:59.999Z").await;
    let answer = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;

    assert_eq!(answer, "0");
}

#[test]
fn discount_terms_outside_one_day_to_ten_years_are_refused() {
    for days in ["0", "4000000000"] {
        let yaml = format!("ubki:\n  discount_term_days:\n    ALB: {days}\n");
        let problems = sandbox::load_scenario(&[("x.yaml".into(), yaml)]).unwrap_err();
        assert!(
            problems[0].message.contains("not within 1..=3650"),
            "{}",
            problems[0]
        );
    }
}

#[tokio::test]
async fn key_issued_from_22_kyiv_lasts_through_the_next_day() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T19:00:00Z").await; // 22:00 in Kyiv
    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;
    let sessid = answer["sessid"].as_str().unwrap().to_string();

    app.freeze_clock("2024-09-05T20:00:00Z").await; // 23:00 next day in Kyiv
    let next_day = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;

    assert_eq!(answer["dateed"], "2024-09-05 23:59:59");
    assert_eq!(next_day, "0");
}

#[tokio::test]
async fn kyiv_days_follow_winter_time() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-01-15T19:59:00Z").await; // 21:59 in Kyiv, UTC+2

    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;

    assert_eq!(answer["datecr"], "2024-01-15 21:59:00");
    assert_eq!(answer["dateed"], "2024-01-15 23:59:59");
}

// ---- discount service

#[tokio::test]
async fn discount_answers_the_documented_shape_with_table_prices() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;
    let sessid = key(&app).await;

    let answer = body(
        app.post_json(DISCOUNT, &discount(&sessid, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(
        answer,
        json!({
            "result_code": "0",
            "message": "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.",
            "partner": {"sessid": sessid, "userid": "29120", "bankid": "1826", "bankokpo": "01982523", "bankname": "КВІТЕНЬ"},
            "client": {"inn": "3241500301", "email": "o.limarenko@gmail.com"},
            "service": {
                "reptype": "ALB", "reptyperef": "Кредитна історія", "def_price": "90", "sale_price": "70",
                "discount_term": "7", "discount_start_date": "2024-09-04 14:39:13", "discount_end_date": "2024-09-11 14:39:13"
            }
        })
    );
}

#[tokio::test]
async fn every_reptype_has_its_documented_prices() {
    let app = TestApp::spawn().await;
    for (reptype, def, sale) in [
        ("ALB", "90", "70"),
        ("BLC", "70", "50"),
        ("SKN", "900", "700"),
        ("SKN_3", "250", "192"),
    ] {
        let answer = body(
            app.post_json(DISCOUNT, &discount(FOREVER_KEY, reptype, "2925809151"))
                .await,
        )
        .await;
        assert_eq!(answer["service"]["def_price"], def, "{reptype}");
        assert_eq!(answer["service"]["sale_price"], sale, "{reptype}");
    }
}

#[tokio::test]
async fn discount_is_state_repeated_while_active_and_renewed_after_its_term() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;

    let first = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;
    app.advance_clock(3 * 86_400).await;
    let repeat = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;
    app.advance_clock(4 * 86_400).await;
    let renewed = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(
        first["service"], repeat["service"],
        "same discount, same dates"
    );
    assert_eq!(
        renewed["service"]["discount_start_date"],
        "2024-09-11 11:00:00"
    );
    assert_eq!(
        renewed["service"]["discount_end_date"],
        "2024-09-18 11:00:00"
    );
    let state = app.state().await;
    let discounts = state["providers"]["ubki"]["discounts"].as_array().unwrap();
    assert_eq!(discounts.len(), 1);
    assert_eq!(discounts[0]["discount_start_date"], "2024-09-11 11:00:00");
    assert_eq!(discounts[0]["subject"], "Лимаренко Олена Петрівна");
}

#[tokio::test]
async fn any_other_inn_succeeds_with_a_person_generated_from_the_seed() {
    let app = TestApp::spawn().await;
    let other = app.as_tenant("other");

    let answer = alb_discount_code(&app, "1234567890").await;
    result_code(
        &other,
        DISCOUNT,
        &discount(FOREVER_KEY, "ALB", "1234567890"),
    )
    .await;

    assert_eq!(answer, "0");
    let here = app.state().await["providers"]["ubki"]["discounts"][0]["subject"].clone();
    let there = other.state().await["providers"]["ubki"]["discounts"][0]["subject"].clone();
    assert_eq!(here, there, "the same person in every tenant");
    assert_eq!(here.as_str().unwrap().split(' ').count(), 3, "{here}");
}

#[tokio::test]
async fn discount_term_comes_from_the_scenario() {
    let app = TestApp::spawn_with("ubki:\n  discount_term_days:\n    ALB: 30\n").await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;

    let answer = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(answer["service"]["discount_term"], "30");
    assert_eq!(
        answer["service"]["discount_end_date"],
        "2024-10-04 11:00:00"
    );
}

#[tokio::test]
async fn unknown_or_expired_session_key_returns_result_code_1() {
    let app = TestApp::spawn().await;
    assert_eq!(
        result_code(
            &app,
            DISCOUNT,
            &discount("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "ALB", "3241500301")
        )
        .await,
        "1"
    );
    assert_eq!(
        result_code(&app, DISCOUNT, &discount(EXPIRED_KEY, "ALB", "3241500301")).await,
        "1"
    );
    assert_eq!(alb_discount_code(&app, "0000000001").await, "1");
}

#[tokio::test]
async fn active_status_control_returns_result_code_2() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000002").await, "2");
}

#[tokio::test]
async fn subject_absent_from_the_bureau_returns_result_code_3() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000003").await, "3");
}

#[tokio::test]
async fn strict_subjects_refuse_inns_not_in_people() {
    let app = TestApp::spawn_with("ubki:\n  strict_subjects: true\n").await;

    let stranger = alb_discount_code(&app, "1234567890").await;
    let known = alb_discount_code(&app, "3241500301").await;

    assert_eq!(stranger, "3");
    assert_eq!(known, "0");
}

#[tokio::test]
async fn invalid_attributes_return_result_code_4_with_every_problem_in_details() {
    let app = TestApp::spawn().await;
    let bad = json!({"reptype": "XYZ", "inn": "12345", "email": "not-an-email"});

    let answer = body(app.post_json(DISCOUNT, &bad).await).await;

    assert_eq!(answer["result_code"], "4");
    let details: Vec<&str> = answer["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        details,
        [
            "sessid: required",
            "reptype: must be one of ALB, BLC, SKN, SKN_3",
            "inn: must be exactly 10 digits",
            "email: not an email address"
        ]
    );
}

#[tokio::test]
async fn wrong_types_and_over_long_fields_return_result_code_4() {
    let app = TestApp::spawn().await;

    let typed = body(
        app.post_json(
            DISCOUNT,
            &json!({"sessid": FOREVER_KEY, "reptype": "ALB", "inn": 3241500301u64}),
        )
        .await,
    )
    .await;
    let long = body(
        app.post_json(
            DISCOUNT,
            &json!({"sessid": "A".repeat(251), "reptype": "ALB", "inn": "3241500301"}),
        )
        .await,
    )
    .await;
    let not_object = body(app.post_json(DISCOUNT, &json!(["sessid"])).await).await;

    assert_eq!(typed["details"], json!(["inn: must be a string"]));
    assert_eq!(
        long["details"],
        json!(["sessid: longer than 250 characters"])
    );
    assert_eq!(not_object["result_code"], "4");
}

#[tokio::test]
async fn system_error_returns_result_code_5_for_the_magic_inn() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000005").await, "5");
    assert_eq!(alb_discount_code(&app, "0000000004").await, "4");
}

#[tokio::test]
async fn every_discount_result_code_can_be_forced() {
    let app = TestApp::spawn().await;
    for code in ["1", "2", "3", "4", "5"] {
        let answer = body(
            app.post_forced(DISCOUNT, &discount(FOREVER_KEY, "ALB", "3241500301"), code)
                .await,
        )
        .await;
        assert_eq!(answer["result_code"], code);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .ends_with("Служба підтримки УБКІ: 0445851196.")
        );
    }
    assert_eq!(
        app.state().await["providers"]["ubki"]["discounts"],
        json!([]),
        "forced answers change nothing"
    );
}

#[tokio::test]
async fn a_scenario_can_renumber_the_codes_the_document_lost() {
    let app =
        TestApp::spawn_with("ubki:\n  codes:\n    invalid_session_key:\n      code: \"101\"\n")
            .await;

    let answer = result_code(&app, DISCOUNT, &discount("UNKNOWN", "ALB", "3241500301")).await;
    let codes = app.catalog_codes("ubki").await;

    assert_eq!(answer, "101");
    assert!(
        codes
            .iter()
            .any(|c| c["key"] == "invalid_session_key" && c["code"] == "101")
    );
}

#[tokio::test]
async fn a_scenario_renumbering_onto_a_taken_code_is_refused() {
    let res = sandbox::load_scenario(&[(
        "x.yaml".into(),
        "ubki:\n  codes:\n    invalid_session_key:\n      code: \"3\"\n".into(),
    )]);

    let problems = res.unwrap_err();
    assert!(
        problems[0].message.contains("would both answer code 3"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].line, 3, "points at the codes it names");
}

// ---- free (partner-paid) service

#[tokio::test]
async fn free_status_control_needs_a_phone() {
    let app = TestApp::spawn().await;

    let answer = body(
        app.post_json(FREE, &discount(FOREVER_KEY, "SKN", "3241500301"))
            .await,
    )
    .await;
    let bad_phone = body(
        app.post_json(FREE, &json!({"sessid": FOREVER_KEY, "reptype": "SKN_3", "inn": "3241500301", "phone": "0501234567"})).await,
    )
    .await;

    assert_eq!(answer["details"], json!(["phone: required"]));
    assert_eq!(
        bad_phone["details"],
        json!(["phone: must be +380 and 9 digits"])
    );
}

#[tokio::test]
async fn bought_status_control_runs_its_term_and_denies_discounts_meanwhile() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;
    let order = json!({"sessid": FOREVER_KEY, "reptype": "SKN_3", "inn": "3241500301", "phone": "+380501234567"});

    let bought = body(app.post_json(FREE, &order).await).await;
    let denied = alb_discount_code(&app, "3241500301").await;
    let again = result_code(&app, FREE, &order).await;
    app.advance_clock(92 * 86_400).await;
    let after = alb_discount_code(&app, "3241500301").await;

    assert_eq!(bought["result_code"], "0");
    assert_eq!(bought["client"]["phone"], "+380501234567");
    assert_eq!(
        bought["service"]["service_start_date"],
        "2024-09-04 11:00:00"
    );
    assert_eq!(bought["service"]["service_end_date"], "2024-12-04 10:00:00");
    assert_eq!(bought["service"]["sale_price"], "0");
    assert_eq!(denied, "2");
    assert_eq!(again, "2");
    assert_eq!(after, "0");
}

#[tokio::test]
async fn free_report_needs_no_phone() {
    let app = TestApp::spawn().await;

    let answer = body(
        app.post_json(FREE, &discount(FOREVER_KEY, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(answer["result_code"], "0");
    assert_eq!(answer["service"]["def_price"], "90");
    assert!(answer["service"].get("service_end_date").is_none());
}

#[tokio::test]
async fn free_answers_codes_like_discount() {
    let app = TestApp::spawn().await;
    assert_eq!(
        result_code(&app, FREE, &discount(EXPIRED_KEY, "ALB", "3241500301")).await,
        "1"
    );
    assert_eq!(
        result_code(&app, FREE, &discount(FOREVER_KEY, "ALB", "0000000003")).await,
        "3"
    );
    assert_eq!(
        body(app.post_forced(FREE, &json!({}), "5").await).await["result_code"],
        "5"
    );
}

#[tokio::test]
async fn malformed_discount_json_returns_result_code_4_and_changes_nothing() {
    let app = TestApp::spawn().await;

    let answer = body(app.post_raw(DISCOUNT, "{\"sessid\":").await).await;

    assert_eq!(answer["result_code"], "4");
    assert_eq!(
        app.state().await["providers"]["ubki"]["discounts"],
        json!([])
    );
}
