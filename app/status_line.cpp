#include "app/status_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace fleetsim::app {
namespace {

using metrics::Histogram;

// The q-quantile in ms (as Histogram::quantile_ns: the midpoint of the bucket holding the
// ceil(q*n)-th value) of the values recorded between two readings of one histogram; -1 when none.
double interval_quantile_ms(const Histogram& now, const Histogram& before, double q) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    total += now.bucket_count_at(i) - std::min(now.bucket_count_at(i), before.bucket_count_at(i));
  }
  if (total == 0) return -1;
  const auto rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < Histogram::kBucketCount; ++i) {
    seen += now.bucket_count_at(i) - std::min(now.bucket_count_at(i), before.bucket_count_at(i));
    if (seen >= rank) {
      const std::uint64_t lower = Histogram::bucket_lower(i);
      return static_cast<double>(lower + (Histogram::bucket_upper(i) - lower) / 2) / 1e6;
    }
  }
  return -1;
}

void append(std::string& line, const char* format, auto... values) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, format, values...);
  if (n > 0) line.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

std::string format_line(const metrics::Snapshot& now, const metrics::Snapshot& before, double elapsed_s,
                        double interval_s, std::uint64_t sessions, double total_s) {
  const auto per_s = [&](std::uint64_t a, std::uint64_t b) {
    return interval_s > 0 ? static_cast<double>(a - std::min(a, b)) / interval_s : 0.0;
  };
  const auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::string line;
  append(line, "[%6.1fs/%.0fs] connected %llu/%llu  messages %llu (%.0f/s)", elapsed_s, total_s,
         u(now.sessions_connected - std::min(now.sessions_connected, now.sessions_disconnected)), u(sessions),
         u(now.messages_sent), per_s(now.messages_sent, before.messages_sent));
  // Errors and lag before the operations: a narrow terminal cuts the end of the line.
  const std::uint64_t errors = now.total_errors();
  append(line, "  errors %llu", u(errors));
  if (errors > before.total_errors()) append(line, " (+%llu)", u(errors - before.total_errors()));
  if (const double lag = interval_quantile_ms(now.schedule_lag, before.schedule_lag, 0.99); lag >= 0) {
    append(line, "  lag p99 %.2f ms", lag);
  }
  // Every operation that finished in the interval: its rate and the p99 of its successes.
  for (std::size_t i = 0; i < metrics::kOpCount; ++i) {
    const auto& op = now.ops[i];
    const auto& was = before.ops[i];
    if (op.count() == was.count()) continue;
    append(line, "  %s %.0f/s", std::string(metrics::op_name(static_cast<metrics::Op>(i))).c_str(),
           per_s(op.count(), was.count()));
    if (const double p99 = interval_quantile_ms(op.latency, was.latency, 0.99); p99 >= 0) {
      append(line, " p99 %.2f ms", p99);
    }
  }
  return line;
}

// Columns of the terminal on stdout; a line longer than that would wrap and "\r" would then
// rewrite only its last row.
std::size_t terminal_columns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

StatusPrinter::StatusPrinter(const metrics::Registry& registry, std::uint64_t sessions, double total_s,
                             bool tty, double interval_s)
    : registry_(registry),
      sessions_(sessions),
      total_s_(total_s),
      tty_(tty),
      interval_s_(interval_s <= 0 ? 0.0
                  : tty           ? 1.0
                                  : interval_s),
      last_(std::make_unique<metrics::Snapshot>()) {
  next_print_s_ = interval_s_;
}

StatusPrinter::~StatusPrinter() = default;

void StatusPrinter::tick(std::chrono::nanoseconds elapsed) {
  if (interval_s_ <= 0) return;
  const double t = std::chrono::duration<double>(elapsed).count();
  if (t < next_print_s_) return;
  // On the interval's grid, so that ticks arriving a few milliseconds early or late (the fleet
  // polls) skip no line; after a stall, from now.
  next_print_s_ += interval_s_;
  if (next_print_s_ <= t) next_print_s_ = t + interval_s_;

  auto now = std::make_unique<metrics::Snapshot>(registry_.snapshot());
  std::string line = format_line(*now, *last_, t, t - last_elapsed_s_, sessions_, total_s_);
  last_ = std::move(now);
  last_elapsed_s_ = t;
  if (tty_) {
    line.resize(std::min(line.size(), terminal_columns() - 1));
    std::printf("\r\033[K%s", line.c_str());
    printed_inline_ = true;
  } else {
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

void StatusPrinter::finish() {
  if (printed_inline_) std::printf("\n");
  std::fflush(stdout);
}

}  // namespace fleetsim::app
