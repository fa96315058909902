//! UBKI's state in one tenant: session keys, brute-force counters, discounts and
//! StatusControl subscriptions. Times are the tenant's virtual clock; days are counted
//! in Kyiv time, as UBKI counts them.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Kyiv;
use serde::{Deserialize, Serialize};
use serde_with::serde_as;

use super::scenario::UbkiScenario;
use crate::rng;
use crate::state::bounded::{fits, make_room};

/// Session keys kept per tenant; expired ones go first, then the oldest.
pub const MAX_SESSIONS: usize = 10_000;
/// Discounts and StatusControls kept per tenant; expired ones go first.
pub const MAX_DISCOUNTS: usize = 100_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub sessid: String,
    pub login: String,
    pub created: DateTime<Utc>,
    /// `None`: a scenario key that never expires.
    pub expires: Option<DateTime<Utc>>,
}

impl Session {
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        // Valid through the whole last second, 23:59:59.999.
        self.expires
            .is_none_or(|e| now.timestamp() <= e.timestamp())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Failures {
    pub count: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// The latest wrong password: at the cap the least recently failing login goes.
    #[serde(default)]
    pub last: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Discount {
    pub inn: String,
    pub reptype: String,
    pub email: String,
    /// Who the INN belongs to (from `people`, or generated from the seed), for the
    /// state view: QA sees whose discount it is.
    pub subject: String,
    pub term_days: u32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusControl {
    pub inn: String,
    pub reptype: String,
    pub start: Option<DateTime<Utc>>,
    /// `None`: active for as long as the scenario says so.
    pub end: Option<DateTime<Utc>>,
    pub phone: Option<String>,
}

impl StatusControl {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.end.is_none_or(|e| now < e)
    }
}

/// Serialised whole for snapshots; `tenant`, `seed` and `issued` go along, so keys
/// issued after a restore continue the same sequence.
#[serde_as]
#[derive(Serialize, Deserialize)]
pub struct UbkiState {
    tenant: String,
    seed: u64,
    issued: u64,
    pub sessions: HashMap<String, Session>,
    pub failures: HashMap<String, Failures>,
    #[serde_as(as = "Vec<(_, _)>")]
    pub discounts: BTreeMap<(String, String), Discount>,
    pub status_controls: BTreeMap<String, StatusControl>,
}

/// Why a new entry could not be stored.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl UbkiState {
    pub fn new(scenario: &UbkiScenario, seed: u64, tenant: &str) -> Self {
        let sessions = scenario
            .session_keys
            .iter()
            .map(|k| {
                let session = Session {
                    sessid: k.sessid.clone(),
                    login: k.login.clone(),
                    created: DateTime::<Utc>::MIN_UTC,
                    expires: k.expires,
                };
                (k.sessid.clone(), session)
            })
            .collect();
        let status_controls = scenario
            .subjects
            .iter()
            .filter_map(|s| {
                s.status_control.as_ref().map(|reptype| {
                    let sc = StatusControl {
                        inn: s.inn.clone(),
                        reptype: reptype.clone(),
                        start: None,
                        end: None,
                        phone: None,
                    };
                    (s.inn.clone(), sc)
                })
            })
            .collect();
        Self {
            tenant: tenant.to_string(),
            seed,
            issued: 0,
            sessions,
            failures: HashMap::new(),
            discounts: BTreeMap::new(),
            status_controls,
        }
    }

    /// A new session key for `login`, valid to the end of its Kyiv day (see `expiry`).
    pub fn issue(&mut self, login: &str, now: DateTime<Utc>) -> Session {
        make_room(
            &mut self.sessions,
            MAX_SESSIONS,
            |s| s.valid_at(now),
            |s| s.expires.map(|_| (s.created, s.sessid.clone())),
        );
        self.issued += 1;
        let n = self.issued.to_string();
        let mut g = rng::rng_for(self.seed, &["ubki", "sessid", &self.tenant, &n]);
        let session = Session {
            sessid: rng::hex_upper(&mut g, 32),
            login: login.to_string(),
            created: now,
            expires: Some(expiry(now)),
        };
        self.sessions
            .insert(session.sessid.clone(), session.clone());
        session
    }

    pub fn session(&self, sessid: &str, now: DateTime<Utc>) -> Option<&Session> {
        self.sessions.get(sessid).filter(|s| s.valid_at(now))
    }

    pub fn locked(&self, login: &str, now: DateTime<Utc>) -> bool {
        self.failures
            .get(login)
            .and_then(|f| f.locked_until)
            .is_some_and(|until| now < until)
    }

    /// Counts a wrong password; returns whether the login is now locked.
    pub fn fail(&mut self, login: &str, now: DateTime<Utc>, attempts: u32, lock: Duration) -> bool {
        if !self.failures.contains_key(login) {
            // One at a time, the least recently failing first, locked logins last.
            make_room(
                &mut self.failures,
                MAX_SESSIONS,
                |_| true,
                |f| {
                    let locked = f.locked_until.is_some_and(|until| now < until);
                    Some((locked, f.last.unwrap_or(DateTime::<Utc>::MIN_UTC)))
                },
            );
        }
        let f = self.failures.entry(login.to_string()).or_default();
        if f.locked_until.is_some_and(|until| now >= until) {
            *f = Failures::default();
        }
        f.count += 1;
        f.last = Some(now);
        if attempts > 0 && f.count >= attempts {
            f.locked_until = Some(now + lock);
            return true;
        }
        false
    }

    pub fn succeed(&mut self, login: &str) {
        self.failures.remove(login);
    }

    pub fn status_control(&self, inn: &str, now: DateTime<Utc>) -> Option<&StatusControl> {
        self.status_controls.get(inn).filter(|s| s.active_at(now))
    }

    /// The active discount for (inn, reptype), or a new one of `term_days` from `now`
    /// for `subject` (asked only then).
    pub fn discount(
        &mut self,
        inn: &str,
        reptype: &str,
        email: &str,
        subject: impl FnOnce() -> String,
        term_days: u32,
        now: DateTime<Utc>,
    ) -> Result<&Discount, Full> {
        let key = (inn.to_string(), reptype.to_string());
        let active = self.discounts.get(&key).is_some_and(|d| now < d.end);
        if !active {
            let discount = self.new_discount(inn, reptype, email, subject(), term_days, now)?;
            self.discounts.insert(key.clone(), discount);
        }
        self.discounts.get(&key).ok_or(Full)
    }

    fn new_discount(
        &mut self,
        inn: &str,
        reptype: &str,
        email: &str,
        subject: String,
        term_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Discount, Full> {
        if self.discounts.len() >= MAX_DISCOUNTS {
            self.discounts.retain(|_, d| now < d.end);
            if self.discounts.len() >= MAX_DISCOUNTS {
                return Err(Full);
            }
        }
        Ok(Discount {
            inn: inn.to_string(),
            reptype: reptype.to_string(),
            email: email.to_string(),
            subject,
            term_days,
            start: now,
            end: now
                .checked_add_signed(Duration::days(i64::from(term_days)))
                .ok_or(Full)?,
        })
    }

    /// Starts a StatusControl bought through `free`: a year for SKN, 3 months for SKN_3.
    pub fn buy_status_control(
        &mut self,
        inn: &str,
        reptype: &str,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<StatusControl, Full> {
        if self.status_controls.len() >= MAX_DISCOUNTS {
            self.status_controls.retain(|_, s| s.active_at(now));
            if self.status_controls.len() >= MAX_DISCOUNTS {
                return Err(Full);
            }
        }
        let months = if reptype == "SKN_3" { 3 } else { 12 };
        let end = now
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(now + Duration::days(30 * i64::from(months)));
        let sc = StatusControl {
            inn: inn.to_string(),
            reptype: reptype.to_string(),
            start: Some(now),
            end: Some(end),
            phone: Some(phone.to_string()),
        };
        self.status_controls.insert(inn.to_string(), sc.clone());
        Ok(sc)
    }
}

/// End of a session key issued at `now`: 23:59:59 Kyiv time of the day of issue, or
/// of the next day for a key issued from 22:00.
pub fn expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Kyiv);
    let mut day = local.date_naive();
    if local.time() >= NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default() {
        day = day.succ_opt().unwrap_or(day);
    }
    let end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
    Kyiv.from_local_datetime(&end)
        .latest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + Duration::hours(24))
}

/// `YYYY-MM-DD HH:MM:SS` in Kyiv time, as UBKI writes dates.
/// The offset comes from chrono-tz's table for the instant; the text is written field by
/// field, which costs a fraction of parsing a strftime pattern on every answer.
pub fn kyiv(t: DateTime<Utc>) -> String {
    let utc = t.naive_utc();
    let local = utc + crate::clock::zone_offset(Kyiv, &utc);
    let mut text = String::with_capacity(19);
    if !crate::clock::push_date_time(&mut text, &local, b' ') {
        return local.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    text
}

/// `d.m.Y G:i` in Kyiv time (`25.05.2017 15:20`, `26.05.2017 0:00`), as UBKI's XML
/// dialect writes dates.
pub fn kyiv_xml(t: DateTime<Utc>) -> String {
    t.with_timezone(&Kyiv).format("%d.%m.%Y %-H:%M").to_string()
}

impl UbkiState {
    /// The state a snapshot describes, within the caps traffic is held to.
    pub fn restore(value: serde_json::Value) -> Result<Self, String> {
        let state: Self = crate::scenario::restore_of(value)?;
        fits("sessions", state.sessions.len(), MAX_SESSIONS)?;
        fits("failures", state.failures.len(), MAX_SESSIONS)?;
        fits("discounts", state.discounts.len(), MAX_DISCOUNTS)?;
        fits(
            "status_controls",
            state.status_controls.len(),
            MAX_DISCOUNTS,
        )?;
        Ok(state)
    }
}

impl crate::scenario::ProviderState for UbkiState {
    fn snapshot(&self) -> Result<serde_json::Value, String> {
        crate::scenario::snapshot_of(self)
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("keys", self.sessions.len() as u64),
            ("discounts", self.discounts.len() as u64),
        ]
    }

    /// Per entity, from the README's figure (100,000 discounts and 10,000 keys ≈ 35 MB:
    /// ≈ 300 B each, a struct of short strings and times plus its map node); a
    /// brute-force counter is a login and two numbers (≈ 100 B).
    fn approx_bytes(&self) -> usize {
        let entities = self.sessions.len() + self.discounts.len() + self.status_controls.len();
        entities * 300 + self.failures.len() * 100
    }

    fn view(&self, now: DateTime<Utc>) -> serde_json::Value {
        let mut sessions: Vec<_> = self.sessions.values().collect();
        sessions.sort_by(|a, b| a.created.cmp(&b.created).then(a.sessid.cmp(&b.sessid)));
        serde_json::json!({
            "sessions": sessions.iter().map(|s| serde_json::json!({
                "sessid": s.sessid,
                "login": s.login,
                "dateed": s.expires.map(kyiv),
                "valid": s.valid_at(now),
            })).collect::<Vec<_>>(),
            "failures": self.failures,
            "discounts": self.discounts.values().map(|d| serde_json::json!({
                "inn": d.inn,
                "reptype": d.reptype,
                "email": d.email,
                "subject": d.subject,
                "discount_term": d.term_days,
                "discount_start_date": kyiv(d.start),
                "discount_end_date": kyiv(d.end),
                "active": now < d.end,
            })).collect::<Vec<_>>(),
            "status_controls": self.status_controls.values().map(|s| serde_json::json!({
                "inn": s.inn,
                "reptype": s.reptype,
                "end": s.end.map(kyiv),
                "active": s.active_at(now),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn key_issued_before_22_kyiv_lasts_to_the_end_of_that_day() {
        // 21:59 Kyiv in summer (UTC+3) is 18:59 UTC.
        assert_eq!(
            kyiv(expiry(at("2024-09-04T18:59:00Z"))),
            "2024-09-04 23:59:59"
        );
    }

    #[test]
    fn key_issued_from_22_kyiv_lasts_through_the_next_day() {
        assert_eq!(
            kyiv(expiry(at("2024-09-04T19:00:00Z"))),
            "2024-09-05 23:59:59"
        );
    }

    #[test]
    fn kyiv_dates_match_chrono_tz_formatting_across_both_dst_switches() {
        // Every 15 minutes of 2024 (spring forward 31 March, fall back 27 October),
        // then the far years the four-digit fast path hands back to chrono.
        let start = at("2024-01-01T00:00:00Z");
        let far = [at("0001-01-01T00:00:00Z"), at("9999-12-31T23:59:59Z")];
        let instants = (0..366 * 96)
            .map(|i| start + Duration::minutes(15 * i))
            .chain(far);
        for t in instants {
            let expected = t
                .with_timezone(&Kyiv)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            assert_eq!(kyiv(t), expected, "at {t}");
        }
    }

    #[test]
    fn xml_dates_are_day_month_year_and_an_unpadded_hour() {
        assert_eq!(kyiv_xml(at("2017-05-25T12:20:59Z")), "25.05.2017 15:20");
        assert_eq!(kyiv_xml(at("2017-05-25T21:00:00Z")), "26.05.2017 0:00");
    }

    #[test]
    fn active_discount_is_returned_again_and_renewed_after_its_term() {
        let mut s = UbkiState::new(&UbkiScenario::default(), 1, "t");
        let t0 = at("2024-09-04T11:39:13Z");
        let mut asked = 0;
        let mut start_at = |s: &mut UbkiState, t| {
            let d = s.discount(
                "3241500301",
                "ALB",
                "",
                || {
                    asked += 1;
                    "Subject".into()
                },
                7,
                t,
            );
            d.unwrap().start
        };
        let a = start_at(&mut s, t0);
        let b = start_at(&mut s, t0 + Duration::days(3));
        assert_eq!(a, b);
        let c = start_at(&mut s, t0 + Duration::days(7));
        assert_eq!(c, t0 + Duration::days(7));
        // The subject's name is asked for a new discount only.
        assert_eq!(asked, 2);
    }

    #[test]
    fn lock_after_threshold_then_release_after_lock_time() {
        let mut s = UbkiState::new(&UbkiScenario::default(), 1, "t");
        let t0 = at("2024-09-04T11:00:00Z");
        for _ in 0..4 {
            assert!(!s.fail("u", t0, 5, Duration::minutes(30)));
        }
        assert!(s.fail("u", t0, 5, Duration::minutes(30)));
        assert!(s.locked("u", t0 + Duration::minutes(29)));
        assert!(!s.locked("u", t0 + Duration::minutes(30)));
    }

    #[test]
    fn failing_logins_beyond_the_cap_drop_the_least_recent_unlocked_one() {
        let mut s = UbkiState::new(&UbkiScenario::default(), 1, "t");
        let t0 = at("2024-09-04T11:00:00Z");
        let lock = Duration::minutes(30);
        s.fail("locked", t0, 1, Duration::days(1));
        for i in 0..MAX_SESSIONS - 1 {
            s.fail(
                &format!("u{i}"),
                t0 + Duration::seconds(i as i64 + 1),
                5,
                lock,
            );
        }

        s.fail("new", t0 + Duration::hours(1), 5, lock);

        assert_eq!(s.failures.len(), MAX_SESSIONS);
        assert!(!s.failures.contains_key("u0"), "the least recent went");
        assert!(s.failures.contains_key("u1") && s.failures.contains_key("new"));
        assert!(
            s.locked("locked", t0 + Duration::hours(1)),
            "a locked login stays"
        );
    }
}
