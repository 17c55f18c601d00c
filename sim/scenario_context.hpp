// The state of one scenario load shared by its steps (overrides, parser, validation): the
// diagnostics found so far and where every value came from. Internal to the scenario loader.
//
// Positions are recorded by dotted path ("telemetry.0.jitter", the same paths --set uses) as the
// parser reads each key, so that validation, which works on the parsed model, can still point at
// the offending value. A value that failed to parse is recorded as failed, and validation skips
// the rules that involve it rather than report a second, misleading error.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <toml++/toml.h>

#include "sim/scenario.hpp"

namespace fleetsim::sim::detail {

struct Where {
  SourcePos key;
  SourcePos value;
  bool failed = false;
};

class LoadContext {
 public:
  LoadContext(std::string file, std::string_view text) : file_(std::move(file)), text_(text) {}

  const std::string& file() const noexcept { return file_; }
  // The line of the scenario text with 1-based number `line` (empty when out of range).
  std::string_view source_line(std::uint32_t line) const noexcept;

  // Where a node of the tree came from: its place in the file, or "--set:N:1" for a value (and
  // everything inside it) put there by the Nth override, since toml++ nodes cannot carry that.
  SourcePos pos_of(const toml::node& node) const;
  SourcePos key_pos_of(const toml::key& key, const toml::node& value) const;
  bool overridden(const toml::node& node) const { return overridden_.contains(&node); }
  void mark_overridden(const toml::node& node, const SourcePos& pos);

  // Records where `path` is; a path once marked failed stays failed when read again.
  void record(std::string path, Where where);
  void mark_failed(std::string_view path);
  // Positions by path; a path never read (a key left out) falls back to its nearest recorded
  // parent, the table that lacks it.
  SourcePos key_at(std::string_view path) const;
  SourcePos value_at(std::string_view path) const;
  bool failed(std::string_view path) const;

  void error(SourcePos pos, std::string message);
  void warning(SourcePos pos, std::string message);
  bool has_errors() const noexcept { return errors_ > 0; }
  std::vector<Diagnostic> take_diagnostics();

 private:
  const Where* nearest(std::string_view path) const;

  std::string file_;
  std::string_view text_;
  std::unordered_map<const toml::node*, SourcePos> overridden_;
  std::map<std::string, Where, std::less<>> positions_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
};

// How a found value reads in "expected X, found Y": "integer 5", "string \"x\"", "a table".
std::string describe(const toml::node& node);

// Numbers and durations as messages show them: 0.5, 21, "1500ms", "30s".
std::string format_number(double v);
std::string format_duration(Duration d);

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join_path(std::string_view parent, std::string_view key);

// `s` in double quotes, as messages quote found values: "\"mqtt-tls\"".
std::string quoted(std::string_view s);

}  // namespace fleetsim::sim::detail
