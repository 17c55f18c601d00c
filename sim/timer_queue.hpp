// The deadlines of every session on one event-loop thread, in one binary heap.
//
// A session does not own a timer: it arms its slot with its next deadline, and the thread's one
// asio timer (SessionHost) waits for the earliest entry of this queue. Re-arming pushes a new
// entry and bumps the slot's generation; the entry it replaces stays in the heap and is skipped
// when it surfaces, which is cheaper than searching the heap for it.
//
// A slot with a live deadline that is no later than a newly asked one keeps it: the early entry
// fires, the session finds nothing due yet and arms again. So arming after every event costs a
// comparison, not a push.
//
// Pure: no clock, no asio. Times are durations since the fleet's start.
// Thread safety: none; one queue per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace fleetsim::sim {

class TimerQueue {
 public:
  using Time = std::chrono::nanoseconds;

  explicit TimerQueue(std::size_t slots);

  // Asks for `slot` to be dispatched at `deadline` (or earlier). Returns true when the queue's
  // earliest deadline became earlier, so the driver must re-arm its timer.
  bool arm(std::uint32_t slot, Time deadline);
  // Forgets the slot's deadline.
  void disarm(std::uint32_t slot);
  std::optional<Time> armed(std::uint32_t slot) const;

  // Earliest live deadline (drops stale entries from the top on the way).
  std::optional<Time> next_deadline();

  // Pops every live entry due at or before `now`, in (deadline, slot) order, calling
  // fn(slot, deadline) for each; the slot is disarmed before the call, so fn may arm it again.
  // Entries armed during the calls that are due at or before `now` are dispatched too, which is
  // why a slot must always arm a deadline after the one it is being dispatched for.
  // Returns the number of calls.
  template <class Fn>
  std::size_t dispatch_due(Time now, Fn&& fn) {
    std::size_t calls = 0;
    while (const auto entry = pop_due(now)) {
      fn(entry->slot, entry->deadline);
      ++calls;
    }
    return calls;
  }

  std::size_t slot_count() const noexcept { return slots_.size(); }
  // Heap entries, stale ones included (for tests and memory checks).
  std::size_t entries() const noexcept { return heap_.size(); }
  void clear();

 private:
  struct Entry {
    Time deadline;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Slot {
    Time deadline = Time::max();  // max: not armed
    std::uint32_t generation = 0;
  };
  // Min-heap order: earliest deadline first, then lowest slot, so dispatch is deterministic.
  static bool later(const Entry& a, const Entry& b) noexcept {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.slot > b.slot;
  }
  bool live(const Entry& e) const noexcept { return slots_[e.slot].generation == e.generation; }
  void drop_stale_top();
  std::optional<Entry> pop_due(Time now);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
};

}  // namespace fleetsim::sim
