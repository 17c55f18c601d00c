#include "sim/scenario_overrides.hpp"

#include <charconv>

#include "sim/scenario_schema.hpp"

namespace fleetsim::sim::detail {
namespace {

// The override's value as a node: a TOML value when it parses as one, else the text as a string.
toml::table parse_value(const std::string& text) {
  try {
    auto doc = toml::parse("v = " + text);
    if (doc.size() == 1 && doc.contains("v")) return doc;
  } catch (const toml::parse_error&) {
    // Not TOML: a bare word such as 10s or dev-{index}.
  }
  toml::table doc;
  doc.insert("v", text);
  return doc;
}

std::optional<std::size_t> parse_index(std::string_view text) {
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return index;
}

// Built by appending: "'" + std::string(...) trips GCC 12's false -Wrestrict positive.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

std::vector<std::string_view> split_path(std::string_view key) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto dot = key.find('.');
    parts.push_back(key.substr(0, dot));
    if (dot == std::string_view::npos) return parts;
    key.remove_prefix(dot + 1);
  }
}

class Applier {
 public:
  Applier(LoadContext& cx, const Override& o, std::uint32_t number)
      : cx_(cx), override_(o), pos_{"--set", number, 1} {}

  void apply(toml::table& root) {
    const auto parts = split_path(override_.key);
    toml::table* table = &root;
    const TableSchema* schema = &root_schema();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string_view part = parts[i];
      const bool last = i + 1 == parts.size();
      if (part.empty()) return fail("empty key segment; write KEY as a dotted path like fleet.devices");
      const KeySchema* key = schema ? schema->find(part) : nullptr;
      if (schema && !key) return fail(unknown_key_message(part, *schema));
      if (last) return assign(*table, part);
      const Shape shape = key ? key->shape : Shape::value;
      if (shape == Shape::value) return fail(quoted(part) + " is not a table");
      if (shape == Shape::free_table) {
        table = child_table(*table, part);
        if (!table) return;
        schema = nullptr;  // the user's own keys
        if (i + 2 != parts.size()) return fail(quoted(parts[i + 1]) + " is a string, not a table");
        continue;
      }
      if (shape == Shape::table) {
        table = child_table(*table, part);
        if (!table) return;
        schema = key->table;
        continue;
      }
      // An array of tables: the next part is the entry's index.
      const std::string_view index_text = parts[++i];
      const auto index = parse_index(index_text);
      if (!index) {
        return fail("expected an entry index after " + quoted(part) + " (" + std::string(key->table->label) +
                    " entries are numbered from 0), found " + quoted(index_text));
      }
      auto* array = table->get_as<toml::array>(part);
      const std::size_t size = array ? array->size() : 0;
      if (*index >= size) {
        return fail("index " + std::to_string(*index) + " out of range: the scenario has " +
                    std::to_string(size) + " " + std::string(key->table->label) +
                    (size == 1 ? " entry" : " entries"));
      }
      if (i + 1 == parts.size()) {
        auto value = parse_value(override_.value);
        std::move(*value.get("v")).visit([&](auto&& node) {
          array->replace(array->cbegin() + *index, std::move(node));
        });
        cx_.mark_overridden((*array)[*index], pos_);
        return;
      }
      table = (*array)[*index].as_table();
      if (!table) return fail("entry " + std::to_string(*index) + " of " + quoted(part) + " is not a table");
      schema = key->table;
    }
  }

 private:
  toml::table* child_table(toml::table& parent, std::string_view key) {
    if (!parent.contains(key)) {
      parent.insert(key, toml::table{});
      cx_.mark_overridden(*parent.get(key), pos_);
    }
    auto* child = parent.get_as<toml::table>(key);
    if (!child) fail(quoted(key) + " is not a table in the scenario");
    return child;
  }

  void assign(toml::table& table, std::string_view key) {
    auto value = parse_value(override_.value);
    std::move(*value.get("v")).visit([&](auto&& node) { table.insert_or_assign(key, std::move(node)); });
    cx_.mark_overridden(*table.get(key), pos_);
  }

  void fail(const std::string& message) {
    cx_.error(pos_, "--set " + override_.key + "=" + override_.value + ": " + message);
  }

  LoadContext& cx_;
  const Override& override_;
  SourcePos pos_;
};

}  // namespace

void apply_overrides(LoadContext& cx, toml::table& root, const std::vector<Override>& overrides) {
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    Applier(cx, overrides[i], static_cast<std::uint32_t>(i + 1)).apply(root);
  }
}

}  // namespace fleetsim::sim::detail
