//! How much of a run happens before it pauses: the page runs a long script a
//! slice at a time so that it keeps answering, and a slice is a number of units
//! of work (a world event or a statement is one). A run paused and resumed is
//! the same run as one done at once; the runner keeps where it stopped.

/// The units of work left before the run pauses, and whether it did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// `None` runs without pausing.
    left: Option<u64>,
    /// The budget ran out in the middle of a statement or stage.
    paused: bool,
}

impl Budget {
    /// Sets the units left (`None`: no limit); whether the run paused stays.
    pub fn limit(&mut self, left: Option<u64>) {
        self.left = left;
    }

    /// The run goes on: it is no longer paused.
    pub fn resume(&mut self) {
        self.paused = false;
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Takes one unit; false (and paused) when none is left.
    pub fn spend(&mut self) -> bool {
        match &mut self.left {
            Some(0) => {
                self.paused = true;
                false
            }
            Some(left) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_of_n_spends_n_units_then_pauses_until_resumed() {
        let mut budget = Budget::default();
        budget.limit(Some(2));
        assert!(budget.spend() && budget.spend());
        assert!(!budget.paused());
        assert!(!budget.spend());
        assert!(budget.paused());
        // Lifting the limit does not unpause: the runner resumes explicitly.
        budget.limit(None);
        assert!(budget.paused());
        budget.resume();
        assert!(!budget.paused());
        assert!((0..1000).all(|_| budget.spend()), "no limit never pauses");
    }
}
