// `fleetsim run --html FILE.html`: the report as one self-contained page (no network, no external
// file: styles, charts and the small script are inline) that a CI server can keep as an
// artifact. It shows the verdict and the run's identity, the gates, a percentile table per
// operation, the error counters, and charts drawn from the timeline: latency over time (p50 and
// p99 per operation), throughput, errors and sessions connected.
//
// The charts are SVG drawn in C++ (html_charts.hpp), so they show even where scripts are
// disallowed; the inline script only adds a hover readout, and marks each drawn line with its
// rendered length (data-drawn-length) and the page with data-charts-rendered, which the
// headless-browser test reads back.
#pragma once

#include <string>

#include <boost/json/object.hpp>

namespace fleetsim::metrics {

// From the report document (build_report or merge_reports, with or without a timeline).
std::string format_html(const boost::json::object& report);

}  // namespace fleetsim::metrics
