// Line charts as inline SVG for the HTML report: drawn here, in C++, so the page shows them with
// scripts disabled (CI artifact viewers often forbid inline scripts) and needs no library.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fleetsim::metrics {

struct ChartSeries {
  std::string name;   // legend text
  std::string color;  // CSS colour
  bool dashed = false;
  std::vector<std::pair<double, double>> points;  // (t seconds, value), increasing t
};

struct Chart {
  std::string id;      // unique in the page
  std::string title;   // above the plot
  std::string y_unit;  // axis label: "ms", "operations/s", ...
  double x_max = 0;    // seconds: the run's last timeline point
  std::vector<ChartSeries> series;
};

// A <figure> with the title, the <svg class="chart"> (axes with rounded ticks from 0, one
// <polyline class="series" data-series=NAME data-points=N> per series, a dot when a series has a
// single point) and an HTML legend. The svg carries its data ranges (data-x-max, data-y-max) and
// plot box so the page's script can read values back for the hover readout.
std::string render_chart(const Chart& chart);

// The smallest 1, 2, 2.5 or 5 x 10^k step that divides [0, max] into at most `ticks` parts.
double nice_step(double max, int ticks);

}  // namespace fleetsim::metrics
