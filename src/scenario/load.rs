//! Reading scenario files: one file or a directory merged in name order, every problem
//! reported as `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::Scenario;
use super::spans::{Node, Step, path_of, resolve};
use crate::providers;

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
/// package defined in an earlier file) are checked on the merged result.
pub fn load_sources(sources: &[(String, String)]) -> Result<Scenario, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for (name, text) in sources {
        match serde_saphyr::from_str::<Scenario>(text) {
            Ok(scenario) => parsed.push((name, text, scenario)),
            Err(e) => problems.push(saphyr_problem(name, &e)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let scenario = match parsed.as_slice() {
        [] => Scenario::default(),
        [(_, _, only)] => only.clone(),
        _ => merge(&parsed)?,
    };
    let locator = Locator::new(&parsed);
    let problems = semantic_problems(&scenario, &locator);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems)
    }
}

/// Checks files without loading them: every problem of every file.
pub fn validate_files(paths: &[PathBuf]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for path in paths {
        match load_path(path) {
            Ok(sources) => {
                if let Err(mut p) = load_sources(&sources) {
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

/// Only the positions of what semantic checks point at; other keys are ignored here
/// because the typed parse has already checked them.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Positions {
    rules: Vec<Spanned<IgnoredAny>>,
    clock: Option<Spanned<IgnoredAny>>,
    carmachain: Option<Spanned<IgnoredAny>>,
    trustdecision: Option<Spanned<IgnoredAny>>,
    dcm: Option<Spanned<IgnoredAny>>,
    ubki: Option<Spanned<IgnoredAny>>,
    sbersafe: Option<Spanned<IgnoredAny>>,
}

impl Positions {
    fn section(&self, provider: &str) -> Option<&Spanned<IgnoredAny>> {
        match provider {
            "carmachain" => self.carmachain.as_ref(),
            "trustdecision" => self.trustdecision.as_ref(),
            "dcm" => self.dcm.as_ref(),
            "ubki" => self.ubki.as_ref(),
            "sbersafe" => self.sbersafe.as_ref(),
            "clock" => self.clock.as_ref(),
            _ => None,
        }
    }
}

/// Where things of the merged scenario were written: a provider section in the last file
/// that has one, a rule in the file (and position) it came from.
struct Locator {
    files: Vec<(String, Positions)>,
    /// Every file's nodes with their positions, for problems that name a path.
    trees: Vec<Option<Spanned<Node>>>,
    /// For each merged rule: (file index, index within that file).
    rules: Vec<(usize, usize)>,
}

impl Locator {
    fn new(parsed: &[(&String, &String, Scenario)]) -> Self {
        let mut files = Vec::new();
        let mut trees = Vec::new();
        let mut rules: Vec<(usize, usize, Option<String>)> = Vec::new();
        for (k, (name, text, scenario)) in parsed.iter().enumerate() {
            trees.push(serde_saphyr::from_str(text).ok());
            files.push((
                (*name).clone(),
                serde_saphyr::from_str(text).unwrap_or_default(),
            ));
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
            trees,
            rules: rules.into_iter().map(|(k, j, _)| (k, j)).collect(),
        }
    }

    fn problem(&self, file: usize, at: Option<&Spanned<IgnoredAny>>, message: String) -> Problem {
        let (line, column) = at
            .map(|s| (s.referenced.line(), s.referenced.column()))
            .unwrap_or((1, 1));
        let name = self
            .files
            .get(file)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        Problem {
            file: name,
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
        let at = self.files.get(k).and_then(|(_, p)| p.rules.get(j));
        self.problem(k, at, message)
    }

    /// A problem at the value its message names (`subjects[1].inn ...` under `section`),
    /// in the last file that has that value; else at the section.
    fn at_path(&self, section: &str, message: &str, full: String) -> Problem {
        let mut steps = vec![Step::Key(section.to_string())];
        steps.extend(path_of(message));
        let mut best: Option<(usize, usize, &Spanned<Node>)> = None;
        for (k, tree) in self.trees.iter().enumerate().rev() {
            let Some(tree) = tree else { continue };
            let (node, taken) = resolve(tree, &steps);
            if taken > best.map_or(0, |(_, t, _)| t) {
                best = Some((k, taken, node));
            }
            if taken == steps.len() {
                break;
            }
        }
        match best {
            Some((k, _, node)) => {
                let name = self
                    .files
                    .get(k)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                let (line, column) = (node.referenced.line(), node.referenced.column());
                Problem {
                    file: name,
                    line,
                    column,
                    message: full,
                }
            }
            None => self.section(section, full),
        }
    }

    fn section(&self, provider: &str, message: String) -> Problem {
        let found = self
            .files
            .iter()
            .enumerate()
            .rev()
            .find_map(|(k, (_, p))| p.section(provider).map(|s| (k, s)));
        match found {
            Some((k, at)) => self.problem(k, Some(at), message),
            None => self.problem(self.files.len().saturating_sub(1), None, message),
        }
    }
}

fn semantic_problems(scenario: &Scenario, locator: &Locator) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(start) = scenario.clock.start
        && crate::state::Clock::new(None, true)
            .set(start, true)
            .is_err()
    {
        problems.push(locator.at_path(
            "clock",
            "start",
            format!("clock.start: {}", crate::state::OutOfRange),
        ));
    }
    let registry = providers::registry();
    for (i, rule) in scenario.rules.iter().enumerate() {
        for message in rule.problems() {
            problems.push(locator.rule(i, format!("rules[{i}]: {message}")));
        }
        match registry.iter().find(|p| p.name() == rule.when.provider) {
            None => problems.push(locator.rule(
                i,
                format!(
                    "rules[{i}]: unknown provider `{}` (one of: {})",
                    rule.when.provider,
                    registry.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                ),
            )),
            Some(provider) => {
                if let Some(code) = &rule.then.code {
                    let table = provider.codes(scenario);
                    if !table
                        .entries
                        .iter()
                        .any(|e| &e.code == code && !e.is_success())
                    {
                        problems.push(locator.rule(
                            i,
                            format!(
                                "rules[{i}]: `{code}` is not a documented {} error code (one of: {})",
                                provider.name(),
                                table.forcible_codes().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
    }
    for provider in &registry {
        for message in provider.validate(scenario) {
            problems.push(locator.at_path(
                provider.name(),
                &message,
                format!("{}: {message}", provider.name()),
            ));
        }
    }
    problems
}

/// Later files add to or override earlier ones: maps merge key by key, lists append,
/// and a list item with the `id` (or `login`, `code`, `guid`, `name`) of an earlier one
/// replaces it: the most specific key an item has decides, so two customers who share a
/// name but not a login stay two.
fn merge(parsed: &[(&String, &String, Scenario)]) -> Result<Scenario, Vec<Problem>> {
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
    let scenario: Scenario = serde_saphyr::from_str(&text).map_err(|e| {
        problem(format!(
            "merged scenario: {}",
            saphyr_problem(&name, &e).message
        ))
    })?;
    Ok(scenario)
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
    use super::*;

    #[test]
    fn default_scenario_loads() {
        let scenario = load_sources(&[("default.yaml".into(), DEFAULT_SCENARIO.into())]);
        assert!(scenario.is_ok(), "{:?}", scenario.err());
    }

    #[test]
    fn unknown_key_is_reported_with_line_and_column() {
        let yaml = "seed: 1\npeeple: []\n";
        let problems = load_sources(&[("x.yaml".into(), yaml.into())]).unwrap_err();
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
    fn later_files_override_and_extend_earlier_ones() {
        let a = "seed: 1\npeople:\n  - id: a\n    inn: '1111111111'\n";
        let b = "seed: 2\npeople:\n  - id: a\n    inn: '2222222222'\n  - id: b\n";
        let s = load_sources(&[("a".into(), a.into()), ("b".into(), b.into())]).unwrap();
        assert_eq!(s.seed, 2);
        assert_eq!(s.people.len(), 2);
        assert_eq!(s.people[0].inn.as_deref(), Some("2222222222"));
    }

    #[test]
    fn unquoted_numbers_fill_string_fields_after_a_merge_too() {
        let a = "seed: 1\n";
        let b = "people:\n  - id: a\n    inn: 1111111111\n";
        let s = load_sources(&[("a".into(), a.into()), ("b".into(), b.into())]).unwrap();
        assert_eq!(s.people[0].inn.as_deref(), Some("1111111111"));
    }

    #[test]
    fn a_later_file_may_use_what_an_earlier_one_defines() {
        let a = "ubki:\n  codes:\n    system_error: { code: \"9\" }\n";
        let b = "rules:\n  - when: {provider: ubki}\n    then: {code: \"9\"}\n";
        assert!(load_sources(&[("a".into(), a.into()), ("b".into(), b.into())]).is_ok());
        let problems = load_sources(&[("b".into(), b.into())]).unwrap_err();
        assert_eq!((problems[0].file.as_str(), problems[0].line), ("b", 2));
    }

    #[test]
    fn rule_with_unknown_code_points_at_the_rule() {
        let yaml = "seed: 1\nrules:\n  - when: {provider: ubki}\n    then: {code: '999'}\n";
        let problems = load_sources(&[("r.yaml".into(), yaml.into())]).unwrap_err();
        assert_eq!(problems[0].line, 3, "{}", problems[0]);
        assert!(problems[0].message.contains("999"));
    }
}
