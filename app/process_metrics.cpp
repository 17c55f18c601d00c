// The process' own CPU, memory and file descriptors for /metrics, read from /proc/self at scrape
// time under the names every Prometheus client uses (process_*). The simulator's health dashboard
// puts them next to schedule_lag: a saturated core or a growing RSS explains a lagging schedule.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app/metrics_server.hpp"

namespace fleetsim::app {
namespace {

using prometheus::MetricType;

std::string read_small_file(const char* path) {
  std::string text;
  if (std::FILE* f = std::fopen(path, "re")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

// Fields of /proc/self/stat after the command name (which may hold spaces, hence the last ')'):
// element 0 is field 3 (state), so field k of proc(5) is element k - 3.
std::vector<std::string> stat_fields() {
  const std::string text = read_small_file("/proc/self/stat");
  std::vector<std::string> fields;
  const auto close = text.rfind(')');
  if (close == std::string::npos) return fields;
  std::size_t i = close + 1;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
    if (i < text.size() && text[i] == '\n') break;
  }
  return fields;
}

double field_value(const std::vector<std::string>& fields, std::size_t proc_field) {
  const std::size_t i = proc_field - 3;
  return i < fields.size() ? std::strtod(fields[i].c_str(), nullptr) : 0.0;
}

double boot_time_s() {
  const std::string text = read_small_file("/proc/stat");
  const auto at = text.find("\nbtime ");
  return at == std::string::npos ? 0.0 : std::strtod(text.c_str() + at + 7, nullptr);
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
    ++n;
  return n;
}

class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector()
      : ticks_per_s_(static_cast<double>(sysconf(_SC_CLK_TCK))),
        start_time_s_(boot_time_s() + field_value(stat_fields(), 22) / ticks_per_s_) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const auto fields = stat_fields();
    const double cpu_s = (field_value(fields, 14) + field_value(fields, 15)) / ticks_per_s_;
    // statm's second field: resident pages.
    const std::string statm = read_small_file("/proc/self/statm");
    const auto space = statm.find(' ');
    const double rss_pages = space == std::string::npos ? 0.0 : std::strtod(statm.c_str() + space, nullptr);
    const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));

    std::vector<prometheus::MetricFamily> families;
    auto add = [&](const char* name, const char* help, MetricType type, double value) {
      auto family = metrics::make_family(name, help, type);
      metrics::add_sample(family, {}, value);
      families.push_back(std::move(family));
    };
    add("process_cpu_seconds_total", "User and system CPU time of the process", MetricType::Counter, cpu_s);
    add("process_resident_memory_bytes", "Resident set size of the process", MetricType::Gauge,
        rss_pages * page_size);
    add("process_open_fds", "Open file descriptors (sockets included)", MetricType::Gauge, open_fds());
    add("process_start_time_seconds", "Unix time the process started", MetricType::Gauge, start_time_s_);
    return families;
  }

 private:
  double ticks_per_s_;
  double start_time_s_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> make_process_collector() {
  return std::make_shared<ProcessCollector>();
}

}  // namespace fleetsim::app
