//! Caps for the maps in provider state, so memory stays bounded under any load.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

/// Makes room for one more entry in `map` of at most `cap` entries: drops the entries
/// that are no longer `live`, then, while still full, the oldest by `age`. Entries whose
/// `age` is `None`, such as scenario presets, are never evicted, even when expired (an
/// expired preset must keep answering "expired").
pub fn make_room<K, V, A, S: BuildHasher>(
    map: &mut HashMap<K, V, S>,
    cap: usize,
    live: impl Fn(&V) -> bool,
    age: impl Fn(&V) -> Option<A>,
) where
    K: Eq + Hash + Clone,
    A: Ord,
{
    if map.len() < cap {
        return;
    }
    map.retain(|_, v| live(v) || age(v).is_none());
    while map.len() >= cap {
        let oldest = map
            .iter()
            .filter_map(|(k, v)| age(v).map(|a| (a, k)))
            .min_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, k)| k.clone());
        match oldest {
            Some(key) => map.remove(&key),
            None => break,
        };
    }
}

/// Whether a restored store of `len` entries keeps its cap, so a snapshot cannot grow a
/// tenant past what traffic could; the error names the store by its path.
pub fn fits(path: &str, len: usize, cap: usize) -> Result<(), String> {
    if len <= cap {
        Ok(())
    } else {
        Err(format!("{path}: {len} entries, at most {cap} are kept"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_dead_entries_first_then_the_oldest_but_never_presets() {
        // value: (age, live); age None = preset.
        let mut map: HashMap<&str, (Option<u32>, bool)> = [
            ("dead", (Some(5), false)),
            ("old", (Some(1), true)),
            ("new", (Some(9), true)),
            ("preset", (None, false)),
        ]
        .into_iter()
        .collect();

        make_room(&mut map, 3, |v| v.1, |v| v.0);
        assert_eq!(map.len(), 2, "room for one more under the cap of 3");
        make_room(&mut map, 2, |v| v.1, |v| v.0);
        assert_eq!(map.len(), 1, "presets are never evicted");

        let mut left: Vec<&str> = map.keys().copied().collect();
        left.sort();
        assert_eq!(left, ["preset"]);
    }
}
