#include "sim/reported.hpp"

#include <algorithm>
#include <cstddef>

namespace fleetsim::sim {
namespace {

// The segment of `path` starting at `from`, up to the next '.' or the end.
std::string_view segment_at(std::string_view path, std::size_t from) noexcept {
  const std::size_t dot = path.find('.', from);
  return path.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from);
}

// Number of whole leading segments two paths share.
std::size_t common_segments(std::string_view a, std::string_view b) noexcept {
  std::size_t count = 0, at = 0;
  while (at <= a.size() && at <= b.size()) {
    const std::string_view sa = segment_at(a, at);
    const std::string_view sb = segment_at(b, at);
    if (sa != sb) break;
    ++count;
    at += sa.size() + 1;
  }
  return count;
}

std::size_t segment_count(std::string_view path) noexcept {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '.')) + 1;
}

// True when `prefix` names an object that holds `path` ("env" and "env.t").
bool is_parent_path(std::string_view prefix, std::string_view path) noexcept {
  return path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '.';
}

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

ReportedPlan make_reported_plan(const Reported& spec) {
  ReportedPlan plan;
  plan.spec = &spec;
  plan.params.sample = spec.sample;
  plan.params.pmin = spec.pmin;
  plan.params.pmax = spec.pmax;
  plan.params.st = spec.st;
  plan.params.gt = spec.gt;
  plan.params.lt = spec.lt;
  return plan;
}

void append_reported_patch(std::string& out, std::span<PathValue> items) {
  // Sorting by segments (not raw text) keeps siblings adjacent: "a.b" < "a.c" < "a0".
  std::sort(items.begin(), items.end(), [](const PathValue& x, const PathValue& y) {
    std::size_t at = 0;
    for (;;) {
      const std::string_view sx = segment_at(x.path, at);
      const std::string_view sy = segment_at(y.path, at);
      if (sx != sy) return sx < sy;
      at += sx.size() + 1;
      if (at > x.path.size() || at > y.path.size()) return x.path.size() < y.path.size();
    }
  });
  out += '{';
  std::string_view open_path;  // the path whose objects are open, leaf segment excluded
  std::size_t open_depth = 0;  // objects open below the root
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string_view path = items[i].path;
    if (i + 1 < items.size() && (is_parent_path(path, items[i + 1].path) || path == items[i + 1].path)) {
      continue;  // a deeper (or later, identical) item takes this place
    }
    const std::size_t segments = segment_count(path);
    const std::size_t keep = std::min({open_depth, segments - 1, common_segments(open_path, path)});
    for (; open_depth > keep; --open_depth) out += '}';
    if (out.back() != '{') out += ',';  // after a value or a closed object: not the first member
    std::size_t at = 0;
    for (std::size_t s = 0; s < keep; ++s) at += segment_at(path, at).size() + 1;
    for (; open_depth < segments - 1; ++open_depth) {
      const std::string_view seg = segment_at(path, at);
      append_key(out, seg);
      out += '{';
      at += seg.size() + 1;
    }
    append_key(out, segment_at(path, at));
    append_json(out, *items[i].value);
    open_path = path;
  }
  for (; open_depth > 0; --open_depth) out += '}';
  out += '}';
}

}  // namespace fleetsim::sim
