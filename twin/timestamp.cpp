#include <chrono>

#include "twin/document.hpp"

namespace fleetsim::twin {
namespace {

// Writes `value` as exactly `width` decimal digits ending just before `end`.
void put_digits(char* end, long long value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Formatted by hand from the chrono calendar rather than with snprintf: service reads render a
// timestamp for every node of $metadata.
std::string format_timestamp(Timestamp t) {
  using namespace std::chrono;
  using ticks = duration<long long, std::ratio<1, 10'000'000>>;  // 100 ns, as Azure prints them
  const auto time = floor<ticks>(t);
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  std::string out = "0000-00-00T00:00:00.0000000Z";
  char* p = out.data();
  put_digits(p + 4, static_cast<int>(date.year()), 4);
  put_digits(p + 7, static_cast<unsigned>(date.month()), 2);
  put_digits(p + 10, static_cast<unsigned>(date.day()), 2);
  put_digits(p + 13, clock.hours().count(), 2);
  put_digits(p + 16, clock.minutes().count(), 2);
  put_digits(p + 19, clock.seconds().count(), 2);
  put_digits(p + 27, clock.subseconds().count(), 7);
  return out;
}

}  // namespace fleetsim::twin
