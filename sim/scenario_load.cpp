// Loading a scenario: TOML syntax, then --set overrides, then the parser, then validation, each
// adding to one list of diagnostics so that a user sees every problem in one go.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/scenario.hpp"
#include "sim/scenario_context.hpp"
#include "sim/scenario_overrides.hpp"
#include "sim/scenario_parse.hpp"
#include "sim/scenario_validate.hpp"

namespace fleetsim::sim {
namespace {

bool all_numbers(const std::vector<std::variant<double, std::string, bool>>& values) {
  return !values.empty() && std::all_of(values.begin(), values.end(),
                                        [](const auto& v) { return std::holds_alternative<double>(v); });
}

}  // namespace

bool is_numeric(const ValueSpec& v) {
  if (const auto* constant = std::get_if<ConstantGen>(&v))
    return std::holds_alternative<double>(constant->value);
  if (const auto* choice = std::get_if<ChoiceGen>(&v)) return all_numbers(choice->values);
  if (const auto* sequence = std::get_if<SequenceGen>(&v)) return all_numbers(sequence->values);
  return true;  // random_walk, sine, counter; replay reads numbers from its CSV
}

std::string Diagnostic::to_string() const {
  std::string text = pos.file;
  if (pos.line > 0) {  // 0: about the whole file (it cannot be read)
    text.append(":").append(std::to_string(pos.line)).append(":").append(std::to_string(pos.column));
  }
  text.append(warning ? ": warning: " : ": error: ").append(message);
  return text;
}

LoadResult load_scenario_text(std::string_view text, const std::string& file_name,
                              const std::vector<Override>& overrides) {
  detail::LoadContext cx(file_name, text);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    cx.error(SourcePos{file_name, begin.line, begin.column}, std::string(e.description()));
    return LoadResult{std::nullopt, cx.take_diagnostics()};
  }
  detail::apply_overrides(cx, root, overrides);
  Scenario scenario = detail::parse_scenario(cx, root);
  detail::validate_scenario(cx, scenario);
  LoadResult result;
  if (!cx.has_errors()) result.scenario = std::move(scenario);
  result.diagnostics = cx.take_diagnostics();
  return result;
}

LoadResult load_scenario_file(const std::string& path, const std::vector<Override>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string reason = std::strerror(errno);
    return LoadResult{std::nullopt,
                      {Diagnostic{SourcePos{path, 0, 0}, "cannot read the scenario file: " + reason, false}}};
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return load_scenario_text(contents.str(), path, overrides);
}

}  // namespace fleetsim::sim
