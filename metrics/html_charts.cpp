// render_chart: an SVG line chart with linear axes from zero.
#include "metrics/html_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "metrics/markup.hpp"

namespace fleetsim::metrics {
namespace {

constexpr double kWidth = 760, kHeight = 240;
constexpr double kLeft = 64, kRight = 16, kTop = 22, kBottom = 34;
constexpr int kTicks = 5;

std::string fmt(const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Tick labels: as few digits as the step needs.
std::string tick_label(double v, double step) {
  if (step >= 1) return fmt("%.0f", v);
  if (step >= 0.1) return fmt("%.1f", v);
  if (step >= 0.01) return fmt("%.2f", v);
  return fmt("%.3g", v);
}

}  // namespace

double nice_step(double max, int ticks) {
  if (!(max > 0) || ticks < 1) return 1;
  const double raw = max / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string render_chart(const Chart& chart) {
  double y_data_max = 0;
  for (const auto& s : chart.series) {
    for (const auto& [t, v] : s.points) y_data_max = std::max(y_data_max, v);
  }
  // A chart of zeros (no errors) still gets a readable 0..1 axis.
  const double y_step = nice_step(y_data_max > 0 ? y_data_max : 1, kTicks);
  const double y_max =
      y_data_max > 0 ? std::max(y_step, std::ceil(y_data_max / y_step - 1e-9) * y_step) : 1.0;
  const double x_step = nice_step(chart.x_max > 0 ? chart.x_max : 1, 8);
  const double x_max = std::max(x_step, std::ceil(chart.x_max / x_step - 1e-9) * x_step);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto px = [&](double t) { return kLeft + t / x_max * plot_w; };
  const auto py = [&](double v) { return kTop + plot_h - v / y_max * plot_h; };

  const std::string id = markup_escape(chart.id);
  std::string out = "<figure class=\"chart\" id=\"" + id + "\">\n<figcaption>" + markup_escape(chart.title) +
                    "</figcaption>\n";
  out += "<svg class=\"chart\" viewBox=\"0 0 " + fmt("%.0f", kWidth) + " " + fmt("%.0f", kHeight) +
         "\" role=\"img\" aria-label=\"" + markup_escape(chart.title) + "\" data-x-max=\"" +
         fmt("%.6g", x_max) + "\" data-y-max=\"" + fmt("%.6g", y_max) + "\" data-plot=\"" +
         fmt("%.0f", kLeft) + " " + fmt("%.0f", kTop) + " " + fmt("%.0f", plot_w) + " " +
         fmt("%.0f", plot_h) + "\" data-unit=\"" + markup_escape(chart.y_unit) + "\">\n";
  // Grid and axes.
  for (int k = 0; k * y_step <= y_max * (1 + 1e-9); ++k) {
    const double v = k * y_step;
    const std::string y = fmt("%.1f", py(v));
    out += "<line class=\"grid\" x1=\"" + fmt("%.1f", kLeft) + "\" x2=\"" + fmt("%.1f", kLeft + plot_w) +
           "\" y1=\"" + y + "\" y2=\"" + y + "\"/>";
    out += "<text class=\"tick y\" x=\"" + fmt("%.1f", kLeft - 6) + "\" y=\"" + y + "\">" +
           tick_label(v, y_step) + "</text>\n";
  }
  for (int k = 0; k * x_step <= x_max * (1 + 1e-9); ++k) {
    const double t = k * x_step;
    const std::string x = fmt("%.1f", px(t));
    out += "<line class=\"grid\" x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + fmt("%.1f", kTop) + "\" y2=\"" +
           fmt("%.1f", kTop + plot_h) + "\"/>";
    out += "<text class=\"tick x\" x=\"" + x + "\" y=\"" + fmt("%.1f", kTop + plot_h + 16) + "\">" +
           tick_label(t, x_step) + "</text>\n";
  }
  out += "<text class=\"axis\" x=\"" + fmt("%.1f", kLeft + plot_w) + "\" y=\"" + fmt("%.1f", kHeight - 2) +
         "\">seconds</text>";
  out += "<text class=\"axis y\" x=\"4\" y=\"" + fmt("%.1f", kTop - 10) + "\">" +
         markup_escape(chart.y_unit) + "</text>\n";
  // Series.
  for (const auto& s : chart.series) {
    std::string points;
    for (const auto& [t, v] : s.points) {
      if (!points.empty()) points += ' ';
      points += fmt("%.1f", px(t)) + "," + fmt("%.1f", py(v));
    }
    out += "<polyline class=\"series" + std::string(s.dashed ? " dashed" : "") + "\" data-series=\"" +
           markup_escape(s.name) + "\" data-points=\"" + std::to_string(s.points.size()) + "\" stroke=\"" +
           markup_escape(s.color) + "\" points=\"" + points + "\"/>\n";
    if (s.points.size() == 1) {
      out += "<circle class=\"dot\" r=\"3\" fill=\"" + markup_escape(s.color) + "\" cx=\"" +
             fmt("%.1f", px(s.points[0].first)) + "\" cy=\"" + fmt("%.1f", py(s.points[0].second)) + "\"/>\n";
    }
  }
  out += "</svg>\n<div class=\"legend\">";
  for (const auto& s : chart.series) {
    // The swatch repeats the line's dash, so that p50 (dashed) and p99 (solid) read apart.
    const std::string swatch = s.dashed ? "border-top:2px dashed " + markup_escape(s.color) + ";height:0"
                                        : "background:" + markup_escape(s.color);
    out += "<span><i style=\"" + swatch + "\"></i>" + markup_escape(s.name) + "</span>";
  }
  out += "</div>\n<div class=\"readout\"></div>\n</figure>\n";
  return out;
}

}  // namespace fleetsim::metrics
