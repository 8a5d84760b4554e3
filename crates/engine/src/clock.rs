//! The wall clock an execution reads.
//!
//! Every part of Switchback that stamps an event or schedules a timer reads the time through a
//! [`Clock`] rather than `Timestamp::now()`, so that a test can run on a clock pinned to a
//! moment of its choosing (the conformance corpus runs every case at the moment its inputs
//! were made) while time still passes at its real rate: timers, heartbeats and timeouts keep
//! their meaning.
//! The production clock is [`Clock::system`], the real time with no shift. A test suite that
//! drives a server may ask for a faster one ([`Clock::faster`], `serve --time-scale`): a Wait
//! of an hour then passes in a second at 3600x, as do retry back-offs and timeouts.

use jiff::{SignedDuration, Timestamp};

/// The real clock, shifted by a fixed offset (none by default). Cheap to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Added to the real time.
    offset: SignedDuration,
    /// How many times faster than the real time it runs (0 or 1: the real rate).
    speed: u32,
    /// The real time a faster clock started from.
    origin: Timestamp,
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
            ..Clock::default()
        }
    }

    /// This clock, from now on running `speed` times faster than the real time.
    pub fn faster(self, speed: u32) -> Clock {
        Clock {
            speed,
            origin: Timestamp::now(),
            ..self
        }
    }

    /// The current time on this clock.
    pub fn now(&self) -> Timestamp {
        let real = Timestamp::now();
        let shifted = if self.speed <= 1 {
            real.checked_add(self.offset)
        } else {
            let elapsed = self.origin.duration_until(real);
            elapsed
                .checked_mul(self.speed as i32)
                .and_then(|fast| self.origin.checked_add(fast).ok())
                .and_then(|t| t.checked_add(self.offset).ok())
                .ok_or(())
                .or_else(|()| real.checked_add(self.offset))
        };
        shifted.unwrap_or(real)
    }

    /// How long to sleep in real time until this clock reads `deadline`; `None` when it has
    /// passed.
    pub fn real_wait_until(&self, deadline: Timestamp) -> Option<std::time::Duration> {
        let left = std::time::Duration::try_from(self.now().duration_until(deadline)).ok()?;
        Some(left / self.speed.max(1))
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
    fn a_faster_clock_runs_ahead_and_waits_shrink_by_its_speed() {
        let clock = Clock::system().faster(1000);
        let start = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let passed = start.duration_until(clock.now());
        // 20 ms of real time are at least 20 s on a clock 1,000 times faster.
        assert!(passed >= SignedDuration::from_secs(20), "{passed:?}");
        let hour = clock.now() + SignedDuration::from_secs(3600);
        let wait = clock.real_wait_until(hour).expect("in the future");
        assert!(wait <= std::time::Duration::from_millis(3600), "{wait:?}");
        assert_eq!(clock.real_wait_until(start), None);
        assert_eq!(
            Clock::system().real_wait_until(Timestamp::now() - SignedDuration::from_secs(1)),
            None
        );
    }

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
