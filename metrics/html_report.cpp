// format_html: the page of html_report.hpp, built from the report document.
#include "metrics/html_report.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include <boost/json/array.hpp>

#include "metrics/html_charts.hpp"
#include "metrics/markup.hpp"
#include "metrics/operations.hpp"

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600;margin-left:8px;font-size:14px;vertical-align:middle}
.verdict.passed{background:#1a7f37}.verdict.failed{background:#cf222e}.verdict.interrupted{background:#9a6700}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:4px 20px;margin:12px 0}
dl.facts div{display:flex;justify-content:space-between;border-bottom:1px dotted #dde1e8}dt{color:#57606a}dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:3px 8px;border-bottom:1px solid #eaecef;text-align:right}
th{background:#f6f8fa;font-weight:600}td.name,th.name{text-align:left}tr.fail td{background:#fff0f0}
.pass{color:#1a7f37;font-weight:600}.fail-label{color:#cf222e;font-weight:600}.warn{color:#9a6700}
code{font:12.5px ui-monospace,Menlo,Consolas,monospace;background:#f6f8fa;padding:1px 4px;border-radius:3px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure.chart{margin:0;border:1px solid #eaecef;border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}svg .grid{stroke:#eaecef;stroke-width:1}
svg .tick{font-size:11px;fill:#57606a}svg .tick.y{text-anchor:end;dominant-baseline:middle}svg .tick.x{text-anchor:middle}
svg .axis{font-size:11px;fill:#57606a;text-anchor:end}svg .axis.y{text-anchor:start}
svg .series{fill:none;stroke-width:1.8;stroke-linejoin:round}svg .series.dashed{stroke-dasharray:5 3}
svg .cursor{stroke:#8c959f;stroke-width:1;stroke-dasharray:2 2}
.legend{font-size:12px;color:#57606a}.legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:3px;margin:0 5px 3px 0;vertical-align:middle}
.readout{font-size:12px;min-height:1.4em;color:#1d2330}footer{margin:32px 0 0;color:#8c959f;font-size:12px}
)";

// Adds the hover readout and records what the browser drew (see html_report.hpp).
constexpr std::string_view kScript = R"(
(function () {
  var svgNs = 'http://www.w3.org/2000/svg';  // a namespace name, nothing is fetched
  var rendered = 0;
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var drawn = true;
    var lines = svg.querySelectorAll('polyline.series');
    lines.forEach(function (line) {
      var length = line.getTotalLength();
      line.setAttribute('data-drawn-length', length.toFixed(1));
      if (+line.getAttribute('data-points') > 1 && !(length > 0)) drawn = false;
    });
    if (drawn) {
      svg.setAttribute('data-rendered', 'true');
      rendered++;
    }
    var box = svg.getAttribute('data-plot').split(' ').map(Number);
    var xMax = +svg.getAttribute('data-x-max'), yMax = +svg.getAttribute('data-y-max');
    var unit = svg.getAttribute('data-unit');
    var readout = svg.parentNode.querySelector('.readout');
    var cursor = document.createElementNS(svgNs, 'line');
    cursor.setAttribute('class', 'cursor');
    cursor.setAttribute('y1', box[1]);
    cursor.setAttribute('y2', box[1] + box[3]);
    svg.appendChild(cursor);
    svg.addEventListener('mousemove', function (event) {
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      if (p.x < box[0] || p.x > box[0] + box[2]) return;
      var parts = [];
      var nearestX = p.x;
      lines.forEach(function (line) {
        var best = null;
        for (var i = 0; i < line.points.numberOfItems; i++) {
          var q = line.points.getItem(i);
          if (!best || Math.abs(q.x - p.x) < Math.abs(best.x - p.x)) best = q;
        }
        if (!best) return;
        nearestX = best.x;
        var value = (box[1] + box[3] - best.y) / box[3] * yMax;
        parts.push(line.getAttribute('data-series') + ' ' + value.toPrecision(3));
      });
      cursor.setAttribute('x1', nearestX);
      cursor.setAttribute('x2', nearestX);
      var t = (nearestX - box[0]) / box[2] * xMax;
      readout.textContent = 't = ' + t.toFixed(1) + ' s: ' + parts.join(', ') + ' ' + unit;
    });
  });
  document.body.setAttribute('data-charts-rendered', String(rendered));
})();
)";

// One colour per operation, in Op order, readable on white and distinct side by side.
constexpr std::array<const char*, kOpCount> kOpColors = {"#0969da", "#1a7f37", "#8250df", "#bc4c00",
                                                         "#cf222e", "#1b7c83", "#9a6700", "#bf3989",
                                                         "#57606a", "#4d2d00"};

const json::object& object_or_empty(const json::object& o, std::string_view key) {
  static const json::object empty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : empty;
}

double number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
}

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "yes" : "no";
  return {};
}

bool flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::string fmt(const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string count_text(double v) {
  return fmt("%.0f", v);
}

std::string ms(double v) {
  return fmt("%.3f", v);
}

// Counts print whole; anything else with three decimals.
std::string value_text(double v) {
  return v == std::floor(v) && std::fabs(v) < 1e15 ? count_text(v) : ms(v);
}

void fact(std::string& out, std::string_view label, const std::string& value) {
  out += "<div><dt>";
  out += markup_escape(label);
  out += "</dt><dd>";
  out += markup_escape(value);
  out += "</dd></div>";
}

void append_header(std::string& out, const json::object& report) {
  const json::object& run = object_or_empty(report, "fleetsim");
  const json::object& fleet = object_or_empty(report, "fleet");
  const json::object& health = object_or_empty(report, "health");
  const json::object& lag = object_or_empty(health, "schedule_lag_ms");
  const bool interrupted = flag(report, "interrupted");
  const bool passed = flag(report, "passed");
  const char* verdict = interrupted ? "interrupted" : passed ? "passed" : "failed";
  out += "<h1>fleetsim report: " + markup_escape(text(run, "scenario")) + "<span class=\"verdict " + verdict +
         "\" id=\"verdict\">" +
         (interrupted ? "INTERRUPTED"
          : passed    ? "PASSED"
                      : "FAILED") +
         "</span></h1>\n";
  out += "<dl class=\"facts\">";
  fact(out, "target", text(run, "target"));
  fact(out, "shard", text(run, "shard"));
  fact(out, "started", text(run, "started_at"));
  fact(out, "duration", fmt("%.1f s", number(run, "duration_s")));
  fact(out, "devices", count_text(number(fleet, "devices")));
  fact(out, "modules", count_text(number(fleet, "modules")));
  fact(out, "peak connected", count_text(number(fleet, "sessions_connected_peak")));
  fact(out, "sessions failed", count_text(number(fleet, "sessions_failed")));
  fact(out, "connects/s", fmt("%.1f", number(fleet, "connects_per_s")));
  fact(out, "schedule lag p50", ms(number(lag, "p50")) + " ms");
  fact(out, "schedule lag p99", ms(number(lag, "p99")) + " ms");
  fact(out, "schedule lag max", ms(number(lag, "max")) + " ms");
  fact(out, "version", text(run, "version"));
  out += "</dl>\n";
  if (flag(health, "saturated")) {
    out +=
        "<p class=\"warn\"><b>Saturated:</b> schedule lag p99 above 10 ms; the latencies describe the "
        "simulator, not the hub.</p>\n";
  }
  const json::value* notes = health.if_contains("notes");
  if (notes != nullptr && notes->is_array() && !notes->get_array().empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& n : notes->get_array()) {
      if (n.is_string()) out += "<li class=\"warn\">" + markup_escape(n.get_string()) + "</li>";
    }
    out += "</ul>\n";
  }
}

void append_gates(std::string& out, const json::object& report) {
  out += "<h2>Gates</h2>\n";
  const json::value* gates = report.if_contains("gates");
  if (gates == nullptr || !gates->is_array() || gates->get_array().empty()) {
    out += "<p>No gates: the run passes when it completes.</p>\n";
    return;
  }
  out +=
      "<table id=\"gates\"><tr><th class=\"name\">result</th><th class=\"name\">gate</th>"
      "<th class=\"name\">expression</th><th>measured</th><th>threshold</th><th>baseline</th></tr>\n";
  for (const auto& g : gates->get_array()) {
    if (!g.is_object()) continue;
    const json::object& gate = g.get_object();
    const bool passed = flag(gate, "passed");
    const std::string error = text(gate, "error");
    out += std::string("<tr class=\"") + (passed ? "pass" : "fail") + "\"><td class=\"name\">" +
           (passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail-label\">FAIL</span>") +
           "</td><td class=\"name\">" + markup_escape(text(gate, "name")) + "</td><td class=\"name\"><code>" +
           markup_escape(text(gate, "expr")) + "</code></td><td>" +
           (error.empty() ? value_text(number(gate, "value")) : markup_escape(error)) + "</td><td>" +
           (gate.contains("threshold") ? value_text(number(gate, "threshold")) : "") + "</td><td>" +
           (gate.contains("baseline") ? value_text(number(gate, "baseline")) : "") + "</td></tr>\n";
  }
  out += "</table>\n";
}

void append_operations(std::string& out, const json::object& report) {
  out += "<h2>Operations</h2>\n";
  const json::object& ops = object_or_empty(report, "operations");
  if (ops.empty()) {
    out += "<p>No operation was recorded.</p>\n";
    return;
  }
  out +=
      "<table id=\"operations\"><tr><th class=\"name\">operation</th><th>count</th><th>ok</th>"
      "<th>errors</th><th>timeouts</th><th>throttled</th><th>rate/s</th><th>mean ms</th><th>p50 ms</th>"
      "<th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>\n";
  for (const auto& [name, value] : ops) {
    if (!value.is_object()) continue;
    const json::object& op = value.get_object();
    const json::object& lat = object_or_empty(op, "latency_ms");
    const bool failed = number(op, "errors") + number(op, "timeouts") > 0;
    out += std::string("<tr") + (failed ? " class=\"fail\"" : "") + "><td class=\"name\">" +
           markup_escape(name) + "</td>";
    for (const char* k : {"count", "ok", "errors", "timeouts", "throttled"}) {
      out += "<td>" + count_text(number(op, k)) + "</td>";
    }
    out += "<td>" + fmt("%.1f", number(op, "rate_per_s")) + "</td>";
    for (const char* k : {"mean", "p50", "p90", "p99", "p999", "max"})
      out += "<td>" + ms(number(lat, k)) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
}

void append_errors(std::string& out, const json::object& report) {
  std::string rows;
  for (const auto& [name, value] : object_or_empty(report, "errors")) {
    if (value.is_number() && value.to_number<double>() > 0) {
      rows += "<tr><td class=\"name\">" + markup_escape(name) + "</td><td>" +
              count_text(value.to_number<double>()) + "</td></tr>";
    }
  }
  out += "<h2>Errors</h2>\n";
  out += rows.empty() ? "<p>None.</p>\n"
                      : "<table id=\"errors\"><tr><th class=\"name\">kind</th><th>count</th></tr>" + rows +
                            "</table>\n";
}

// The timeline's series, one vector per operation, each point (t, value) as the chart takes.
struct OperationSeries {
  bool seen = false;
  std::vector<std::pair<double, double>> rate, failed, throttled, p50, p99;
  bool any_failed = false, any_throttled = false;
};

void append_charts(std::string& out, const json::object& report) {
  out += "<h2>Over time</h2>\n";
  const json::object& timeline = object_or_empty(report, "timeline");
  const json::value* points = timeline.if_contains("points");
  const double interval = number(timeline, "interval_s");
  if (points == nullptr || !points->is_array() || points->get_array().empty() || !(interval > 0)) {
    out += "<p>This report has no timeline.</p>\n";
    return;
  }
  std::array<OperationSeries, kOpCount> series;
  std::vector<std::pair<double, double>> sessions;
  double t_max = 0;
  for (const auto& p : points->get_array()) {
    if (!p.is_object()) continue;
    const double t = number(p.get_object(), "t");
    t_max = std::max(t_max, t);
    sessions.emplace_back(t, number(p.get_object(), "sessions_connected"));
    for (const auto& [name, value] : object_or_empty(p.get_object(), "operations")) {
      Op op{};
      if (!op_from_name(name, op) || !value.is_object()) continue;
      series[static_cast<std::size_t>(op)].seen = true;
    }
  }
  // Rates and failures are zero where an operation is absent from a point; latencies exist only
  // where something was timed.
  for (const auto& p : points->get_array()) {
    if (!p.is_object()) continue;
    const double t = number(p.get_object(), "t");
    const json::object& ops = object_or_empty(p.get_object(), "operations");
    for (std::size_t i = 0; i < kOpCount; ++i) {
      auto& s = series[i];
      if (!s.seen) continue;
      const json::object& op = object_or_empty(ops, op_name(static_cast<Op>(i)));
      const double failed = number(op, "errors") + number(op, "timeouts");
      const double throttled = number(op, "throttled");
      s.rate.emplace_back(t, number(op, "count") / interval);
      s.failed.emplace_back(t, failed / interval);
      s.throttled.emplace_back(t, throttled / interval);
      s.any_failed = s.any_failed || failed > 0;
      s.any_throttled = s.any_throttled || throttled > 0;
      if (number(op, "ok") > 0) {
        s.p50.emplace_back(t, number(op, "p50"));
        s.p99.emplace_back(t, number(op, "p99"));
      }
    }
  }

  out += "<div class=\"charts\">\n";
  Chart throughput{"chart-throughput", "Throughput", "operations/s", t_max, {}};
  Chart errors{"chart-errors", "Errors and timeouts (dashed: throttled)", "per second", t_max, {}};
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& s = series[i];
    if (!s.seen) continue;
    const std::string name(op_name(static_cast<Op>(i)));
    throughput.series.push_back({name, kOpColors[i], false, s.rate});
    errors.series.push_back({name, kOpColors[i], false, s.failed});
    if (s.any_throttled) errors.series.push_back({name + " throttled", kOpColors[i], true, s.throttled});
  }
  out += render_chart(throughput);
  out += render_chart(errors);
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& s = series[i];
    if (s.p50.empty()) continue;
    const std::string name(op_name(static_cast<Op>(i)));
    Chart latency{"chart-latency-" + name, "Latency: " + name, "ms", t_max, {}};
    latency.series.push_back({"p50", kOpColors[i], true, s.p50});
    latency.series.push_back({"p99", kOpColors[i], false, s.p99});
    out += render_chart(latency);
  }
  out += render_chart({"chart-sessions",
                       "Sessions connected",
                       "sessions",
                       t_max,
                       {{"connected", "#0969da", false, sessions}}});
  out += "</div>\n";
}

}  // namespace

std::string format_html(const boost::json::object& report) {
  const json::object& run = object_or_empty(report, "fleetsim");
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing may load from anywhere: the page is complete as it is.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'; img-src data:\">\n";
  out += "<title>fleetsim: " + markup_escape(text(run, "scenario")) + "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  append_header(out, report);
  append_gates(out, report);
  append_operations(out, report);
  append_errors(out, report);
  append_charts(out, report);
  out += "<footer>fleetsim " + markup_escape(text(run, "version")) +
         ": latencies in milliseconds from mergeable histograms (within 0.4%); one point per timeline "
         "interval.</footer>\n<script>";
  out += kScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace fleetsim::metrics
