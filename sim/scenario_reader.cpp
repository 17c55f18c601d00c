#include "sim/scenario_reader.hpp"

#include "sim/scenario_suggest.hpp"

namespace fleetsim::sim::detail {
namespace {

std::string quoted_list(std::initializer_list<std::string_view> words) {
  std::string text;
  std::size_t i = 0;
  for (const auto word : words) {
    if (i > 0) text.append(i + 1 == words.size() ? " or " : ", ");
    text.append("\"").append(word).append("\"");
    ++i;
  }
  return text;
}

}  // namespace

std::optional<Scalar> to_scalar(const toml::node& node) {
  if (const auto v = node.value_exact<std::int64_t>()) return Scalar{static_cast<double>(*v)};
  if (const auto v = node.value_exact<double>()) return Scalar{*v};
  if (const auto v = node.value_exact<std::string>()) return Scalar{*v};
  if (const auto v = node.value_exact<bool>()) return Scalar{*v};
  return std::nullopt;
}

void TableReader::check_keys(const TableSchema& schema) {
  for (const auto& [key, node] : table_) {
    if (schema.find(key.str()) == nullptr) {
      cx_.error(cx_.key_pos_of(key, node), unknown_key_message(key.str(), schema));
    }
  }
}

const toml::node* TableReader::get(std::string_view key) {
  const auto it = table_.find(key);
  if (it == table_.end()) return nullptr;
  cx_.record(path(key), Where{cx_.key_pos_of(it->first, it->second), cx_.pos_of(it->second)});
  return &it->second;
}

void TableReader::missing(std::string_view key, std::string_view label) {
  std::string message = "missing key '";
  message.append(key).append("' in ").append(label);
  cx_.error(table_pos(), std::move(message));
  cx_.mark_failed(path(key));
}

void TableReader::type_error(std::string_view key, const toml::node& node, std::string_view expected) {
  std::string message = "expected ";
  message.append(expected).append(", found ").append(describe(node));
  cx_.error(cx_.pos_of(node), std::move(message));
  cx_.mark_failed(path(key));
}

void TableReader::error(std::string_view key, std::string message) {
  cx_.error(cx_.value_at(path(key)), std::move(message));
  cx_.mark_failed(path(key));
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (const auto v = node->value_exact<std::string>()) return *v;
  type_error(key, *node, "a string");
  return std::nullopt;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (const auto v = node->value_exact<std::int64_t>()) return *v;
  type_error(key, *node, "an integer");
  return std::nullopt;
}

std::optional<double> TableReader::number(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (const auto v = node->value_exact<std::int64_t>()) return static_cast<double>(*v);
  if (const auto v = node->value_exact<double>()) return *v;
  type_error(key, *node, "a number");
  return std::nullopt;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (const auto v = node->value_exact<bool>()) return *v;
  type_error(key, *node, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<Duration> TableReader::duration(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto text = node->value_exact<std::string>();
  if (!text) {
    type_error(key, *node, "a duration string like \"5s\"");
    return std::nullopt;
  }
  if (const auto d = parse_duration(*text)) return d;
  error(key, "malformed duration \"" + *text +
                 "\": expected a number and a unit (ns, us, ms, s, m, h) like \"250ms\" or \"5s\"");
  return std::nullopt;
}

std::optional<double> TableReader::rate(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto text = node->value_exact<std::string>();
  if (!text) {
    type_error(key, *node, "a rate string like \"500/s\"");
    return std::nullopt;
  }
  if (const auto r = parse_rate(*text)) return r;
  error(key, "malformed rate \"" + *text + "\": expected a number per unit (/s, /m, /h) like \"500/s\"");
  return std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& element : *array) {
    const auto v = element.value_exact<std::string>();
    if (!v) {
      cx_.error(cx_.pos_of(element), "expected a string, found " + describe(element));
      cx_.mark_failed(path(key));
      return std::nullopt;
    }
    out.push_back(*v);
  }
  return out;
}

std::optional<std::vector<Scalar>> TableReader::scalars(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of numbers, strings or booleans");
    return std::nullopt;
  }
  std::vector<Scalar> out;
  for (const auto& element : *array) {
    auto v = to_scalar(element);
    if (!v) {
      cx_.error(cx_.pos_of(element), "expected a number, string or boolean, found " + describe(element));
      cx_.mark_failed(path(key));
      return std::nullopt;
    }
    out.push_back(std::move(*v));
  }
  return out;
}

std::optional<std::vector<double>> TableReader::numbers(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of numbers");
    return std::nullopt;
  }
  std::vector<double> out;
  for (const auto& element : *array) {
    if (const auto i = element.value_exact<std::int64_t>()) {
      out.push_back(static_cast<double>(*i));
    } else if (const auto f = element.value_exact<double>()) {
      out.push_back(*f);
    } else {
      cx_.error(cx_.pos_of(element), "expected a number, found " + describe(element));
      cx_.mark_failed(path(key));
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Scalar> TableReader::scalar(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (auto v = to_scalar(*node)) return v;
  type_error(key, *node, "a number, string or boolean");
  return std::nullopt;
}

std::optional<Selector> TableReader::selector(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  constexpr std::string_view kExpected = "\"device\", \"devices\", \"modules\", \"all\" or \"module:NAME\"";
  const auto text = node->value_exact<std::string>();
  if (!text) {
    type_error(key, *node, kExpected);
    return std::nullopt;
  }
  constexpr std::string_view kModulePrefix = "module:";
  if (*text == "device" || *text == "devices") return Selector{Selector::Kind::device, {}};
  if (*text == "modules") return Selector{Selector::Kind::all_modules, {}};
  if (*text == "all") return Selector{Selector::Kind::all, {}};
  if (text->starts_with(kModulePrefix) && text->size() > kModulePrefix.size()) {
    return Selector{Selector::Kind::module, text->substr(kModulePrefix.size())};
  }
  type_error(key, *node, kExpected);
  return std::nullopt;
}

std::optional<std::string> TableReader::word(std::string_view key,
                                             std::initializer_list<std::string_view> words) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const auto text = node->value_exact<std::string>();
  if (!text) {
    type_error(key, *node, quoted_list(words));
    return std::nullopt;
  }
  for (const auto w : words) {
    if (*text == w) return *text;
  }
  std::string message = "expected ";
  message.append(quoted_list(words)).append(", found ").append(describe(*node));
  if (const auto suggestion =
          closest(*text, std::span<const std::string_view>(words.begin(), words.size()))) {
    message.append("; did you mean \"").append(*suggestion).append("\"?");
  }
  error(key, std::move(message));
  return std::nullopt;
}

const toml::table* TableReader::table(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return nullptr;
  if (const auto* t = node->as_table()) return t;
  type_error(key, *node, "a table");
  return nullptr;
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return {};
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of tables ([[" + std::string(key) + "]])");
    return {};
  }
  std::vector<const toml::table*> out;
  for (const auto& element : *array) {
    if (const auto* t = element.as_table()) {
      out.push_back(t);
    } else {
      cx_.error(cx_.pos_of(element),
                "expected a table ([[" + std::string(key) + "]]), found " + describe(element));
      cx_.mark_failed(path(key));
      return {};
    }
  }
  return out;
}

}  // namespace fleetsim::sim::detail
