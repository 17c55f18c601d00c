#include "app/status_line.hpp"

#include <cstdio>

namespace fleetsim::app {

StatusPrinter::StatusPrinter(const metrics::Registry& registry, const sim::Scenario& scenario, bool tty,
                             double interval_s)
    : registry_(registry), scenario_(scenario), tty_(tty), interval_s_(tty ? 1.0 : interval_s) {
  next_print_s_ = interval_s_;
}

void StatusPrinter::tick(std::chrono::nanoseconds elapsed) {
  if (interval_s_ <= 0) return;
  const double t = std::chrono::duration<double>(elapsed).count();
  if (t + 1e-3 < next_print_s_) return;
  next_print_s_ = t + interval_s_;

  const metrics::Snapshot s = registry_.snapshot();
  const auto& telemetry = s.ops[static_cast<std::size_t>(metrics::Op::telemetry)];
  const auto& reported = s.ops[static_cast<std::size_t>(metrics::Op::reported_patch)];
  const std::uint64_t sent = telemetry.count();
  const double dt = t - last_elapsed_s_;
  const double rate = dt > 0 ? static_cast<double>(sent - last_telemetry_) / dt : 0.0;
  last_telemetry_ = sent;
  last_elapsed_s_ = t;
  const double p99_ms = static_cast<double>(telemetry.latency.quantile_ns(0.99)) / 1e6;
  const double lag_ms = static_cast<double>(s.schedule_lag.quantile_ns(0.99)) / 1e6;
  const double total_s = std::chrono::duration<double>(scenario_.duration).count();

  char line[320];
  std::snprintf(line, sizeof line,
                "[%6.1fs/%.0fs] connected %llu/%llu  telemetry %llu (%.0f/s, p99 %.2f ms)  reported %llu  "
                "errors %llu  messages %llu  lag p99 %.2f ms",
                t, total_s, static_cast<unsigned long long>(s.sessions_connected - s.sessions_disconnected),
                static_cast<unsigned long long>(scenario_.sessions()), static_cast<unsigned long long>(sent),
                rate, p99_ms, static_cast<unsigned long long>(reported.count()),
                static_cast<unsigned long long>(s.total_errors()),
                static_cast<unsigned long long>(s.messages_sent), lag_ms);
  if (tty_) {
    std::printf("\r\033[K%s", line);
    printed_inline_ = true;
  } else {
    std::printf("%s\n", line);
  }
  std::fflush(stdout);
}

void StatusPrinter::finish() {
  if (printed_inline_) std::printf("\n");
  std::fflush(stdout);
}

}  // namespace fleetsim::app
