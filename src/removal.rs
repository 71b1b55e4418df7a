//! The bookkeeping every user removal shares, CSP and Cloud Director, real run and dry run:
//! inputs resolved to users first (`select`), each user sent once, guard rails applied per user,
//! and one report in the shape of `bulk`, where every item names the user it acted on.

use crate::bulk::{BulkItem, BulkReport, Target};
use crate::error::{Error, ErrorCategory};
use crate::job::Job;
use crate::select::Selectable;
use std::collections::HashMap;

pub const OUTCOME_REMOVED: &str = "removed";
/// Dry run: the real run would remove this user.
pub const OUTCOME_WOULD_REMOVE: &str = "wouldRemove";
/// Not sent: a guard rail, or a rule the server is known to apply, stops it.
pub const OUTCOME_REFUSED: &str = "refused";
pub const OUTCOME_DUPLICATE: &str = "duplicate";

/// What a caller allows a removal to do beyond the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RemovalOptions {
    /// Let the caller remove their own membership and the organization's last owner (`allowSelf`).
    pub allow_self: bool,
    /// CSP: tell the removed users by email.
    pub notify_users: bool,
}

/// A refused item: not sent, with why.
pub fn refused(input: &str, target: Target, error: Error) -> BulkItem {
    let mut it = BulkItem::failure(input, Some(target.id.clone()), error).with_target(target);
    it.outcome = OUTCOME_REFUSED.into();
    it
}

/// The guard rail's error for the caller's own account.
pub fn refuse_self(provider_refuses: bool) -> Error {
    let mut e = Error::new(
        ErrorCategory::Conflict,
        if provider_refuses {
            "this is the account you are connected as; the server does not let it remove itself".to_string()
        } else {
            "this is the account you are connected as; removing it needs allowSelf (--allow-self)".to_string()
        },
    );
    e.field = Some("allowSelf".into());
    e
}

#[derive(Clone)]
enum Step {
    /// To send: the user to remove.
    Send(Target),
    /// The same user as entry `first`: sent once, reported for every input.
    Duplicate { first: usize, target: Target },
    /// Settled before anything is sent (not found, refused, malformed).
    Settled(Box<BulkItem>),
}

/// Every input's users, in input order, before anything is sent.
#[derive(Clone)]
pub struct Plan {
    entries: Vec<(String, Step)>,
}

impl Plan {
    /// `resolved`: per input, the users it names or why none. `refuse` is asked once per distinct
    /// user, in order, and returns the error of a refused one.
    pub fn build<U: Selectable>(resolved: Vec<(String, crate::Result<Vec<U>>)>, mut refuse: impl FnMut(&U) -> Option<Error>) -> Plan {
        let mut entries = Vec::new();
        let mut first_of: HashMap<String, usize> = HashMap::new();
        for (input, users) in resolved {
            match users {
                Err(e) => entries.push((input.clone(), Step::Settled(Box::new(BulkItem::failure(input, None, e))))),
                Ok(users) => {
                    for u in users {
                        let target = u.target();
                        if let Some(&first) = first_of.get(&target.id) {
                            entries.push((input.clone(), Step::Duplicate { first, target }));
                            continue;
                        }
                        first_of.insert(target.id.clone(), entries.len());
                        let step = match refuse(&u) {
                            Some(e) => Step::Settled(Box::new(refused(&input, target, e))),
                            None => Step::Send(target),
                        };
                        entries.push((input.clone(), step));
                    }
                }
            }
        }
        Plan { entries }
    }

    /// The users to send, with the index of their entry.
    pub fn to_send(&self) -> Vec<(usize, Target)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, (_, s))| match s {
                Step::Send(t) => Some((i, t.clone())),
                _ => None,
            })
            .collect()
    }

    /// Items the report will hold.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn input(&self, entry: usize) -> &str {
        &self.entries[entry].0
    }

    /// Records the items settled before sending on the job, so its progress counts them.
    pub fn record_settled(&self, job: Option<&std::sync::Arc<Job>>) {
        if let Some(job) = job {
            for (_, s) in &self.entries {
                if let Step::Settled(item) = s {
                    job.finish(item);
                }
            }
        }
    }

    /// The dry run's report: what the real run would do, item by item.
    pub fn dry_run(&self) -> BulkReport {
        let outcomes = self
            .to_send()
            .into_iter()
            .map(|(i, target)| {
                let mut it = BulkItem::success(self.input(i), OUTCOME_WOULD_REMOVE, Some(target.id.clone())).with_target(target);
                it.message = Some("dry run: nothing was removed".into());
                (i, it)
            })
            .collect();
        self.clone().finish(outcomes, None)
    }

    /// The report: sent entries take their outcome from `sent` (missing ones were never sent:
    /// `notStarted`); duplicates follow their first entry.
    pub fn finish(self, mut sent: HashMap<usize, BulkItem>, job: Option<&std::sync::Arc<Job>>) -> BulkReport {
        let mut items: Vec<BulkItem> = Vec::with_capacity(self.entries.len());
        for (i, (input, step)) in self.entries.into_iter().enumerate() {
            let item = match step {
                Step::Settled(item) => *item,
                Step::Send(target) => {
                    sent.remove(&i).unwrap_or_else(|| BulkItem::not_started(input.clone(), Some(target.id.clone())).with_target(target))
                }
                Step::Duplicate { first, target } => {
                    let of = &items[first];
                    let mut it = of.clone();
                    it.input = input;
                    it.target = Some(target);
                    if of.ok {
                        it.outcome = OUTCOME_DUPLICATE.into();
                    }
                    it.message = Some(format!("the same user as input '{}'; sent once", of.input));
                    if let Some(job) = job.filter(|_| !it.is_not_started()) {
                        job.finish(&it);
                    }
                    it
                }
            };
            items.push(item);
        }
        BulkReport::from_items(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct U(&'static str, &'static str);
    impl Selectable for U {
        fn user_id(&self) -> &str {
            self.0
        }
        fn username(&self) -> &str {
            self.1
        }
        fn email(&self) -> &str {
            ""
        }
        fn full_name(&self) -> &str {
            ""
        }
    }

    #[test]
    fn every_input_gets_items_and_each_user_is_sent_once() {
        let nf = Error::new(ErrorCategory::NotFound, "no user");
        let plan = Plan::build(
            vec![
                ("a*".into(), Ok(vec![U("1", "ada"), U("2", "amy")])),
                ("ada".into(), Ok(vec![U("1", "ada")])),
                ("me".into(), Ok(vec![U("3", "me")])),
                ("zed".into(), Err(nf)),
            ],
            |u| (u.0 == "3").then(|| refuse_self(false)),
        );
        assert_eq!(plan.to_send().iter().map(|(i, t)| (*i, t.id.as_str())).collect::<Vec<_>>(), [(0, "1"), (1, "2")]);
        let r = plan.dry_run();
        let outcomes: Vec<(&str, &str)> = r.items.iter().map(|i| (i.input.as_str(), i.outcome.as_str())).collect();
        assert_eq!(outcomes, [("a*", "wouldRemove"), ("a*", "wouldRemove"), ("ada", "duplicate"), ("me", "refused"), ("zed", "failed")]);
        assert_eq!((r.succeeded, r.failed), (3, 2));
        assert_eq!(r.items[2].target.as_ref().unwrap().username, "ada");
    }

    #[test]
    fn unsent_items_are_not_started_and_duplicates_of_failures_fail() {
        let plan = Plan::build(vec![("x".into(), Ok(vec![U("1", "x")])), ("X".into(), Ok(vec![U("1", "x")]))], |_| None);
        let r = plan.finish(HashMap::new(), None);
        assert_eq!(r.items[0].outcome, "notStarted");
        assert_eq!(r.items[1].outcome, "notStarted");
        assert_eq!(r.not_started, 2);
    }
}
