#include "sim/timer_queue.hpp"

#include <algorithm>

namespace fleetsim::sim {

TimerQueue::TimerQueue(std::size_t slots) : slots_(slots) {
  // Most of the time each slot has one entry; stale ones come and go on top of that.
  heap_.reserve(slots + slots / 2 + 16);
}

bool TimerQueue::arm(std::uint32_t slot, Time deadline) {
  Slot& s = slots_[slot];
  if (s.deadline <= deadline) return false;  // the earlier live entry will fire first
  ++s.generation;
  s.deadline = deadline;
  const bool earliest = heap_.empty() || deadline < heap_.front().deadline;
  heap_.push_back(Entry{deadline, slot, s.generation});
  std::push_heap(heap_.begin(), heap_.end(), later);
  return earliest;
}

void TimerQueue::disarm(std::uint32_t slot) {
  Slot& s = slots_[slot];
  ++s.generation;
  s.deadline = Time::max();
}

std::optional<TimerQueue::Time> TimerQueue::armed(std::uint32_t slot) const {
  const Slot& s = slots_[slot];
  if (s.deadline == Time::max()) return std::nullopt;
  return s.deadline;
}

void TimerQueue::drop_stale_top() {
  while (!heap_.empty() && !live(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
}

std::optional<TimerQueue::Time> TimerQueue::next_deadline() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().deadline;
}

std::optional<TimerQueue::Entry> TimerQueue::pop_due(Time now) {
  drop_stale_top();
  if (heap_.empty() || heap_.front().deadline > now) return std::nullopt;
  const Entry e = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
  disarm(e.slot);
  return e;
}

void TimerQueue::clear() {
  heap_.clear();
  for (Slot& s : slots_) {
    ++s.generation;
    s.deadline = Time::max();
  }
}

}  // namespace fleetsim::sim
