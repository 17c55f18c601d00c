// format_junit: JUnit XML in the shape of the Ant/Surefire schema most CI servers read.
#include "metrics/junit.hpp"

#include <cmath>
#include <cstdio>

#include "metrics/gates.hpp"
#include "metrics/markup.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

const json::object& object_or_empty(const json::object& o, std::string_view key) {
  static const json::object empty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : empty;
}

std::string text_of(const json::value* v) {
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (v->is_number()) {
    const double d = v->to_number<double>();
    char buf[32];
    if (d == std::floor(d) && std::fabs(d) < 1e15) {
      std::snprintf(buf, sizeof buf, "%.0f", d);
    } else {
      std::snprintf(buf, sizeof buf, "%.3f", d);
    }
    return buf;
  }
  return {};
}

std::string text_of(const json::object& o, std::string_view key) {
  return text_of(o.if_contains(key));
}

bool is_latency_stat(const std::string& stat) {
  return stat == "mean" || stat == "p50" || stat == "p90" || stat == "p99" || stat == "p999" || stat == "max";
}

// "measured 62.100 ms, threshold < 50.000 ms" (plus the baseline a baseline gate derived it from).
std::string failure_message(const json::object& gate) {
  const std::string error = text_of(gate, "error");
  if (!error.empty()) return error;
  const auto expr = parse_gate(text_of(gate, "expr"));
  const std::string unit = expr && is_latency_stat(expr->stat) ? " ms" : "";
  std::string message = "measured " + text_of(gate, "value") + unit;
  if (gate.contains("threshold")) {
    message += ", threshold " + (expr ? expr->cmp + " " : std::string()) + text_of(gate, "threshold") + unit;
  }
  if (gate.contains("baseline")) message += " (baseline " + text_of(gate, "baseline") + unit + ")";
  return message;
}

void property(std::string& out, std::string_view name, const std::string& value) {
  out += "      <property name=\"";
  out += markup_escape(name);
  out += "\" value=\"";
  out += markup_escape(value);
  out += "\"/>\n";
}

}  // namespace

std::string format_junit(const boost::json::object& report) {
  const json::object& run = object_or_empty(report, "fleetsim");
  const json::object& fleet = object_or_empty(report, "fleet");
  const json::object& health = object_or_empty(report, "health");
  const json::value* gates_value = report.if_contains("gates");
  const json::array empty;
  const json::array& gates =
      gates_value != nullptr && gates_value->is_array() ? gates_value->get_array() : empty;
  const json::value* interrupted = report.if_contains("interrupted");
  const bool was_interrupted = interrupted != nullptr && interrupted->is_bool() && interrupted->get_bool();

  std::size_t failures = was_interrupted ? 1 : 0;
  for (const auto& g : gates) {
    const json::value* passed = g.is_object() ? g.get_object().if_contains("passed") : nullptr;
    if (passed == nullptr || !passed->is_bool() || !passed->get_bool()) ++failures;
  }
  const std::size_t tests = gates.size() + (was_interrupted ? 1 : 0);
  const std::string scenario = text_of(run, "scenario");
  const std::string suite = markup_escape("fleetsim." + scenario);
  const std::string duration = text_of(run, "duration_s");
  // The Ant schema's timestamp has no zone designator; started_at is UTC (and a property).
  std::string timestamp = text_of(run, "started_at");
  if (timestamp.ends_with('Z')) timestamp.pop_back();

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"fleetsim\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"0\" time=\"" + markup_escape(duration) + "\">\n";
  out += "  <testsuite name=\"" + suite + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"0\" skipped=\"0\" time=\"" + markup_escape(duration) +
         "\" timestamp=\"" + markup_escape(timestamp) + "\">\n";
  out += "    <properties>\n";
  for (const char* key : {"scenario", "target", "shard", "duration_s", "started_at", "version"}) {
    property(out, key, text_of(run, key));
  }
  for (const char* key : {"devices", "modules", "sessions_connected_peak", "sessions_failed"}) {
    property(out, key, text_of(fleet, key));
  }
  property(out, "saturated", text_of(health, "saturated"));
  property(out, "passed", text_of(report, "passed"));
  out += "    </properties>\n";

  for (const auto& g : gates) {
    if (!g.is_object()) continue;
    const json::object& gate = g.get_object();
    const json::value* passed = gate.if_contains("passed");
    const bool ok = passed != nullptr && passed->is_bool() && passed->get_bool();
    const std::string name = text_of(gate, "name");
    const std::string expr = text_of(gate, "expr");
    out +=
        "    <testcase classname=\"" + suite + ".gates\" name=\"" + markup_escape(name) + "\" time=\"0\">\n";
    const std::string detail = expr + ": " + failure_message(gate);
    if (!ok) {
      out += "      <failure type=\"gate\" message=\"" + markup_escape(failure_message(gate)) + "\">" +
             markup_escape(detail) + "</failure>\n";
    }
    out += "      <system-out>" + markup_escape(detail) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  if (was_interrupted) {
    out += "    <testcase classname=\"" + suite + ".run\" name=\"run completed\" time=\"" +
           markup_escape(duration) +
           "\">\n      <failure type=\"interrupted\" message=\"interrupted before its duration\"/>\n    "
           "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace fleetsim::metrics
