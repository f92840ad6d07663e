//! Near-name suggestions for misspelled modules and members.

/// Edit distance counted in characters, where swapping two neighbouring characters is
/// one edit (`jsno` → `json`) like an insertion, a deletion or a substitution (the
/// optimal string alignment distance: the typos people make).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous (for swaps), the previous, the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let mut best = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidates close to `name`, best first, at most three. Close means an edit
/// distance of at most a third of the name's length (at least one), or the same name
/// ignoring case.
pub fn suggestions<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let length = name.chars().count();
    let limit = (length / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter_map(|c| {
            if !may_suggest(length, c.chars().count()) {
                return None;
            }
            let d = if c.eq_ignore_ascii_case(name) {
                0
            } else {
                edit_distance(name, c)
            };
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Whether a candidate of `candidate` characters can be suggested for a name of `name`
/// characters at all ([`suggestions`]' limit): the distance is at least the difference
/// in length. Lets callers skip building candidates that cannot be close.
pub fn may_suggest(name: usize, candidate: usize) -> bool {
    candidate.abs_diff(name) <= (name / 3).max(1)
}

/// How much suggestion work one module may cost: without a bound, a module with many
/// misspelled names and many names in scope costs their product (a scan of the names in
/// scope per misspelling), quadratic in its size. The budget grows with the module's
/// text (plus a floor that ordinary modules never exhaust); once spent, further
/// misspellings are reported without a "did you mean".
#[derive(Debug, Clone)]
pub struct SuggestionBudget {
    left: u64,
}

impl SuggestionBudget {
    /// Comparisons of one character with one candidate allowed per byte of the module.
    const PER_BYTE: u64 = 16;
    const FLOOR: u64 = 1 << 18;

    /// The budget of a module whose text is `text_len` bytes long.
    pub fn for_module(text_len: usize) -> SuggestionBudget {
        SuggestionBudget {
            left: (text_len as u64 * Self::PER_BYTE).max(Self::FLOOR),
        }
    }

    /// Takes the cost of comparing `name` with `candidates` names from the budget; false
    /// (and nothing taken) when that would exceed it.
    pub fn take(&mut self, name: &str, candidates: usize) -> bool {
        let cost = (name.len().max(1) as u64).saturating_mul(candidates as u64);
        if cost > self.left {
            return false;
        }
        self.left -= cost;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("geometry", "geometry"), 0);
        // A swap of two neighbours is one edit.
        assert_eq!(edit_distance("jsno", "json"), 1);
        assert_eq!(edit_distance("mtah", "math"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
        assert_eq!(edit_distance("é中", "中é"), 1);
    }

    #[test]
    fn near_names() {
        let names = ["geometry", "geography", "math", "utils.math", "Geometry"];
        assert_eq!(
            suggestions("geometri", names),
            vec!["geometry".to_string(), "Geometry".to_string()]
        );
        assert_eq!(suggestions("xyz", names), Vec::<String>::new());
        assert_eq!(
            suggestions("jsno", ["json", "math"]),
            vec!["json".to_string()]
        );
        assert_eq!(
            suggestions("utils.maht", names),
            vec!["utils.math".to_string()]
        );
        // Lengths far apart never come close.
        assert_eq!(
            suggestions("ab", ["abcdef", "abc"]),
            vec!["abc".to_string()]
        );
        assert_eq!(suggestions("é", ["è", "éé", "ééé"]), vec!["è", "éé"]);
    }

    #[test]
    fn budget() {
        let mut budget = SuggestionBudget::for_module(10);
        assert!(budget.take("name", 1000));
        assert!(!budget.take("name", 1 << 20));
        let mut big = SuggestionBudget::for_module(1 << 20);
        assert!(big.take("name", 1 << 20));
    }
}
