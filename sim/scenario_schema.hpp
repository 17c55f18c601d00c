// The keys a scenario file may contain, table by table (DESIGN.md "Scenario files"). One table of
// names drives both the unknown-key check of the parser and the path check of `--set`, so the two
// can never disagree. Internal to the scenario loader.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fleetsim::sim::detail {

enum class Shape : std::uint8_t {
  value,            // a scalar or array value
  table,            // a [table] or inline table described by KeySchema::table
  array_of_tables,  // [[table]] entries, addressed by index in --set paths
  free_table,       // a table whose keys are the user's (telemetry properties)
};

struct TableSchema;

struct KeySchema {
  std::string_view name;
  Shape shape = Shape::value;
  const TableSchema* table = nullptr;  // for table and array_of_tables
};

struct TableSchema {
  std::string_view label;  // as the user wrote it: "[fleet]", "[[telemetry]]"
  std::span<const KeySchema> keys;

  const KeySchema* find(std::string_view name) const noexcept;
};

const TableSchema& root_schema() noexcept;

// Value generator tables: every generator's keys together (what --set may address), and the keys of
// one kind (what the parser accepts once `kind` is known); nullptr for an unknown kind.
const TableSchema& generator_schema() noexcept;
const TableSchema* generator_schema(std::string_view kind) noexcept;
// "constant, random_walk, sine, choice, sequence, counter or replay"
std::string_view generator_kinds_text() noexcept;

// "unknown key 'intervall' in [[telemetry]]; did you mean 'interval'?"
std::string unknown_key_message(std::string_view key, const TableSchema& table);

}  // namespace fleetsim::sim::detail
