//! Lanes: the sequential strands of an execution, so that an event's place does not depend on
//! how concurrent strands happened to interleave.
//!
//! The top level of an execution is one lane; every Parallel branch and every Map iteration is
//! a lane of its own. Within a lane, events come one after another in a fixed order, whatever
//! the timing of other lanes. A lane's identity (its `key`) is derived from its parent's key,
//! the parent's position when it was spawned, and the child's index, so a second run of the
//! same execution gives every lane the same key again.
//!
//! This is what lets a Standard execution be resumed by running it again from the start: each
//! event it produces is looked up by its [`Place`] (lane key and ordinal) in the journal of the
//! first run, and an event found there is taken as already done, with its id and timestamp.
//! Randomness is drawn per lane for the same reason: a replayed lane draws the same numbers
//! even when other lanes finish in another order.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use jiff::Timestamp;

/// Where an event stands in its execution: its lane and its position within the lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Place {
    /// The lane's key (0 for the top level).
    pub lane: u64,
    /// 0 for the lane's first event, then 1, 2, ...
    pub ordinal: u32,
}

impl Place {
    /// The place of an event written outside the lanes (`ExecutionAborted`,
    /// `ExecutionRedriven`): no replay looks for it.
    pub const OUTSIDE: Place = Place {
        lane: 0,
        ordinal: u32::MAX,
    };
}

/// One lane's progress.
struct Lane {
    key: u64,
    /// The ordinal of the lane's next event.
    next_ordinal: u32,
    /// The time of the lane's last event: the base of its Wait deadlines, retry back-offs and
    /// task timeouts, so that a replayed lane computes the same deadlines as the first run.
    time: Timestamp,
    /// How many random numbers the lane has drawn.
    draws: u64,
}

/// The lanes of one execution, and which one is running now.
pub(crate) struct Lanes {
    current: Cell<u32>,
    lanes: RefCell<Vec<Lane>>,
}

impl Lanes {
    /// The top-level lane only, starting at `start`.
    pub fn new(start: Timestamp) -> Lanes {
        Lanes {
            current: Cell::new(0),
            lanes: RefCell::new(vec![Lane {
                key: 0,
                next_ordinal: 0,
                time: start,
                draws: 0,
            }]),
        }
    }

    /// The place of the current lane's next event, without taking it.
    pub fn peek(&self) -> Place {
        let lanes = self.lanes.borrow();
        let lane = &lanes[self.current.get() as usize];
        Place {
            lane: lane.key,
            ordinal: lane.next_ordinal,
        }
    }

    /// Takes the current lane's next place for an event that happened at `time`.
    pub fn advance(&self, time: Timestamp) -> Place {
        let mut lanes = self.lanes.borrow_mut();
        let lane = &mut lanes[self.current.get() as usize];
        let place = Place {
            lane: lane.key,
            ordinal: lane.next_ordinal,
        };
        lane.next_ordinal += 1;
        lane.time = time;
        place
    }

    /// The time of the current lane's last event.
    pub fn time(&self) -> Timestamp {
        self.lanes.borrow()[self.current.get() as usize].time
    }

    /// A new lane for child `index` of the current lane (a branch or an iteration).
    pub fn spawn(&self, index: usize) -> u32 {
        let mut lanes = self.lanes.borrow_mut();
        let parent = &lanes[self.current.get() as usize];
        let key = mix(
            mix(parent.key ^ 0x6c61_6e65, u64::from(parent.next_ordinal)),
            index as u64,
        );
        let time = parent.time;
        lanes.push(Lane {
            key,
            next_ordinal: 0,
            time,
            draws: 0,
        });
        (lanes.len() - 1) as u32
    }

    /// 64 random bits for the current lane, from the execution's `seed`.
    pub fn random_u64(&self, seed: u64) -> u64 {
        let mut lanes = self.lanes.borrow_mut();
        let lane = &mut lanes[self.current.get() as usize];
        lane.draws += 1;
        mix(seed ^ lane.key, lane.draws)
    }

    /// Runs `future` in lane `lane`: while it is polled, events are placed in that lane.
    pub fn run_in<F: Future + Unpin>(&self, lane: u32, future: F) -> InLane<'_, F> {
        InLane {
            lanes: self,
            lane,
            inner: future,
        }
    }
}

/// SplitMix64's finaliser over `a` and `b`: a cheap, well-spread hash.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A future that runs in its own lane (see [`Lanes::run_in`]).
pub(crate) struct InLane<'l, F> {
    lanes: &'l Lanes,
    lane: u32,
    inner: F,
}

impl<F: Future + Unpin> Future for InLane<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let outer = self.lanes.current.replace(self.lane);
        let result = Pin::new(&mut self.inner).poll(cx);
        self.lanes.current.set(outer);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_get_the_same_keys_in_any_order_of_spawning_siblings() {
        let start = Timestamp::UNIX_EPOCH;
        let a = Lanes::new(start);
        a.advance(start);
        let a1 = a.spawn(1);
        let a0 = a.spawn(0);
        let b = Lanes::new(start);
        b.advance(start);
        let b0 = b.spawn(0);
        let b1 = b.spawn(1);
        let key = |l: &Lanes, i: u32| l.lanes.borrow()[i as usize].key;
        assert_eq!(key(&a, a0), key(&b, b0));
        assert_eq!(key(&a, a1), key(&b, b1));
        assert_ne!(key(&a, a0), key(&a, a1));
    }

    #[test]
    fn a_later_spawn_point_gives_other_keys() {
        let start = Timestamp::UNIX_EPOCH;
        let l = Lanes::new(start);
        let first = l.spawn(0);
        l.advance(start);
        let second = l.spawn(0);
        let key = |i: u32| l.lanes.borrow()[i as usize].key;
        assert_ne!(key(first), key(second));
    }

    #[test]
    fn each_lane_draws_its_own_sequence() {
        let start = Timestamp::UNIX_EPOCH;
        let l = Lanes::new(start);
        let child = l.spawn(0);
        let top = l.random_u64(7);
        l.current.set(child);
        let in_child = l.random_u64(7);
        assert_ne!(top, in_child);
        l.current.set(0);
        assert_ne!(l.random_u64(7), top);
    }
}
