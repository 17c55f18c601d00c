// Typed reads of the keys of one TOML table. Each read records the key's position under its dotted
// path, and reports a value of the wrong type ("expected a duration string like \"5s\", found
// integer 5") or a malformed one at the value, returning nullopt. Rules that need one value only
// (a range, a set of words) are checked where the value is read; rules between values are
// validation's (scenario_validate.cpp). Internal to the scenario loader.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/scenario_context.hpp"
#include "sim/scenario_schema.hpp"

namespace fleetsim::sim::detail {

using Scalar = std::variant<double, std::string, bool>;

class TableReader {
 public:
  TableReader(LoadContext& cx, const toml::table& table, std::string path)
      : cx_(cx), table_(table), path_(std::move(path)) {}

  // Reports, at the key, every key of the table that `schema` does not list.
  void check_keys(const TableSchema& schema);

  // The node of `key` (recording its position) or nullptr when the key is absent.
  const toml::node* get(std::string_view key);
  // Reports "missing key 'KEY' in LABEL" at the table.
  void missing(std::string_view key, std::string_view label);

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<double> number(std::string_view key);  // an integer or a float
  std::optional<bool> boolean(std::string_view key);
  std::optional<Duration> duration(std::string_view key);
  std::optional<double> rate(std::string_view key);  // per second
  std::optional<std::vector<std::string>> strings(std::string_view key);
  std::optional<std::vector<Scalar>> scalars(std::string_view key);
  std::optional<std::vector<double>> numbers(std::string_view key);
  std::optional<Scalar> scalar(std::string_view key);
  std::optional<Selector> selector(std::string_view key);
  // A string that must be one of `words` ("expected \"none\", \"echo\" or \"pnp\"").
  std::optional<std::string> word(std::string_view key, std::initializer_list<std::string_view> words);
  const toml::table* table(std::string_view key);
  // The entries of an array of tables written [[key]]; empty when absent or mistyped.
  std::vector<const toml::table*> tables(std::string_view key);

  // A rule violation at the value of `key` (the value is then marked failed).
  void error(std::string_view key, std::string message);

  std::string path(std::string_view key) const { return join_path(path_, key); }
  const std::string& path() const noexcept { return path_; }
  SourcePos table_pos() const { return cx_.pos_of(table_); }
  LoadContext& context() noexcept { return cx_; }

 private:
  void type_error(std::string_view key, const toml::node& node, std::string_view expected);

  LoadContext& cx_;
  const toml::table& table_;
  std::string path_;
};

// Reads a scalar node: a number (integer or float), a string or a boolean.
std::optional<Scalar> to_scalar(const toml::node& node);

}  // namespace fleetsim::sim::detail
