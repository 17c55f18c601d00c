// Observe/notify scheduling of one observed reported property: LwM2M pmin/pmax/st/gt/lt exactly as
// DESIGN.md "Observe/notify" and reference 7.2 give them. Pure: times are durations since the
// session opened, passed in by the caller; unit-tested on a simulated clock.
#pragma once

#include <chrono>
#include <optional>

#include "sim/values.hpp"

namespace fleetsim::sim {

struct ObserveParams {
  std::chrono::nanoseconds sample{std::chrono::seconds(1)};
  std::chrono::nanoseconds pmin{0};
  std::chrono::nanoseconds pmax{0};  // 0: none; pmax < pmin: ignored
  std::optional<double> st, gt, lt;
};

// The observe attributes of a [[reported]] entry; the Observer keeps a pointer, so store these
// where they outlive it (in the plan, next to the scenario).
inline ObserveParams observe_params(const Reported& r) {
  return ObserveParams{r.sample, r.pmin, r.pmax, r.st, r.gt, r.lt};
}

// One observed property of one session. Not thread-safe: it belongs to its session's thread.
// Usage: open(t0, first value) and publish; then sleep until next_deadline() and loop
//   while (auto at = observer.advance(now, sampler)) { publish observer.current(); observer.notified(*at); }
// Ties are exact (integer nanoseconds): a sample and a pmin or pmax expiry at the same instant
// give at most one notification, carrying the value sampled at that instant.
class Observer {
 public:
  using Time = std::chrono::nanoseconds;
  explicit Observer(const ObserveParams& params) noexcept : p_(&params) {}

  // The session opened at t0 with the first sampled value: that is the first notification,
  // recorded here (as by notified(t0)); the caller publishes current() now. Samples follow at
  // t0 + k*sample.
  void open(Time t0, const Value& first) noexcept;

  // Earliest of: next sample, last notification + pmin (if pending), last + pmax (if active).
  Time next_deadline() const noexcept;

  // Runs everything due at or before `t` (the caller passes next_deadline() or a later time when
  // it is late; events are then processed at their intended times, in order). `sampler(time)`
  // yields the value for a sample due at `time`. Stops at the first notification and returns its
  // intended time: the caller publishes current(), calls notified() with that time, and calls
  // advance(t) again, until it returns nullopt (nothing more is due by `t`).
  template <class Sampler>
  std::optional<Time> advance(Time t, Sampler&& sampler);

  const Value& current() const noexcept { return current_; }
  void notified(Time t) noexcept;

  bool pending() const noexcept { return pending_; }
  Time last_time() const noexcept { return last_time_; }

  // The change condition of reference 7.2 between the last notified value and v.
  bool change(const Value& v) const noexcept;

 private:
  bool pmax_active() const noexcept;
  // The earlier of last + pmin (with a change pending) and last + pmax (when active); Time::max()
  // when neither applies.
  Time notify_deadline() const noexcept;

  const ObserveParams* p_;
  Value current_{};
  Value last_value_{};
  Time last_time_{0};
  Time next_sample_{0};
  bool pending_ = false;
};

}  // namespace fleetsim::sim

#include "sim/observe_impl.hpp"
