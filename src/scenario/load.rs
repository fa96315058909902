//! Reading scenario files: one file or a directory merged in name order, every problem
//! reported as `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::section::Blueprint;
use super::spans::{Node, Step, path_of, resolve};
use super::{CORE_KEYS, Scenario};
use crate::clock::{Clock, OutOfRange};
use crate::codes::CodeTable;

/// The scenario compiled into the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.yaml");

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Reads `path` (a file, or every `*.yaml`/`*.yml` of a directory in name order).
pub fn load_path(path: &Path) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let io_problem = |p: &Path, e: std::io::Error| Problem {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: e.to_string(),
    };
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| vec![io_problem(path, e)])?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(vec![Problem {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: "no *.yaml or *.yml files in this directory".into(),
            }]);
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => sources.push((file.display().to_string(), text)),
            Err(e) => problems.push(io_problem(&file, e)),
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(problems)
    }
}

/// Parses, merges and checks `(name, yaml)` sources in order. Each file alone must be
/// well-formed (types, no unknown keys); references across files (a rule's code, a
/// package defined in an earlier file) are checked on the merged result. `kinds` are
/// the providers whose sections a scenario may have.
pub fn load_sources(
    sources: &[(String, String)],
    kinds: &[Arc<dyn Blueprint>],
) -> Result<Scenario, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for (name, text) in sources {
        match parse_file(name, text, kinds) {
            Ok(scenario) => parsed.push((name, text, scenario)),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let scenario = match parsed.as_slice() {
        [] => parse_file("default", "{}", kinds)?,
        [(_, _, only)] => only.clone(),
        _ => merge(&parsed, kinds)?,
    };
    let locator = Locator::new(&parsed);
    let problems = semantic_problems(&scenario, &locator, kinds);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems)
    }
}

/// One document: the core, then every provider's section from the same text (so
/// each error keeps its line and column), and no key that is neither.
fn parse_file(
    name: &str,
    text: &str,
    kinds: &[Arc<dyn Blueprint>],
) -> Result<Scenario, Vec<Problem>> {
    let mut scenario: Scenario =
        serde_saphyr::from_str(text).map_err(|e| vec![saphyr_problem(name, &e)])?;
    let mut problems = unknown_keys(name, text, kinds);
    for kind in kinds {
        match kind.section(text) {
            Ok(section) => {
                scenario.sections.insert(kind.name(), section);
            }
            Err(e) => problems.push(saphyr_problem(name, &e)),
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems)
    }
}

fn unknown_keys(name: &str, text: &str, kinds: &[Arc<dyn Blueprint>]) -> Vec<Problem> {
    let Ok(Spanned {
        value: Node::Map(entries),
        ..
    }) = serde_saphyr::from_str::<Spanned<Node>>(text)
    else {
        return Vec::new();
    };
    let keys = entries.into_iter().map(|(key, _)| key);
    let known: Vec<&str> = CORE_KEYS
        .iter()
        .copied()
        .chain(kinds.iter().map(|k| k.name()))
        .collect();
    let expected = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    keys.filter(|k| !known.contains(&k.value.as_str()))
        .map(|k| Problem {
            file: name.to_string(),
            line: k.referenced.line(),
            column: k.referenced.column(),
            message: format!("unknown field `{}`, expected one of {expected}", k.value),
        })
        .collect()
}

/// Checks files without loading them: every problem of every file.
pub fn validate_files(paths: &[PathBuf], kinds: &[Arc<dyn Blueprint>]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for path in paths {
        match load_path(path) {
            Ok(sources) => {
                if let Err(mut p) = load_sources(&sources, kinds) {
                    problems.append(&mut p);
                }
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    problems
}

fn saphyr_problem(name: &str, e: &serde_saphyr::Error) -> Problem {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let plain = e
        .without_snippet()
        .render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        });
    // The plain rendering ends with its own " at line L, column C"; keep only the message.
    let message = plain
        .rfind(" at line ")
        .map(|i| plain[..i].to_string())
        .unwrap_or(plain);
    Problem {
        file: name.to_string(),
        line,
        column,
        message,
    }
}

/// Where things of the merged scenario were written: a section in the last file that
/// has it, a rule in the file (and position) it came from.
struct Locator {
    /// Every file's name and nodes with their positions.
    files: Vec<(String, Option<Spanned<Node>>)>,
    /// For each merged rule: (file index, index within that file).
    rules: Vec<(usize, usize)>,
}

impl Locator {
    fn new(parsed: &[(&String, &String, Scenario)]) -> Self {
        let mut files = Vec::new();
        let mut rules: Vec<(usize, usize, Option<String>)> = Vec::new();
        for (k, (name, text, scenario)) in parsed.iter().enumerate() {
            files.push(((*name).clone(), serde_saphyr::from_str(text).ok()));
            for (j, rule) in scenario.rules.iter().enumerate() {
                let same = rule
                    .name
                    .as_ref()
                    .and_then(|n| rules.iter().position(|(_, _, m)| m.as_ref() == Some(n)));
                match same {
                    Some(at) => rules[at] = (k, j, rule.name.clone()),
                    None => rules.push((k, j, rule.name.clone())),
                }
            }
        }
        Self {
            files,
            rules: rules.into_iter().map(|(k, j, _)| (k, j)).collect(),
        }
    }

    /// How far `steps` reach in file `k`, and the position of the node reached.
    fn reach(&self, k: usize, steps: &[Step]) -> (usize, u64, u64) {
        match self.files.get(k).and_then(|(_, tree)| tree.as_ref()) {
            Some(tree) => {
                let (node, taken) = resolve(tree, steps);
                (taken, node.referenced.line(), node.referenced.column())
            }
            None => (0, 1, 1),
        }
    }

    fn problem(&self, k: usize, (line, column): (u64, u64), message: String) -> Problem {
        let file = self
            .files
            .get(k)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        Problem {
            file,
            line,
            column,
            message,
        }
    }

    fn rule(&self, index: usize, message: String) -> Problem {
        let (k, j) = self
            .rules
            .get(index)
            .copied()
            .unwrap_or((self.files.len().saturating_sub(1), 0));
        let steps = [Step::Key("rules".into()), Step::Index(j)];
        let at = match self.reach(k, &steps) {
            (2, line, column) => (line, column),
            _ => (1, 1),
        };
        self.problem(k, at, message)
    }

    /// A problem at the value its message names (`subjects[1].inn ...` under `section`),
    /// in the last file that has that value; else at the section, else at the top.
    fn at_path(&self, section: &str, message: &str, full: String) -> Problem {
        let mut steps = vec![Step::Key(section.to_string())];
        steps.extend(path_of(message));
        let mut best: Option<(usize, usize, (u64, u64))> = None;
        for k in (0..self.files.len()).rev() {
            let (taken, line, column) = self.reach(k, &steps);
            if taken > best.map_or(0, |(_, t, _)| t) {
                best = Some((k, taken, (line, column)));
            }
            if taken == steps.len() {
                break;
            }
        }
        match best {
            Some((k, _, at)) => self.problem(k, at, full),
            None => self.problem(self.files.len().saturating_sub(1), (1, 1), full),
        }
    }
}

fn semantic_problems(
    scenario: &Scenario,
    locator: &Locator,
    kinds: &[Arc<dyn Blueprint>],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(start) = scenario.clock.start
        && Clock::new(None, true).set(start, true).is_err()
    {
        let message = format!("clock.start: {OutOfRange}");
        problems.push(locator.at_path("clock", "start", message));
    }
    let tables: Vec<(&str, CodeTable)> = kinds
        .iter()
        .map(|k| {
            (
                k.name(),
                CodeTable::build(k.specs(), &scenario.codes(k.name())),
            )
        })
        .collect();
    let tables: Vec<(&str, &CodeTable)> = tables.iter().map(|(n, t)| (*n, t)).collect();
    for (i, rule) in scenario.rules.iter().enumerate() {
        for message in rule.problems_with(&tables) {
            problems.push(locator.rule(i, format!("rules[{i}]: {message}")));
        }
    }
    for (name, section) in &scenario.sections {
        for message in section.section.problems(scenario) {
            problems.push(locator.at_path(name, &message, format!("{name}: {message}")));
        }
    }
    problems
}

/// Later files add to or override earlier ones: maps merge key by key, lists append,
/// and a list item with the `id` (or `login`, `code`, `guid`, `name`) of an earlier one
/// replaces it: the most specific key an item has decides, so two customers who share a
/// name but not a login stay two.
fn merge(
    parsed: &[(&String, &String, Scenario)],
    kinds: &[Arc<dyn Blueprint>],
) -> Result<Scenario, Vec<Problem>> {
    let mut merged = serde_json::Value::Null;
    for (name, text, _) in parsed {
        let value: serde_json::Value =
            serde_saphyr::from_str(text).map_err(|e| vec![saphyr_problem(name, &e)])?;
        merge_value(&mut merged, value);
    }
    let name = parsed
        .iter()
        .map(|(n, _, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    // Back through YAML rather than `serde_json::from_value`, so scalars keep YAML's
    // typing: an unquoted `123` may fill a string field as it does in a single file.
    let problem = |message: String| {
        vec![Problem {
            file: name.clone(),
            line: 0,
            column: 0,
            message,
        }]
    };
    let text =
        serde_saphyr::to_string(&merged).map_err(|e| problem(format!("merged scenario: {e}")))?;
    parse_file(&name, &text, kinds).map_err(|problems| {
        problems
            .into_iter()
            .flat_map(|p| problem(format!("merged scenario: {}", p.message)))
            .collect()
    })
}

const ITEM_KEYS: [&str; 5] = ["id", "login", "code", "guid", "name"];

fn item_key(value: &serde_json::Value) -> Option<(&'static str, &serde_json::Value)> {
    let object = value.as_object()?;
    ITEM_KEYS
        .iter()
        .find_map(|k| object.get(*k).map(|v| (*k, v)))
}

fn merge_value(base: &mut serde_json::Value, over: serde_json::Value) {
    use serde_json::Value;
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge_value(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(base), Value::Array(over)) => {
            for item in over {
                let existing = item_key(&item)
                    .and_then(|(k, v)| base.iter().position(|b| b.get(k) == Some(v)));
                match existing {
                    Some(at) => base[at] = item,
                    None => base.push(item),
                }
            }
        }
        (slot, over) => *slot = over,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::codes::{CodeOverride, CodeSpec};
    use crate::scenario::{Declared, ProviderState, Section, Seeding};

    /// A provider of the tests' own, so the core is checked without any real one.
    struct Stub;

    const SPECS: &[CodeSpec] = &[
        CodeSpec {
            key: "ok",
            code: "0",
            status: 200,
            message: "",
            scope: "",
            trigger: "",
        },
        CodeSpec {
            key: "boom",
            code: "5",
            status: 500,
            message: "boom",
            scope: "",
            trigger: "",
        },
    ];

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct StubSection {
        codes: BTreeMap<String, CodeOverride>,
        ids: Vec<String>,
    }

    struct NoState;

    impl ProviderState for NoState {
        fn view(&self, _now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn snapshot(&self) -> Result<serde_json::Value, String> {
            Ok(serde_json::Value::Null)
        }
        fn approx_bytes(&self) -> usize {
            0
        }
    }

    impl Section for StubSection {
        fn codes(&self) -> &BTreeMap<String, CodeOverride> {
            &self.codes
        }
        fn problems(&self, _scenario: &Scenario) -> Vec<String> {
            let bad = self.ids.iter().enumerate().filter(|(_, id)| id.is_empty());
            bad.map(|(i, _)| format!("ids[{i}] is empty")).collect()
        }
        fn new_state(&self, _seeding: &Seeding) -> Box<dyn ProviderState> {
            Box::new(NoState)
        }
        fn restore_state(
            &self,
            _value: serde_json::Value,
        ) -> Result<Box<dyn ProviderState>, String> {
            Ok(Box::new(NoState))
        }
    }

    impl Declared for Stub {
        const NAME: &'static str = "stub";
        const TITLE: &'static str = "a stub";
        const SPECS: &'static [CodeSpec] = SPECS;
        type Section = StubSection;
    }

    fn load(sources: &[(&str, &str)]) -> Result<Scenario, Vec<Problem>> {
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        load_sources(&sources, &[Arc::new(Stub) as Arc<dyn Blueprint>])
    }

    #[test]
    fn unknown_key_is_reported_with_line_and_column() {
        let problems = load(&[("x.yaml", "seed: 1\npeeple: []\n")]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].column),
            (2, 1),
            "{}",
            problems[0]
        );
        assert!(problems[0].message.contains("peeple"), "{}", problems[0]);
    }

    #[test]
    fn a_wrong_type_in_a_section_points_into_the_section() {
        let problems = load(&[("x.yaml", "seed: 1\nstub:\n  ids: 3\n")]).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3, "{}", problems[0]);
    }

    #[test]
    fn a_section_problem_points_at_the_value_it_names() {
        let yaml = "stub:\n  ids:\n    - a\n    - ''\n";
        let problems = load(&[("x.yaml", yaml)]).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].column),
            (4, 7),
            "{}",
            problems[0]
        );
        assert!(problems[0].message.starts_with("stub: ids[1]"));
    }

    #[test]
    fn later_files_override_and_extend_earlier_ones() {
        let a = "seed: 1\npeople:\n  - id: a\n    inn: '1111111111'\n";
        let b = "seed: 2\npeople:\n  - id: a\n    inn: '2222222222'\n  - id: b\n";
        let s = load(&[("a", a), ("b", b)]).unwrap();
        assert_eq!(s.seed, 2);
        assert_eq!(s.people.len(), 2);
        assert_eq!(s.people[0].inn.as_deref(), Some("2222222222"));
    }

    #[test]
    fn unquoted_numbers_fill_string_fields_after_a_merge_too() {
        let b = "people:\n  - id: a\n    inn: 1111111111\n";
        let s = load(&[("a", "seed: 1\n"), ("b", b)]).unwrap();
        assert_eq!(s.people[0].inn.as_deref(), Some("1111111111"));
    }

    #[test]
    fn a_later_file_may_use_what_an_earlier_one_defines() {
        let a = "stub:\n  codes:\n    boom: { code: \"9\" }\n";
        let b = "rules:\n  - when: {provider: stub}\n    then: {code: \"9\"}\n";
        assert!(load(&[("a", a), ("b", b)]).is_ok());
        let problems = load(&[("b", b)]).unwrap_err();
        assert_eq!((problems[0].file.as_str(), problems[0].line), ("b", 2));
    }

    #[test]
    fn rule_with_unknown_code_points_at_the_rule() {
        let yaml = "seed: 1\nrules:\n  - when: {provider: stub}\n    then: {code: '999'}\n";
        let problems = load(&[("r.yaml", yaml)]).unwrap_err();
        assert_eq!(problems[0].line, 3, "{}", problems[0]);
        assert!(problems[0].message.contains("999"));
    }

    #[test]
    fn every_section_is_there_even_when_a_file_has_none() {
        let s = load(&[("a", "seed: 1\n")]).unwrap();
        assert!(s.sections.contains_key("stub"));
    }
}
