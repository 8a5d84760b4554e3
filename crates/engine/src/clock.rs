//! The wall clock an execution reads.
//!
//! Every part of Switchback that stamps an event or schedules a timer reads the time through a
//! [`Clock`] rather than `Timestamp::now()`, so that a test can run on a clock pinned to a
//! moment of its choosing (the conformance corpus runs every case at the moment its inputs
//! were made) while time still passes at its real rate: timers, heartbeats and timeouts keep
//! their meaning.
//! The production clock is [`Clock::system`], the real time with no shift.

use jiff::{SignedDuration, Timestamp};

/// The real clock, shifted by a fixed offset (none by default). Cheap to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Added to the real time.
    offset: SignedDuration,
}

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs on at the real rate from there.
    pub fn starting_at(start: Timestamp) -> Clock {
        Clock {
            offset: Timestamp::now().duration_until(start),
        }
    }

    /// The current time on this clock.
    pub fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset)
            .unwrap_or_else(|_| Timestamp::now())
    }

    /// How far this clock is from the real time.
    pub fn offset(&self) -> SignedDuration {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_started_in_the_past_reads_that_moment_and_runs_on() {
        let start: Timestamp = "2023-12-13T07:09:17Z".parse().expect("a timestamp");
        let clock = Clock::starting_at(start);
        let first = clock.now();
        assert!(first >= start, "{first} is before {start}");
        assert!(
            first.duration_since(start) < SignedDuration::from_secs(60),
            "{first} is far from {start}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > first, "the clock does not run");
    }

    #[test]
    fn the_system_clock_is_the_real_time() {
        let before = Timestamp::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= Timestamp::now());
    }
}
