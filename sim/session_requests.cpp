#include "sim/session_requests.hpp"

#include <algorithm>
#include <charconv>

namespace fleetsim::sim {

std::optional<std::uint32_t> TwinRequests::begin(metrics::Op op, Time now) noexcept {
  if (count_ >= kCapacity) return std::nullopt;
  const std::uint32_t rid = next_rid_;
  next_rid_ = next_rid_ == UINT32_MAX ? 1 : next_rid_ + 1;
  entries_[count_++] = Entry{now, rid, op};
  return rid;
}

std::optional<TwinRequests::Entry> TwinRequests::complete(std::uint32_t rid) noexcept {
  for (std::size_t i = 0; i < count_; ++i) {
    if (entries_[i].rid == rid) {
      const Entry e = entries_[i];
      entries_[i] = entries_[--count_];
      return e;
    }
  }
  return std::nullopt;
}

std::optional<TwinRequests::Time> TwinRequests::oldest() const noexcept {
  if (count_ == 0) return std::nullopt;
  Time oldest = entries_[0].sent;
  for (std::size_t i = 1; i < count_; ++i) oldest = std::min(oldest, entries_[i].sent);
  return oldest;
}

std::optional<std::uint32_t> parse_rid(std::string_view text) noexcept {
  std::uint32_t rid = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rid);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return rid;
}

}  // namespace fleetsim::sim
