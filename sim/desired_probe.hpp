// The device side of desired_propagation and desired_convergence (DESIGN.md "What is measured"):
// matches the backend's PATCH of a version (its send time, posted to the session's thread once the
// HTTP answer named the version) with the session's own events for that version, the desired
// notification's arrival and the acknowledging reported patch's answer, in whichever order they
// come. Without a lock: everything runs on the session's thread; the backend only posts.
//
// A small ring of versions: an event nobody expects yet waits for its expectation (the hub pushes
// the notification before it answers the PATCH, so the device often knows first), an expectation
// whose events do not come in time is a timeout.
//
// Thread safety: none; one probe per session, on its thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "metrics/operations.hpp"

namespace fleetsim::sim {

class DesiredProbe {
 public:
  using Time = std::chrono::nanoseconds;
  static constexpr std::size_t kCapacity = 8;
  static constexpr Time kMatchTimeout = std::chrono::seconds(30);

  // `converges`: whether the session acknowledges ([desired] ack != none), so whether a version
  // also waits for desired_convergence.
  explicit DesiredProbe(bool converges) noexcept : converges_(converges) {}

  // Each calls record(op, outcome, latency_ns) for every measurement it completes.
  template <class Record>
  void on_received(std::uint64_t version, Time now, Record&& record);
  // The acknowledging reported patch of `version` went out with $rid `rid`.
  template <class Record>
  void on_ack_sent(std::uint64_t version, std::uint32_t rid, Time now, Record&& record);
  // Its answer: ok (204), throttled (429) or error; false when `rid` acknowledges nothing known.
  template <class Record>
  bool on_ack_answered(std::uint32_t rid, metrics::Outcome outcome, Time now, Record&& record);
  // The backend's PATCH that made `version`, sent at `sent`.
  template <class Record>
  void on_expected(std::uint64_t version, Time sent, Time now, Record&& record);
  // Expectations older than kMatchTimeout at `now` time out; events nobody expected are forgotten.
  // Time::max() ends everything (the run is over).
  template <class Record>
  void expire(Time now, Record&& record);
  // When expire() next has something to do.
  std::optional<Time> next_expiry() const noexcept;
  bool expecting() const noexcept;

 private:
  static constexpr Time kNone = Time::min();
  struct Entry {
    std::uint64_t version = 0;  // 0: free
    Time first_seen{0};         // when the entry was made (for eviction and forgetting)
    Time sent = kNone;          // the backend's send time, once posted
    Time received = kNone;
    Time acked = kNone;  // when the acknowledgement's answer came
    std::uint32_t ack_rid = 0;
    metrics::Outcome ack_outcome = metrics::Outcome::ok;
    bool propagation_done = false;
    bool convergence_done = false;
  };

  Entry& find_or_add(std::uint64_t version, Time now, auto& record);
  template <class Record>
  void settle(Entry& e, Record& record);
  template <class Record>
  void time_out(Entry& e, Record& record);
  bool done(const Entry& e) const noexcept {
    return e.propagation_done && (e.convergence_done || !converges_);
  }

  std::array<Entry, kCapacity> entries_{};
  bool converges_;
};

// ---- implementation ----

inline DesiredProbe::Entry& DesiredProbe::find_or_add(std::uint64_t version, Time now, auto& record) {
  for (Entry& e : entries_) {
    if (e.version == version) return e;
  }
  Entry* oldest = nullptr;
  for (Entry& e : entries_) {
    if (e.version == 0) {
      oldest = &e;
      break;
    }
    if (oldest == nullptr || e.first_seen < oldest->first_seen) oldest = &e;
  }
  // Full: the oldest version gives way; what it still expected is a timeout.
  if (oldest->version != 0) time_out(*oldest, record);
  *oldest = Entry{};
  oldest->version = version;
  oldest->first_seen = now;
  return *oldest;
}

template <class Record>
void DesiredProbe::settle(Entry& e, Record& record) {
  if (e.sent == kNone) return;
  auto since_sent = [&](Time t) { return static_cast<std::uint64_t>(std::max(Time{0}, t - e.sent).count()); };
  if (!e.propagation_done && e.received != kNone) {
    record(metrics::Op::desired_propagation, metrics::Outcome::ok, since_sent(e.received));
    e.propagation_done = true;
  }
  if (converges_ && !e.convergence_done && e.acked != kNone) {
    const bool ok = e.ack_outcome == metrics::Outcome::ok;
    record(metrics::Op::desired_convergence, e.ack_outcome, ok ? since_sent(e.acked) : 0);
    e.convergence_done = true;
  }
  if (done(e)) e = Entry{};
}

template <class Record>
void DesiredProbe::time_out(Entry& e, Record& record) {
  if (e.version == 0) return;
  if (e.sent != kNone) {
    if (!e.propagation_done) record(metrics::Op::desired_propagation, metrics::Outcome::timeout, 0);
    if (converges_ && !e.convergence_done)
      record(metrics::Op::desired_convergence, metrics::Outcome::timeout, 0);
  }
  e = Entry{};
}

template <class Record>
void DesiredProbe::on_received(std::uint64_t version, Time now, Record&& record) {
  Entry& e = find_or_add(version, now, record);
  if (e.received == kNone) e.received = now;
  settle(e, record);
}

template <class Record>
void DesiredProbe::on_ack_sent(std::uint64_t version, std::uint32_t rid, Time now, Record&& record) {
  if (!converges_) return;
  // A version acknowledged from a twin GET may never have been notified: it gets an entry too.
  find_or_add(version, now, record).ack_rid = rid;
}

template <class Record>
bool DesiredProbe::on_ack_answered(std::uint32_t rid, metrics::Outcome outcome, Time now, Record&& record) {
  for (Entry& e : entries_) {
    if (e.version == 0 || e.ack_rid != rid || e.acked != kNone) continue;
    e.acked = now;
    e.ack_outcome = outcome;
    settle(e, record);
    return true;
  }
  return false;
}

template <class Record>
void DesiredProbe::on_expected(std::uint64_t version, Time sent, Time now, Record&& record) {
  Entry& e = find_or_add(version, now, record);
  e.sent = sent;
  e.first_seen = now;
  settle(e, record);
}

template <class Record>
void DesiredProbe::expire(Time now, Record&& record) {
  for (Entry& e : entries_) {
    if (e.version != 0 && e.first_seen + kMatchTimeout <= now) time_out(e, record);
  }
}

inline std::optional<DesiredProbe::Time> DesiredProbe::next_expiry() const noexcept {
  std::optional<Time> next;
  for (const Entry& e : entries_) {
    if (e.version != 0 && (!next || e.first_seen + kMatchTimeout < *next))
      next = e.first_seen + kMatchTimeout;
  }
  return next;
}

inline bool DesiredProbe::expecting() const noexcept {
  for (const Entry& e : entries_) {
    if (e.version != 0 && e.sent != kNone) return true;
  }
  return false;
}

}  // namespace fleetsim::sim
