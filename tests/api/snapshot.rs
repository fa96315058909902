//! Snapshots over HTTP: a round trip gives the same answers on every provider, a load
//! into another tenant forks it, another version or scenario or a malformed document
//! is refused and changes nothing; and tenants kept in `state_dir` across a restart of
//! the real binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, body, send};

const DCM_CUSTOMERS: &str =
    "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111/customers";
const DCM_ISSUER: &str = "GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E";
const T0: &str = "2025-03-01T10:00:00Z";

/// Answers of one call to each provider, each of which writes state and generates an id:
/// a DCM customer, a CarmaChain key and request, a UBKI key and discount, a SberSafe
/// token, a TrustDecision call spending balance.
async fn write_every_provider(app: &TestApp, n: usize) -> Value {
    let dcm = app
        .request(Method::POST, DCM_CUSTOMERS)
        .header("Authorization", "Bearer sandbox-dcm-token")
        .json(&json!({ "asset_code": "UAH", "asset_issuer": DCM_ISSUER, "login": format!("snap{n}") }));
    let dcm = body(send(dcm).await).await;
    let carma_key = body(app.get("/carmachain/auth/getToken").await).await["token"].clone();
    let carma = app
        .request(Method::POST, "/carmachain/api/createrequest")
        .header("Authorization", carma_key.as_str().unwrap_or_default())
        .json(&json!({ "type_request": "Name", "value": [{ "IdDocument": "AB123456", "PhoneNumber": "+380501234567" }] }));
    let carma = body(send(carma).await).await;
    let ubki_auth = json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}});
    let ubki_key = body(
        app.post_json("/ubki/b2_api_xml/ubki/auth", &ubki_auth)
            .await,
    )
    .await;
    let sessid = ubki_key["doc"]["auth"]["sessid"].clone();
    let discount =
        json!({"sessid": sessid, "reptype": "ALB", "inn": "3241500301", "email": "a@b.ua"});
    let ubki = body(
        app.post_json("/ubki/bonusservice/discount", &discount)
            .await,
    )
    .await;
    let otp = json!({ "merchantLogin": "sandbox", "uuid": "C2BC84C12AD6438DAA0D87517C7AE187" });
    let code =
        body(app.post_json("/sbersafe/api/auth/otp", &otp).await).await["accessCode"].clone();
    let redeem = json!({ "accessCode": code, "otp": "000000" });
    let sber = body(app.post_json("/sbersafe/api/auth/token", &redeem).await).await;
    let td_request = json!({
        "id_number": "PEJU900101HDFRRN01", "id_type": "national_id", "country": "MX",
        "name": "Juan Perez", "phone_number": "5512345678", "package_name": "credit_rating_estimation",
    });
    let td_url = "/trustdecision?partner_code=three_calls&partner_key=sandbox";
    let td = body(app.post_json(td_url, &td_request).await).await;
    json!({ "dcm": dcm, "carma_key": carma_key, "carma": carma, "ubki_key": ubki_key, "ubki": ubki, "sber": sber, "td": td })
}

/// Everything the admin API shows of the tenant but the journal's timings.
async fn admin_views(app: &TestApp) -> Value {
    let mut journal = app.journal().await;
    let ids: Vec<Value> = journal["requests"]
        .as_array_mut()
        .map(|entries| entries.iter().map(|e| e["id"].clone()).collect())
        .unwrap_or_default();
    json!({
        "state": app.state().await["providers"],
        "clock": body(app.get("/__sandbox/clock").await).await["now"],
        "rules": body(app.get("/__sandbox/rules").await).await["rules"],
        "coverage": body(app.get("/__sandbox/coverage").await).await["providers"],
        "journal_ids": ids,
    })
}

/// The tenant's answers from here on: new generated values on every provider, a rule
/// with a probability drawing from its generator, then the views.
async fn answers_from_here(app: &TestApp) -> Value {
    let written = write_every_provider(app, 99).await;
    let mut drawn = Vec::new();
    for _ in 0..8 {
        let res = app.get("/carmachain/auth/getToken").await;
        drawn.push(res.status().as_u16());
    }
    json!({ "written": written, "drawn": drawn, "views": admin_views(app).await })
}

/// A tenant with its clock frozen, state on every provider and a probabilistic rule
/// that has fired some of its `times`.
async fn busy_tenant(app: &TestApp) {
    app.freeze_clock(T0).await;
    write_every_provider(app, 1).await;
    app.add_rule(&json!({
        "when": { "provider": "carmachain", "endpoint": "/auth/getToken" },
        "then": { "status": 503 }, "probability": 0.5, "times": 6,
    }))
    .await;
    for _ in 0..3 {
        app.get("/carmachain/auth/getToken").await;
    }
}

/// Equal, part by part, so a failure names the part that differs.
fn assert_same(a: &Value, b: &Value) {
    for part in ["written", "drawn", "views"] {
        for (key, value) in a[part].as_object().into_iter().flatten() {
            assert_eq!(value, &b[part][key], "{part}.{key}");
        }
        assert_eq!(a[part], b[part], "{part}");
    }
}

/// What `GET /__sandbox/state` shows of the providers (without the running clock).
async fn providers(app: &TestApp) -> Value {
    app.state().await["providers"].clone()
}

async fn snapshot(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/__sandbox/snapshot{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await
}

async fn load(app: &TestApp, query: &str, doc: impl Into<reqwest::Body>) -> reqwest::Response {
    let path = format!("/__sandbox/snapshot{query}");
    send(
        app.request(Method::PUT, &path)
            .header("content-type", "application/json")
            .body(doc),
    )
    .await
}

/// The refusal's status, `X-Sandbox-Error` kind and message.
async fn refusal(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("x-sandbox-error")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let b = body(res).await;
    (status, kind, b.to_string())
}

#[tokio::test]
async fn a_round_trip_gives_the_same_answers_on_every_provider() {
    let app = TestApp::spawn().await.as_tenant("a");
    busy_tenant(&app).await;
    let doc = snapshot(&app, "?journal=true").await;
    let before = answers_from_here(&app).await;

    let res = load(&app, "", doc.to_string()).await;
    let after = answers_from_here(&app).await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_same(&before, &after);
}

#[tokio::test]
async fn a_snapshot_loaded_into_another_tenant_forks_it() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.as_tenant("a"), app.as_tenant("b"));
    busy_tenant(&a).await;
    let doc = snapshot(&a, "?journal=true").await;

    let res = load(&b, "", doc.to_string()).await;
    let from_b = answers_from_here(&b).await;
    let from_a = answers_from_here(&a).await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_same(&from_a, &from_b);
    assert_ne!(
        app.as_tenant("c").state().await["providers"],
        from_b["views"]["state"]
    );
}

#[tokio::test]
async fn the_journal_is_in_a_snapshot_only_when_asked_for() {
    let app = TestApp::spawn().await;
    write_every_provider(&app, 1).await;

    let without = snapshot(&app, "").await;
    let with = snapshot(&app, "?journal=true").await;

    assert!(
        without["journal"].get("entries").is_none(),
        "{}",
        without["journal"]
    );
    assert_eq!(with["journal"]["entries"].as_array().map(Vec::len), Some(8));
    assert_eq!(with["journal"]["next_id"], without["journal"]["next_id"]);
}

/// What loading a document did, plainly and then with `?force=true`.
struct Attempt {
    refusal: (u16, String, String),
    unchanged_by_refusal: bool,
    forced: StatusCode,
}

impl Attempt {
    /// Refused with 400 of `kind` saying `says`, nothing changed, and forced in.
    fn assert_refused_then_forced(&self, kind: &str, says: &str) {
        let (status, got, message) = &self.refusal;
        assert_eq!((*status, got.as_str()), (400, kind), "{message}");
        assert!(message.contains(says), "{says}: {message}");
        assert!(self.unchanged_by_refusal);
        assert_eq!(self.forced, StatusCode::OK);
    }
}

async fn load_then_force(app: &TestApp, doc: &Value) -> Attempt {
    let state = providers(app).await;
    let refusal = refusal(load(app, "", doc.to_string()).await).await;
    let unchanged_by_refusal = providers(app).await == state;
    let forced = load(app, "?force=true", doc.to_string()).await.status();
    Attempt {
        refusal,
        unchanged_by_refusal,
        forced,
    }
}

#[tokio::test]
async fn another_format_version_is_refused_unless_forced() {
    let app = TestApp::spawn().await;
    let mut doc = snapshot(&app, "").await;
    write_every_provider(&app, 1).await;
    let written = providers(&app).await;
    doc["version"] = json!(99);

    let attempt = load_then_force(&app, &doc).await;

    attempt.assert_refused_then_forced("snapshot-version", "version 99");
    assert_ne!(
        providers(&app).await,
        written,
        "the forced load replaced the state"
    );
}

#[tokio::test]
async fn a_snapshot_of_another_scenario_is_refused_unless_forced() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn_with("seed: 4242\n").await;
    let doc = snapshot(&other, "").await;
    write_every_provider(&app, 1).await;

    let attempt = load_then_force(&app, &doc).await;

    attempt.assert_refused_then_forced("snapshot-fingerprint", "force=true");
    assert_eq!(providers(&app).await, providers(&other).await);
}

#[tokio::test]
async fn a_malformed_snapshot_is_refused_naming_the_place_and_changes_nothing() {
    let app = TestApp::spawn().await;
    write_every_provider(&app, 1).await;
    let mut doc = snapshot(&app, "").await;
    let state = providers(&app).await;
    doc["providers"]["ubki"]["issued"] = json!("many");
    let mut no_provider = snapshot(&app, "").await;
    no_provider["providers"]
        .as_object_mut()
        .map(|p| p.remove("dcm"));

    let cases = [
        ("{not json".to_string(), "not JSON"),
        ("[1, 2]".to_string(), "not a JSON object"),
        (doc.to_string(), "providers.ubki.issued"),
        (no_provider.to_string(), "providers.dcm: missing"),
    ];
    for (sent, says) in cases {
        let (status, kind, message) = refusal(load(&app, "", sent).await).await;
        assert_eq!((status, kind.as_str()), (400, "bad-snapshot"), "{message}");
        assert!(message.contains(says), "{says}: {message}");
    }
    assert_eq!(providers(&app).await, state);
}

#[tokio::test]
async fn a_snapshot_over_its_limit_is_refused_and_a_larger_limit_takes_it() {
    let small = TestApp::spawn_with_settings(|s| s.snapshot_body_limit = 1024, None).await;
    let doc = snapshot(&small, "?journal=true").await.to_string();
    let state = providers(&small).await;

    let (status, kind, _) = refusal(load(&small, "", doc.clone()).await).await;

    assert_eq!((status, kind.as_str()), (413, "snapshot-too-large"));
    assert_eq!(providers(&small).await, state);
    let default = TestApp::spawn_with_settings(|s| s.body_limit = 1024, None).await;
    assert_eq!(
        load(&default, "", doc).await.status(),
        StatusCode::OK,
        "not held to body_limit"
    );
}

// ---------------------------------------------------------------- restarts

/// The real binary serving with `dir` as its state directory, and its port, read from
/// its "listening" log line.
fn start(dir: &Path) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--host", "127.0.0.1", "--port", "0", "--log", "info"])
        .arg("--state-dir")
        .arg(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("port=").nth(1)?;
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .expect("a listening line with the port");
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

/// SIGTERM, as Docker and Kubernetes stop a container, then waits for the exit.
fn stop(mut child: Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let exit = child.wait().expect("the server exits");
    assert!(exit.success(), "{exit:?}");
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sandbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn every_provider_keeps_its_state_across_a_restart() {
    let dir = temp_dir("restart");
    let (first, port) = start(&dir);
    let app = TestApp::at(port).as_tenant("kept");
    busy_tenant(&app).await;
    let before = admin_views(&app).await;
    stop(first);

    let (second, port) = start(&dir);
    let app = TestApp::at(port).as_tenant("kept");
    let after = admin_views(&app).await;
    let tenants = body(app.get("/__sandbox/tenants").await).await;
    stop(second);

    assert_eq!(before, after);
    assert_eq!(tenants["tenants"], json!(["kept"]));
    let ubki = &after["state"]["ubki"];
    assert_eq!(
        ubki["sessions"]
            .as_array()
            .map(|s| s.iter().filter(|s| s["valid"] == true).count() > 1),
        Some(true)
    );
    assert_eq!(
        after["state"]["trustdecision"]["partners"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["code"] == "three_calls"))
            .map(|p| p["balance"].clone()),
        Some(json!(2))
    );
}

#[tokio::test]
async fn a_corrupt_state_file_is_set_aside_and_the_others_restored() {
    let dir = temp_dir("corrupt");
    let (first, port) = start(&dir);
    let app = TestApp::at(port);
    for name in ["good", "also-good"] {
        write_every_provider(&app.as_tenant(name), 1).await;
    }
    let good = app.as_tenant("good").state().await["providers"].clone();
    stop(first);
    std::fs::write(dir.join("broken.snapshot.json"), "{ half a docu").expect("written");

    let (second, port) = start(&dir);
    let app = TestApp::at(port);
    let tenants = body(app.get("/__sandbox/tenants").await).await;
    let restored = app.as_tenant("good").state().await["providers"].clone();
    stop(second);

    assert_eq!(tenants["tenants"], json!(["also-good", "good"]));
    assert_eq!(restored, good);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !files.contains(&"broken.snapshot.json".to_string()),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("broken.snapshot.json.corrupt-")),
        "{files:?}"
    );
}

#[tokio::test]
async fn a_tenant_dropped_beyond_the_cap_is_saved_and_read_back_when_used_again() {
    let dir = temp_dir("evicted");
    let state_dir = dir.clone();
    let app = TestApp::spawn_with_settings(
        |s| {
            s.state_dir = Some(state_dir);
            s.tenant_cap = 1;
        },
        None,
    )
    .await;
    let (a, b) = (app.as_tenant("a"), app.as_tenant("b"));
    write_every_provider(&a, 1).await;
    let written = providers(&a).await;

    write_every_provider(&b, 1).await;
    let tenants = body(app.get("/__sandbox/tenants").await).await;
    let read_back = providers(&a).await;

    assert_eq!(tenants["tenants"], json!(["b"]), "a was dropped for b");
    assert!(dir.join("a.snapshot.json").exists());
    assert_eq!(read_back, written);
}
