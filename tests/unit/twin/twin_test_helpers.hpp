// Helpers shared by the twin unit tests: JSON literals and fixed timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "twin/document.hpp"

namespace fleetsim::twin::test {

inline boost::json::value json(std::string_view text) {
  return boost::json::parse(text);
}

// A time `offset_s` seconds after 2022-06-01T22:27:50Z plus `ticks` of 100 ns.
inline Timestamp time_at(std::int64_t offset_s, std::int64_t ticks = 0) {
  using namespace std::chrono;
  return Timestamp(sys_days{year{2022} / 6 / 1} + hours{22} + minutes{27} + seconds{50 + offset_s} +
                   duration_cast<Timestamp::duration>(nanoseconds{ticks * 100}));
}

// Concatenation that sidesteps g++ 12's false -Wrestrict on `"literal" + std::string`.
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// A string of `bytes` copies of `c`.
inline std::string repeated(std::size_t bytes, char c = 'x') {
  return std::string(bytes, c);
}

}  // namespace fleetsim::twin::test
