#include "sim/scenario_context.hpp"

#include <algorithm>
#include <charconv>

namespace fleetsim::sim::detail {
std::string_view LoadContext::source_line(std::uint32_t line) const noexcept {
  std::string_view rest = text_;
  for (std::uint32_t i = 1; i < line; ++i) {
    const auto newline = rest.find('\n');
    if (newline == std::string_view::npos) return {};
    rest.remove_prefix(newline + 1);
  }
  return rest.substr(0, rest.find('\n'));
}

SourcePos LoadContext::pos_of(const toml::node& node) const {
  if (const auto it = overridden_.find(&node); it != overridden_.end()) return it->second;
  const auto& begin = node.source().begin;
  return SourcePos{file_, begin.line, begin.column};
}

SourcePos LoadContext::key_pos_of(const toml::key& key, const toml::node& value) const {
  if (const auto it = overridden_.find(&value); it != overridden_.end()) return it->second;
  const auto& begin = key.source().begin;
  if (begin.line == 0) return pos_of(value);
  return SourcePos{file_, begin.line, begin.column};
}

void LoadContext::mark_overridden(const toml::node& node, const SourcePos& pos) {
  overridden_[&node] = pos;
  if (const auto* table = node.as_table()) {
    for (const auto& [key, child] : *table) mark_overridden(child, pos);
  } else if (const auto* array = node.as_array()) {
    for (const auto& child : *array) mark_overridden(child, pos);
  }
}

void LoadContext::record(std::string path, Where where) {
  Where& slot = positions_[std::move(path)];
  where.failed = where.failed || slot.failed;
  slot = std::move(where);
}

void LoadContext::mark_failed(std::string_view path) {
  if (const auto it = positions_.find(path); it != positions_.end()) {
    it->second.failed = true;
  } else {
    positions_[std::string(path)] = Where{value_at(path), value_at(path), true};
  }
}

const Where* LoadContext::nearest(std::string_view path) const {
  while (true) {
    if (const auto it = positions_.find(path); it != positions_.end()) return &it->second;
    const auto dot = path.rfind('.');
    if (dot == std::string_view::npos) return nullptr;
    path = path.substr(0, dot);
  }
}

SourcePos LoadContext::key_at(std::string_view path) const {
  const Where* where = nearest(path);
  return where ? where->key : SourcePos{file_, 1, 1};
}

SourcePos LoadContext::value_at(std::string_view path) const {
  const Where* where = nearest(path);
  return where ? where->value : SourcePos{file_, 1, 1};
}

bool LoadContext::failed(std::string_view path) const {
  const auto it = positions_.find(path);
  return it != positions_.end() && it->second.failed;
}

void LoadContext::error(SourcePos pos, std::string message) {
  diagnostics_.push_back(Diagnostic{std::move(pos), std::move(message), false});
  ++errors_;
}

void LoadContext::warning(SourcePos pos, std::string message) {
  diagnostics_.push_back(Diagnostic{std::move(pos), std::move(message), true});
}

std::vector<Diagnostic> LoadContext::take_diagnostics() {
  // File order reads best; --set diagnostics (no place in the file) come after, by override.
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [this](const Diagnostic& a, const Diagnostic& b) {
                     const bool a_set = a.pos.file != file_;
                     const bool b_set = b.pos.file != file_;
                     if (a_set != b_set) return b_set;
                     if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
                     return a.pos.column < b.pos.column;
                   });
  errors_ = 0;
  return std::move(diagnostics_);
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: {
      std::string text = "string \"";
      text.append(*node.value<std::string_view>()).append("\"");
      return text;
    }
    case toml::node_type::integer:
      return "integer " + std::to_string(*node.value_exact<std::int64_t>());
    case toml::node_type::floating_point: {
      // As TOML writes it: 1.0 rather than 1, so it reads as the float it is.
      std::string text = "float " + format_number(*node.value_exact<double>());
      if (text.find_first_of(".eni", 6) == std::string::npos) text.append(".0");
      return text;
    }
    case toml::node_type::boolean:
      return *node.value_exact<bool>() ? "boolean true" : "boolean false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string format_number(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

std::string format_duration(Duration d) {
  const auto ns = d.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

std::string join_path(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) path.push_back('.');
  path.append(key);
  return path;
}

// Built by appending: "\"" + std::string(...) trips GCC 12's false -Wrestrict positive.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

}  // namespace fleetsim::sim::detail
