// The twin requests of one session waiting for their answer, matched by $rid.
//
// Fixed capacity, like the QoS 1 window: a session that cannot get answers stops asking (the
// refusal is counted) instead of remembering more. $rid values are a per-session counter, sent as
// decimal text; the hub echoes them byte for byte (reference 2.5).
//
// Thread safety: none; one table per session.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "metrics/operations.hpp"

namespace fleetsim::sim {

class TwinRequests {
 public:
  using Time = std::chrono::nanoseconds;
  static constexpr std::size_t kCapacity = 8;

  struct Entry {
    Time sent{0};
    std::uint32_t rid = 0;
    metrics::Op op = metrics::Op::twin_get;
  };

  // A fresh $rid for a request of `op` published at `now`; nullopt when the table is full.
  std::optional<std::uint32_t> begin(metrics::Op op, Time now) noexcept;
  // Removes and returns the request an answer names; nullopt for an unknown (or late) $rid.
  std::optional<Entry> complete(std::uint32_t rid) noexcept;
  std::optional<Time> oldest() const noexcept;
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }

  // Removes every request sent before `cutoff`, calling fn(entry) for each.
  template <class Fn>
  void expire(Time cutoff, Fn&& fn) {
    std::size_t i = 0;
    while (i < count_) {
      if (entries_[i].sent < cutoff) {
        const Entry e = entries_[i];
        entries_[i] = entries_[--count_];
        fn(e);
      } else {
        ++i;
      }
    }
  }

 private:
  std::array<Entry, kCapacity> entries_{};
  std::uint32_t next_rid_ = 1;
  std::uint8_t count_ = 0;
};

// The decimal $rid of a twin response topic; nullopt when it is not one of ours.
std::optional<std::uint32_t> parse_rid(std::string_view text) noexcept;

}  // namespace fleetsim::sim
