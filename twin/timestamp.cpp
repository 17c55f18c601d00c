#include <cstdio>
#include <ctime>

#include "twin/document.hpp"

namespace fleetsim::twin {

std::string format_timestamp(Timestamp t) {
  using namespace std::chrono;
  const auto ticks = duration_cast<nanoseconds>(t.time_since_epoch()).count() / 100;  // 100 ns
  const std::time_t secs = static_cast<std::time_t>(ticks / 10'000'000);
  const long frac = static_cast<long>(ticks % 10'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%07ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

}  // namespace fleetsim::twin
