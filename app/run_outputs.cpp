#include "app/run_outputs.hpp"

#include <cmath>
#include <cstdio>

#include "metrics/html_report.hpp"
#include "metrics/junit.hpp"
#include "metrics/report_read.hpp"

namespace fleetsim::app {
namespace {

std::string with_shard(std::string path, const Shard& shard) {
  constexpr std::string_view kPlaceholder = "{shard}";
  const std::string name = std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
  for (std::size_t at = path.find(kPlaceholder); at != std::string::npos; at = path.find(kPlaceholder, at)) {
    path.replace(at, kPlaceholder.size(), name);
    at += name.size();
  }
  return path;
}

}  // namespace

RunOutputs::RunOutputs(const RunArgs& args, const sim::Scenario& scenario, const Shard& shard)
    : report_path_(with_shard(args.report_path, shard)),
      junit_path_(with_shard(args.junit_path, shard)),
      html_path_(with_shard(args.html_path, shard)) {
  for (const auto& g : scenario.gates) gate_specs_.push_back({g.name.empty() ? g.expr : g.name, g.expr});
  // The HTML plots come from the timeline, and the JSON report carries it; JUnit needs neither.
  if (!report_path_.empty() || !html_path_.empty()) timeline_.emplace(args.timeline_interval_s);
}

std::unique_ptr<RunOutputs> RunOutputs::prepare(const RunArgs& args, const sim::Scenario& scenario,
                                                const Shard& shard) {
  // Ticks come about once a second, so finer or fractional intervals could not be honoured.
  if (!(args.timeline_interval_s >= 1) || args.timeline_interval_s != std::floor(args.timeline_interval_s)) {
    std::fprintf(stderr, "--timeline-interval %g: expected a whole number of seconds >= 1\n",
                 args.timeline_interval_s);
    return nullptr;
  }
  std::unique_ptr<RunOutputs> outputs(new RunOutputs(args, scenario, shard));
  if (args.baseline_path.empty()) {
    for (const auto& spec : outputs->gate_specs_) {
      const auto g = metrics::parse_gate(spec.expr);
      if (g && g->relative_to_baseline) {
        std::fprintf(stderr,
                     "fleetsim: gate '%s' compares with a baseline: give the baseline report with --baseline "
                     "FILE.json\n",
                     spec.name.c_str());
        return nullptr;
      }
    }
    return outputs;
  }
  std::string error;
  const auto baseline = metrics::read_report(args.baseline_path, &error);
  if (!baseline) {
    std::fprintf(stderr, "fleetsim: --baseline %s\n", error.c_str());
    return nullptr;
  }
  metrics::resolve_baselines(outputs->gate_specs_, baseline->doc);
  return outputs;
}

void RunOutputs::tick(std::chrono::nanoseconds elapsed, const metrics::Registry& registry) {
  if (!timeline_) return;
  const double t = std::chrono::duration<double>(elapsed).count();
  if (timeline_->due(t)) timeline_->record(t, registry.snapshot());
}

std::vector<metrics::GateSpec> RunOutputs::gate_specs() const {
  return gate_specs_;
}

bool RunOutputs::write(const metrics::RunInfo& info, const metrics::Snapshot& snapshot,
                       const std::vector<metrics::GateResult>& gates, std::chrono::nanoseconds elapsed) {
  if (report_path_.empty() && junit_path_.empty() && html_path_.empty()) return true;
  boost::json::object doc = metrics::build_report(info, snapshot, gates);
  if (timeline_) {
    timeline_->finish(std::chrono::duration<double>(elapsed).count(), snapshot);
    doc["timeline"] = metrics::timeline_json(timeline_->timeline());
  }
  bool ok = true;
  const auto write_one = [&](const std::string& path, const char* what, const std::string& text) {
    if (path.empty()) return;
    std::string error;
    if (!metrics::write_text_file(path, text, &error)) {
      std::fprintf(stderr, "fleetsim: cannot write the %s %s: %s\n", what, path.c_str(), error.c_str());
      ok = false;
    }
  };
  if (!report_path_.empty()) {
    std::string error;
    if (!metrics::write_json_file(report_path_, doc, &error)) {
      std::fprintf(stderr, "fleetsim: cannot write the report %s: %s\n", report_path_.c_str(), error.c_str());
      ok = false;
    }
  }
  write_one(junit_path_, "JUnit report", metrics::format_junit(doc));
  write_one(html_path_, "HTML report", metrics::format_html(doc));
  return ok;
}

}  // namespace fleetsim::app
