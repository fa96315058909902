//! The scenario watch (`--watch`): edits on disk served without a restart, broken edits
//! reported and ignored, a Kubernetes ConfigMap's symlink swap picked up.

use std::path::{Path, PathBuf};

use crate::common::{TestApp, body, eventually, temp_dir};
use serde_json::{Value, json};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";

fn scenario(seed: u64, login: &str) -> String {
    format!("seed: {seed}\nubki:\n  accounts:\n    - login: {login}\n      pass: secret\n")
}

/// Writes `text` as an editor does: a temporary file renamed over the old one.
fn save_like_an_editor(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.swp");
    std::fs::write(&tmp, text).expect("temp file");
    std::fs::rename(&tmp, path).expect("rename");
}

async fn health(app: &TestApp) -> Value {
    body(app.get("/__sandbox/health").await).await
}

/// Health once the watch has loaded the scenario of `seed`.
async fn reloaded_to(app: &TestApp, seed: u64) -> Value {
    eventually("the watch to load the edit", || async {
        let h = health(app).await;
        (h["seed"] == seed && h["loaded_from"] == "watch").then_some(h)
    })
    .await
}

/// A server watching one scenario file (seed 5, account `first`).
async fn watching_a_file(test: &str) -> (PathBuf, TestApp) {
    let file = temp_dir(test).join("scenario.yaml");
    std::fs::write(&file, scenario(5, "first")).unwrap();
    let app = watching(&file).await;
    (file, app)
}

async fn watching(path: &Path) -> TestApp {
    TestApp::spawn_from_disk(|s| {
        s.scenario = Some(path.to_path_buf());
        s.watch = true;
    })
    .await
}

async fn logs_in(app: &TestApp, login: &str) -> bool {
    let auth = json!({"doc": {"auth": {"login": login, "pass": "secret"}}});
    let answer = body(app.post_json(AUTH, &auth).await).await;
    answer["doc"]["auth"]["sessid"].is_string()
}

#[tokio::test]
async fn an_edited_scenario_file_is_served_without_a_restart() {
    let (file, app) = watching_a_file("watch-file").await;
    assert_eq!(
        health(&app).await["loaded_from"],
        file.display().to_string()
    );

    save_like_an_editor(&file, &scenario(6, "second"));
    let health = reloaded_to(&app, 6).await;

    assert!(logs_in(&app, "second").await);
    assert!(!logs_in(&app, "first").await);
    assert_eq!(health["watch"]["rejected"], Value::Null);
    assert_eq!(health["scenario"], json!([file.display().to_string()]));
}

#[tokio::test]
async fn a_broken_edit_is_reported_and_the_old_scenario_keeps_serving() {
    let (file, app) = watching_a_file("watch-broken").await;
    let before = health(&app).await;

    std::fs::write(&file, "seed: 6\nubki:\n  acounts: []\n").unwrap();
    let after = eventually("the watch to refuse the edit", || async {
        let h = health(&app).await;
        (!h["watch"]["rejected"].is_null()).then_some(h)
    })
    .await;

    let problems = after["watch"]["rejected"]["problems"].as_array().unwrap();
    let at_position = format!("{}:3:", file.display());
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().starts_with(&at_position)),
        "problems name file:line:column: {problems:?}"
    );
    assert_eq!(after["seed"], 5);
    assert_eq!(after["loaded_at"], before["loaded_at"]);
    assert!(logs_in(&app, "first").await);
}

#[tokio::test]
async fn each_edit_is_read_once_though_reading_is_an_event_too() {
    let (file, app) = watching_a_file("watch-once").await;
    std::fs::write(&file, "seed: [6\n").unwrap();
    eventually("the watch to refuse the edit", || async {
        (!health(&app).await["watch"]["rejected"].is_null()).then_some(())
    })
    .await;

    save_like_an_editor(&file, &scenario(6, "second"));
    reloaded_to(&app, 6).await;
    let metrics = app.get("/__sandbox/metrics").await.text().await.unwrap();

    // Reading the broken file again on its own open event would have refused it again.
    assert!(
        metrics.contains("sandbox_scenario_loads_total{result=\"invalid\"} 1\n"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_configmap_symlink_swap_is_picked_up() {
    // The layout kubelet mounts: files are links through `..data`, itself a link to a
    // timestamped directory; an update writes a new directory and renames a new
    // `..data` link over the old one.
    let dir = temp_dir("watch-configmap");
    std::fs::create_dir(dir.join("..2026_01")).unwrap();
    std::fs::write(dir.join("..2026_01/scenario.yaml"), scenario(5, "first")).unwrap();
    std::os::unix::fs::symlink("..2026_01", dir.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/scenario.yaml", dir.join("scenario.yaml")).unwrap();
    let app = watching(&dir).await;

    std::fs::create_dir(dir.join("..2026_02")).unwrap();
    std::fs::write(dir.join("..2026_02/scenario.yaml"), scenario(7, "third")).unwrap();
    std::os::unix::fs::symlink("..2026_02", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    reloaded_to(&app, 7).await;

    assert!(logs_in(&app, "third").await);
}

#[test]
fn watching_without_a_scenario_path_refuses_to_start() {
    let mut settings = sandbox::Settings::for_tests();
    settings.watch = true;
    let sandbox = sandbox::build(settings).expect("the default scenario loads");

    let started = sandbox::Application::build(sandbox);

    let error = started.err().expect("refused").to_string();
    assert!(error.contains("scenario"), "{error}");
}
