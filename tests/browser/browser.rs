//! Chromium driven through chromedriver: each test starts its own chromedriver on a free
//! port, opens one headless session, and stops both when it ends (also on a panic).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser at a time: the machine has two cores, and parallel Chromiums starve the
/// servers they test.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Browser {
    pub client: Client,
    driver: Child,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Browser {
    /// Stops chromedriver and the Chromium it started: they share the process group
    /// chromedriver was started in, so nothing outlives a failed test either.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

/// Starts chromedriver and waits for the line it prints once it listens.
fn start_driver(port: u16) -> Child {
    let mut child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts (apt-get install chromium chromium-driver)");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let started = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("started successfully"));
    assert!(started, "chromedriver did not start");
    // Keep reading, so chromedriver never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

impl Browser {
    /// A headless Chromium, 1280 pixels wide.
    pub async fn start() -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port();
        let driver = start_driver(port);
        let caps = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"],
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a chromedriver session");
        Self {
            client,
            driver,
            _turn: turn,
        }
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("page opens");
    }

    /// Waits (fantoccini's wait, polling the page) for an element.
    async fn wait_for(&self, locator: Locator<'_>) -> Element {
        let what = format!("{locator:?}");
        let found = self.client.wait().for_element(locator).await;
        found.unwrap_or_else(|e| panic!("no {what}: {e}"))
    }

    pub async fn wait_css(&self, css: &str) -> Element {
        self.wait_for(Locator::Css(css)).await
    }

    pub async fn wait_xpath(&self, xpath: &str) -> Element {
        self.wait_for(Locator::XPath(xpath)).await
    }

    pub async fn click(&self, css: &str) {
        self.wait_css(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Saves what the browser shows to `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot saved");
    }
}
