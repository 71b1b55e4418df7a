//! The adaptive send-rate limiter every connection's transport shares, after the AWS SDKs'
//! adaptive retry mode: a token bucket that is off until the service throttles, then fills at a
//! rate cut by `BETA` on congestion and grown back along a cubic curve on success (CUBIC, as
//! the SDKs do). Every attempt, retries included, takes a token, so retries cannot storm.
//!
//! Two changes from the SDKs, both so that throughput stays high:
//! - Congestion is judged over a window of answers (the last second, started afresh at each cut),
//!   not from one answer: a window cuts the rate only when more than `CONGESTED_SHARE` of its
//!   answers were 429s. A service (or a fault rule) that throttles a small share of requests at
//!   random would otherwise drive the rate to the floor.
//! - The cut starts from the rate the service accepted since the last cut (what got through,
//!   over that whole time, so a burst a service's bucket lets through after a quiet spell does
//!   not pass for its sustained rate), not from the rate sent, so a client far above the limit
//!   lands near it at once.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BETA: f64 = 0.7;
const SCALE: f64 = 0.4;
const MIN_FILL_RATE: f64 = 0.5;
/// Share of 429s in a window that counts as congestion.
const CONGESTED_SHARE: f64 = 0.05;
/// A window is judged only with this many answers and 429s in it: fewer is noise (a lone 429
/// only delays its own request).
const MIN_ANSWERS: usize = 50;
const MIN_THROTTLED: usize = 4;
const WINDOW: Duration = Duration::from_secs(1);

pub(crate) struct SendRateLimiter {
    epoch: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The bucket is used only once the service has shown congestion.
    enabled: bool,
    fill_rate: f64,
    capacity: f64,
    max_capacity: f64,
    last_refill: f64,
    /// Rate (requests/s) the last cut started from, and when it happened.
    last_max_rate: f64,
    last_cut: f64,
    time_window: f64,
    /// Recent answers: when, and whether they were 429s.
    answers: VecDeque<(f64, bool)>,
    sends: VecDeque<f64>,
}

/// What the limiter knows, for benchmarks and tests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimiterState {
    pub enabled: bool,
    /// Requests per second the bucket allows (meaningless while not enabled).
    pub fill_rate: f64,
}

impl SendRateLimiter {
    pub fn new() -> Self {
        SendRateLimiter { epoch: Instant::now(), state: Mutex::new(State::default()) }
    }

    fn now(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state(&self) -> LimiterState {
        let s = self.lock();
        LimiterState { enabled: s.enabled, fill_rate: s.fill_rate }
    }

    /// Takes one send token, waiting for it when the bucket is in use. The token is reserved at
    /// once, so waiters are served in turn and the rate holds however many wait.
    pub async fn acquire(&self) {
        let wait = {
            let now = self.now();
            let mut s = self.lock();
            s.sends.push_back(now);
            while s.sends.front().is_some_and(|t| now - t > WINDOW.as_secs_f64()) {
                s.sends.pop_front();
            }
            if !s.enabled {
                return;
            }
            s.refill(now);
            s.capacity -= 1.0;
            if s.capacity >= 0.0 {
                return;
            }
            Duration::from_secs_f64(-s.capacity / s.fill_rate)
        };
        tokio::time::sleep(wait).await;
    }

    /// Records an answer: `throttled` for a 429, anything else counts as success.
    pub fn on_answer(&self, throttled: bool) {
        let now = self.now();
        let mut s = self.lock();
        s.answers.push_back((now, throttled));
        while s.answers.front().is_some_and(|(t, _)| now - t > WINDOW.as_secs_f64()) {
            s.answers.pop_front();
        }
        // Rates over the whole time since the last cut (at most a window), not over the answers'
        // own span: a service's bucket lets a burst through after a quiet spell, and the burst's
        // rate is not what it sustains.
        let span = (now - s.last_cut).min(WINDOW.as_secs_f64()).max(0.01);
        let sent = s.sends.iter().filter(|t| now - **t <= span).count() as f64 / span;
        let throttled_n = s.answers.iter().filter(|(_, th)| *th).count();
        let share = throttled_n as f64 / s.answers.len() as f64;
        let congested = throttled && s.answers.len() >= MIN_ANSWERS && throttled_n >= MIN_THROTTLED && share > CONGESTED_SHARE;
        if congested {
            let accepted = (s.answers.len() - throttled_n) as f64 / span;
            let from = if s.enabled { s.fill_rate.min(sent) } else { sent };
            let from = from.min(accepted.max(MIN_FILL_RATE));
            s.last_max_rate = from;
            s.time_window = (from * (1.0 - BETA) / SCALE).cbrt();
            s.last_cut = now;
            s.enabled = true;
            s.set_rate(from * BETA, now);
            // The next judgment is of answers at the new rate.
            s.answers.clear();
        } else if s.enabled && !throttled {
            let t = now - s.last_cut - s.time_window;
            let cubic = SCALE * t * t * t + s.last_max_rate;
            // The SDKs' cap: twice the rate sent of late (over the sends' own span, so a client
            // held low by a long throttled spell recovers as fast as the curve allows).
            let sent = s.sends.len() as f64 / s.sends.front().map_or(0.0, |t| now - t).max(0.01);
            let ceiling = 2.0 * sent.max(s.fill_rate / 2.0);
            s.set_rate(cubic.min(ceiling), now);
        }
    }
}

impl State {
    fn refill(&mut self, now: f64) {
        let added = (now - self.last_refill) * self.fill_rate;
        self.capacity = (self.capacity + added).min(self.max_capacity);
        self.last_refill = now;
    }

    fn set_rate(&mut self, rate: f64, now: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        // A tenth of a second of burst: enough to keep requests flowing, little overshoot.
        self.max_capacity = (self.fill_rate / 10.0).max(1.0);
        self.capacity = self.capacity.min(self.max_capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_rare_throttles_leave_the_rate_alone_and_heavy_ones_cut_it() {
        let l = SendRateLimiter::new();
        for i in 0..400 {
            l.on_answer(i % 40 == 0);
        }
        assert!(!l.state().enabled, "2.5% of 429s is not congestion");
        for i in 0..400 {
            l.on_answer(i % 2 == 0);
        }
        let s = l.state();
        assert!(s.enabled, "half refused is congestion");
        assert!(s.fill_rate >= MIN_FILL_RATE);
    }
}
