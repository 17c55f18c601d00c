// `fleetsim report merge` and `fleetsim report compare`: the reports of earlier runs, read back.
// Exit codes as for `run`: 0 passed / no regression, 1 a merged gate failed / a regression, 2 an
// unreadable, malformed or incompatible input.
#include <charconv>
#include <cstdio>

#include "app/commands.hpp"
#include "metrics/html_report.hpp"
#include "metrics/junit.hpp"
#include "metrics/report_compare.hpp"
#include "metrics/report_merge.hpp"

namespace fleetsim::app {
namespace {

// "10%", "10" (percent) or "0.5%"; nullopt otherwise.
std::optional<double> parse_percent(std::string_view text) {
  if (text.ends_with('%')) text.remove_suffix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !(v >= 0)) return std::nullopt;
  return v / 100;
}

// "0.05ms", "50us", "0.05" (ms); nullopt otherwise.
std::optional<double> parse_ms(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data() || !(v >= 0)) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty() || unit == "ms") return v;
  if (unit == "us") return v / 1e3;
  if (unit == "ns") return v / 1e6;
  if (unit == "s") return v * 1e3;
  return std::nullopt;
}

bool write_file(const std::string& path, const char* what, std::string_view text) {
  std::string error;
  if (metrics::write_text_file(path, text, &error)) return true;
  std::fprintf(stderr, "fleetsim: cannot write the %s %s: %s\n", what, path.c_str(), error.c_str());
  return false;
}

}  // namespace

int report_merge_command(const ReportMergeArgs& args) {
  std::vector<metrics::ParsedReport> reports;
  reports.reserve(args.inputs.size());
  for (const auto& path : args.inputs) {
    std::string error;
    auto r = metrics::read_report(path, &error);
    if (!r) {
      std::fprintf(stderr, "fleetsim: %s\n", error.c_str());
      return kExitUsage;
    }
    reports.push_back(std::move(*r));
  }
  std::vector<metrics::MergeInput> inputs;
  for (std::size_t i = 0; i < reports.size(); ++i) inputs.push_back({args.inputs[i], &reports[i]});
  std::string error;
  const auto merged = metrics::merge_reports(inputs, &error);
  if (!merged) {
    std::fprintf(stderr, "fleetsim: cannot merge: %s\n", error.c_str());
    return kExitUsage;
  }
  std::string write_error;
  if (!metrics::write_json_file(args.output, merged->doc, &write_error)) {
    std::fprintf(stderr, "fleetsim: cannot write the report %s: %s\n", args.output.c_str(),
                 write_error.c_str());
    return kExitUsage;
  }
  if (!args.junit_path.empty() &&
      !write_file(args.junit_path, "JUnit report", metrics::format_junit(merged->doc))) {
    return kExitUsage;
  }
  if (!args.html_path.empty() &&
      !write_file(args.html_path, "HTML report", metrics::format_html(merged->doc))) {
    return kExitUsage;
  }
  if (!args.quiet) {
    std::fputs(metrics::format_summary(merged->info, *merged->snapshot, merged->gates).c_str(), stdout);
  }
  const auto passed = merged->doc.at("passed").as_bool();
  return passed ? kExitOk : kExitGateFailed;
}

int report_compare_command(const ReportCompareArgs& args) {
  metrics::CompareOptions options;
  const auto max_regression = parse_percent(args.max_regression);
  if (!max_regression) {
    std::fprintf(stderr, "--max-regression %s: expected a percentage such as 10%%\n",
                 args.max_regression.c_str());
    return kExitUsage;
  }
  options.max_regression = *max_regression;
  const auto min_delta = parse_ms(args.min_delta);
  if (!min_delta) {
    std::fprintf(stderr, "--min-delta %s: expected a duration such as 0.05ms or 50us\n",
                 args.min_delta.c_str());
    return kExitUsage;
  }
  options.min_delta_ms = *min_delta;
  if (!args.stats.empty()) {
    options.stats.clear();
    std::string_view rest = args.stats;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string stat(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (!metrics::is_comparable_stat(stat)) {
        std::fprintf(stderr, "--stats: found '%s', expected a list of mean p50 p90 p99 p999 max\n",
                     stat.c_str());
        return kExitUsage;
      }
      options.stats.push_back(stat);
    }
  }
  std::string error;
  const auto baseline = metrics::read_report(args.baseline, &error);
  if (!baseline) {
    std::fprintf(stderr, "fleetsim: %s\n", error.c_str());
    return kExitUsage;
  }
  const auto candidate = metrics::read_report(args.candidate, &error);
  if (!candidate) {
    std::fprintf(stderr, "fleetsim: %s\n", error.c_str());
    return kExitUsage;
  }
  const auto result = metrics::compare_reports(*baseline, *candidate, options);
  std::fputs(metrics::format_comparison(result, options).c_str(), stdout);
  return result.regressed() ? kExitGateFailed : kExitOk;
}

}  // namespace fleetsim::app
