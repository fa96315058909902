//! The dashboard (`/__sandbox/ui`) in a real browser: Debian's Chromium, headless,
//! through chromedriver, against the real server on port 0. Ignored by a plain
//! `cargo test` (they need both installed); `.ci/run` installs them and runs
//! `cargo test --test browser -- --ignored`. Each test saves its main view under
//! `target/screenshots/`.

#[allow(dead_code)]
#[path = "../api/common/mod.rs"]
mod common;

mod browser;

use fantoccini::key::Key;
use serde_json::json;

use browser::Browser;
use common::{TestApp, body};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";

fn ubki_login() -> serde_json::Value {
    json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}})
}

fn page(app: &TestApp) -> String {
    app.url(&format!("/__sandbox/ui?tenant={}", app.tenant))
}

/// A browser on the dashboard of `app`'s tenant, on `view` (`journal`, `coverage`...).
async fn open_on(app: &TestApp, view: &str) -> Browser {
    let browser = Browser::start().await;
    browser.open(&format!("{}#{view}", page(app))).await;
    browser
}

/// The page's navigation timing and the bytes of the page and its files, for the log.
async fn load_timing(browser: &Browser) -> serde_json::Value {
    browser
        .js("const n = performance.getEntriesByType('navigation')[0]; \
             return {load_ms: n.loadEventEnd - n.startTime, \
                     dom_ms: n.domContentLoadedEventEnd - n.startTime, \
                     bytes: performance.getEntriesByType('resource') \
                       .filter(r => r.name.includes('/__sandbox/ui/')) \
                       .reduce((sum, r) => sum + r.decodedBodySize, n.decodedBodySize)}")
        .await
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn a_fresh_tenant_opens_on_its_empty_journal_at_1280_and_800_pixels_and_by_keyboard() {
    let app = TestApp::spawn().await.as_tenant("fresh-tenant");

    let browser = open_on(&app, "journal").await;

    browser.wait_css("#journal-empty:not([hidden])").await;
    let tenant = browser
        .js("return document.getElementById('tenant-input').value")
        .await;
    assert_eq!(tenant, "fresh-tenant");
    browser
        .wait_xpath("//p[@id='clock-badge'][contains(., 'fresh-tenant')]")
        .await;
    println!("dashboard load, first: {}", load_timing(&browser).await);
    browser.client.refresh().await.expect("reload");
    browser.wait_css("#journal-empty:not([hidden])").await;
    println!("dashboard load, again: {}", load_timing(&browser).await);
    browser.screenshot("fresh-tenant").await;
    browser
        .client
        .set_window_size(800, 900)
        .await
        .expect("resize");
    let overflow = browser
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0, "the page scrolls sideways at 800 pixels");
    browser.screenshot("fresh-tenant-800").await;
    let journal_tab = browser.wait_css("#tab-journal").await;
    journal_tab
        .send_keys(&Key::Right.to_string())
        .await
        .expect("arrow key");
    browser
        .wait_css("#tab-coverage[aria-selected='true']:focus")
        .await;
    browser.wait_css("#coverage-ubki").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn a_provider_request_appears_in_the_live_journal_without_a_reload() {
    let app = TestApp::spawn().await.as_tenant("live-journal");
    let browser = open_on(&app, "journal").await;
    browser.wait_css("#journal-empty:not([hidden])").await;
    browser.js("window.sameDocument = true; return null").await;

    app.post_json(AUTH, &ubki_login()).await;

    let row = browser
        .wait_xpath("//tbody[@id='journal-rows']/tr[td[3]='ubki']")
        .await;
    assert_eq!(
        browser.js("return window.sameDocument === true").await,
        true
    );
    row.click().await.expect("entry opens");
    let curl = browser
        .wait_css("#entry-curl")
        .await
        .text()
        .await
        .expect("curl text");
    assert!(
        curl.starts_with(&format!("curl -X POST '{}{AUTH}'", app.address)),
        "{curl}"
    );
    assert!(
        curl.contains("-H 'x-sandbox-tenant: live-journal'"),
        "{curl}"
    );
    assert!(
        curl.contains(r#"--data-binary '{"doc":{"auth":{"login":"sandbox","pass":"sandbox"}}}'"#),
        "{curl}"
    );
    let answer = browser
        .wait_css("#entry-res-body")
        .await
        .text()
        .await
        .expect("body");
    assert!(answer.contains("\"sessid\""), "{answer}");
    browser.screenshot("journal").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn arming_a_code_in_the_coverage_matrix_makes_the_next_request_answer_it() {
    let app = TestApp::spawn().await.as_tenant("arming");
    let browser = open_on(&app, "coverage").await;

    browser.click("button[data-arm='ubki:auth:13']").await;
    browser
        .wait_xpath("//p[@id='status'][contains(., 'armed')]")
        .await;
    browser.screenshot("coverage").await;
    let answer = body(app.post_json(AUTH, &ubki_login()).await).await;

    assert_eq!(answer["doc"]["auth"]["errcode"], "13", "{answer}");
    browser.click("#tab-rules").await;
    let rule = "//tr[@data-rule='arm-ubki-auth-13'][td[6]='1'][td[7]='0']";
    browser.wait_xpath(rule).await;
    browser.screenshot("rules").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn advancing_the_clock_expires_a_ubki_key_in_the_state_view() {
    let app = TestApp::spawn().await.as_tenant("clock");
    app.freeze_clock("2024-09-04T18:00:00Z").await;
    let login = body(app.post_json(AUTH, &ubki_login()).await).await;
    let sessid = login["doc"]["auth"]["sessid"]
        .as_str()
        .expect("a key")
        .to_string();
    let browser = open_on(&app, "state").await;
    let key = format!("summary[contains(., '{sessid}')]");
    browser
        .wait_xpath(&format!(
            "//div[@id='state-tree']//details[not(contains(@class, 'expired'))][{key}]"
        ))
        .await;

    browser.click("#tab-clock").await;
    browser.click("button[data-advance='{\"days\":1}']").await;
    browser
        .wait_xpath("//strong[@id='clock-now'][starts-with(., '2024-09-05T18:00:00')]")
        .await;
    browser.click("#clock-freeze").await;
    browser
        .wait_xpath("//span[@id='clock-mode'][. = 'running']")
        .await;
    browser.screenshot("clock").await;
    browser.click("#tab-state").await;

    browser
        .wait_xpath(&format!(
            "//div[@id='state-tree']//details[contains(@class, 'expired')][{key}]"
        ))
        .await;
    browser.screenshot("state").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn a_broken_scenario_pasted_shows_its_problem_at_line_and_column() {
    let app = TestApp::spawn().await.as_tenant("scenario");
    let browser = open_on(&app, "scenario").await;
    browser
        .wait_xpath("//p[@id='scenario-result'][contains(., 'active scenario')]")
        .await;
    let area = browser.wait_css("#scenario-text").await;
    area.clear().await.expect("cleared");

    area.send_keys("seed: 1\nrules:\n  - when: {provider: nope}\n    then: {code: \"1\"}\n")
        .await
        .expect("typed");
    browser.click("#scenario-validate").await;

    let problem = browser
        .wait_css("#scenario-problems li")
        .await
        .text()
        .await
        .expect("text");
    assert!(problem.starts_with("3:5: "), "{problem}");
    assert!(problem.contains("unknown provider `nope`"), "{problem}");
    let health = body(app.get("/__sandbox/health").await).await;
    assert_eq!(
        health["scenario"],
        json!(["default.yaml"]),
        "nothing was loaded"
    );
    browser.screenshot("scenario").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver: run by .ci/run"]
async fn with_an_admin_token_nothing_shows_until_the_token_is_given() {
    let app = TestApp::spawn_with_settings(|s| s.admin_token = Some("s3cret".into()), None)
        .await
        .as_tenant("guarded");
    let browser = open_on(&app, "journal").await;

    let input = browser
        .wait_css("#token-form:not([hidden]) #token-input")
        .await;
    browser.screenshot("token").await;
    let hidden = "return [document.getElementById('main').checkVisibility(), \
                  document.getElementById('tenant-form').checkVisibility(), \
                  document.getElementById('journal-rows').children.length]";
    assert_eq!(browser.js(hidden).await, json!([false, false, 0]));
    input.send_keys("wrong").await.expect("typed");
    browser.click("#token-form button").await;
    browser
        .wait_xpath("//p[@id='token-error'][contains(., 'not accepted')]")
        .await;
    assert_eq!(browser.js(hidden).await, json!([false, false, 0]));

    input.clear().await.expect("cleared");
    input.send_keys("s3cret").await.expect("typed");
    browser.click("#token-form button").await;

    browser
        .wait_css("#main:not([hidden]) #journal-empty:not([hidden])")
        .await;
    let kept = browser
        .js("return sessionStorage.getItem('sandbox-admin-token')")
        .await;
    assert_eq!(kept, "s3cret");
}
