#include "app/hub_config.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <span>
#include <sstream>
#include <utility>

#include <toml++/toml.h>

#include "hub/throttle.hpp"
#include "sim/scenario_suggest.hpp"

namespace fleetsim::app {
namespace {

enum class Kind { port, text, count };

struct Key {
  std::string_view name;  // in the TOML file
  std::string_view flag;
  std::optional<Setting> HubSettings::*setting;
  std::optional<std::string> HubArgs::*arg;
  Kind kind;
};

const Key kKeys[] = {
    {"mqtt_port", "--mqtt-port", &HubSettings::mqtt_port, &HubArgs::mqtt_port, Kind::port},
    {"mqtts_port", "--mqtts-port", &HubSettings::mqtts_port, &HubArgs::mqtts_port, Kind::port},
    {"https_port", "--https-port", &HubSettings::https_port, &HubArgs::https_port, Kind::port},
    {"http_port", "--http-port", &HubSettings::http_port, &HubArgs::http_port, Kind::port},
    {"bind", "--bind", &HubSettings::bind, &HubArgs::bind, Kind::text},
    {"host_name", "--host-name", &HubSettings::host_name, &HubArgs::host_name, Kind::text},
    {"cert", "--cert", &HubSettings::cert, &HubArgs::cert_file, Kind::text},
    {"key", "--key", &HubSettings::key, &HubArgs::key_file, Kind::text},
    {"data", "--data", &HubSettings::data, &HubArgs::data_dir, Kind::text},
    {"tier", "--tier", &HubSettings::tier, &HubArgs::tier, Kind::text},
    {"units", "--units", &HubSettings::units, &HubArgs::units, Kind::count},
    {"metrics_port", "--metrics-port", &HubSettings::metrics_port, &HubArgs::metrics_port, Kind::count},
    {"metrics_address", "--metrics-address", &HubSettings::metrics_address, &HubArgs::metrics_address,
     Kind::text},
};

const Key* find_key(std::string_view name) {
  for (const Key& key : kKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string position(const std::string& file, const toml::source_position& at) {
  return file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

std::string_view expected(Kind kind) {
  switch (kind) {
    case Kind::port:
      return "a port number or \"off\"";
    case Kind::text:
      return "a string";
    case Kind::count:
      return "an integer";
  }
  return "";
}

// The value as text, or nullopt when its TOML type does not fit the key.
std::optional<std::string> value_text(const toml::node& node, Kind kind) {
  if (const auto* integer = node.as_integer(); integer != nullptr && kind != Kind::text) {
    return std::to_string(integer->get());
  }
  if (const auto* text = node.as_string(); text != nullptr && kind != Kind::count) return text->get();
  return std::nullopt;
}

std::optional<unsigned long> parse_number(std::string_view text, unsigned long max) {
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max)
    return std::nullopt;
  return value;
}

// "--units 0" or "hub.toml:4:9: units 0"
std::string where(const Setting& setting) {
  return setting.origin + " " + setting.value;
}

const std::string& value_or(const std::optional<Setting>& setting, const std::string& fallback) {
  return setting ? setting->value : fallback;
}

// A port: a number (0 picks a free port), or "off"; `zero_is_off` for http_port.
bool resolve_port(const std::optional<Setting>& setting, std::string_view fallback, bool zero_is_off,
                  std::optional<std::uint16_t>& port, std::vector<std::string>& errors) {
  const std::string_view text = setting ? std::string_view(setting->value) : fallback;
  if (text == "off") {
    port.reset();
    return true;
  }
  const auto value = parse_number(text, 65535);
  if (!value) {
    errors.push_back(where(*setting) + ": expected a port number (0-65535) or 'off'");
    return false;
  }
  if (*value == 0 && zero_is_off) {
    port.reset();
  } else {
    port = static_cast<std::uint16_t>(*value);
  }
  return true;
}

void resolve_throttling(const HubSettings& settings, hub::HubConfig& config,
                        std::vector<std::string>& errors) {
  if (!settings.tier) {
    if (settings.units) errors.push_back(where(*settings.units) + ": units need a tier (--tier or tier)");
    return;
  }
  config.tier = hub::parse_tier(settings.tier->value);
  if (!config.tier) {
    errors.push_back(where(*settings.tier) + ": expected a tier: F1, B1, B2, B3, S1, S2 or S3");
    return;
  }
  if (!settings.units) return;
  const auto units = parse_number(settings.units->value, 1'000'000);
  if (!units) {
    errors.push_back(where(*settings.units) + ": expected a number of units (1 or more)");
    return;
  }
  config.units = static_cast<unsigned>(*units);
  if (const auto refusal = hub::check_units(*config.tier, config.units)) {
    errors.push_back(where(*settings.units) + ": " + *refusal);
  }
}

}  // namespace

std::optional<HubSettings> parse_hub_config(std::string_view text, const std::string& file_name,
                                            std::vector<std::string>& errors) {
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    errors.push_back(position(file_name, e.source().begin) + ": " + std::string(e.description()));
    return std::nullopt;
  }
  // toml++ visits keys in name order; problems are reported in file order.
  std::vector<std::pair<toml::source_position, std::string>> problems;
  HubSettings settings;
  for (const auto& [name, node] : root) {
    const Key* key = find_key(name.str());
    const toml::source_position key_at =
        name.source().begin.line != 0 ? name.source().begin : node.source().begin;
    if (key == nullptr) {
      std::string error = position(file_name, key_at) + ": unknown key '" + std::string(name.str()) + "'";
      const auto suggestion =
          sim::detail::closest(name.str(), std::span<const Key>(kKeys), [](const Key& k) { return k.name; });
      if (suggestion) error.append(" (did you mean '").append(*suggestion).append("'?)");
      problems.emplace_back(key_at, std::move(error));
      continue;
    }
    const std::string value_at = position(file_name, node.source().begin);
    auto value = value_text(node, key->kind);
    if (!value) {
      problems.emplace_back(node.source().begin, value_at + ": " + std::string(key->name) + ": expected " +
                                                     std::string(expected(key->kind)) + ", found " +
                                                     std::string(type_name(node)));
      continue;
    }
    settings.*(key->setting) = Setting{std::move(*value), value_at + ": " + std::string(key->name)};
  }
  if (problems.empty()) return settings;
  std::sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return a.first.line != b.first.line ? a.first.line < b.first.line : a.first.column < b.first.column;
  });
  for (auto& problem : problems) errors.push_back(std::move(problem.second));
  return std::nullopt;
}

std::optional<HubSettings> load_hub_config(const std::string& path, std::vector<std::string>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(path + ": cannot read the hub configuration: " + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_hub_config(text.str(), path, errors);
}

HubSettings settings_from_flags(const HubArgs& args) {
  HubSettings settings;
  for (const Key& key : kKeys) {
    if (const auto& value = args.*(key.arg)) settings.*(key.setting) = Setting{*value, std::string(key.flag)};
  }
  return settings;
}

HubSettings overlay(HubSettings base, const HubSettings& over) {
  for (const Key& key : kKeys) {
    if (over.*(key.setting)) base.*(key.setting) = over.*(key.setting);
  }
  return base;
}

std::optional<HubLaunch> resolve_hub_settings(const HubSettings& settings, std::vector<std::string>& errors) {
  const std::size_t errors_before = errors.size();
  HubLaunch launch;
  hub::HubConfig& config = launch.config;
  resolve_port(settings.mqtt_port, "1883", false, config.mqtt_port, errors);
  resolve_port(settings.mqtts_port, "8883", false, config.mqtts_port, errors);
  resolve_port(settings.https_port, "443", false, config.https_port, errors);
  resolve_port(settings.http_port, "0", true, config.http_port, errors);
  config.bind_address = value_or(settings.bind, "127.0.0.1");
  config.host_name = value_or(settings.host_name, "localhost");
  config.cert_file = value_or(settings.cert, "");
  config.key_file = value_or(settings.key, "");
  config.data_dir = value_or(settings.data, "fleetsim-hub-data");
  // Policy keys are kept only where the user named the folder (hub.hpp: persist_policy_keys).
  config.persist_policy_keys = settings.data.has_value();
  if (config.cert_file.empty() != config.key_file.empty()) {
    errors.push_back((settings.cert ? settings.cert->origin : settings.key->origin) +
                     ": a certificate and its key go together (--cert and --key, cert and key)");
  }
  resolve_throttling(settings, config, errors);
  if (settings.metrics_port) {
    const auto port = parse_number(settings.metrics_port->value, 65535);
    if (port) {
      launch.metrics_port = static_cast<std::uint16_t>(*port);
    } else {
      errors.push_back(where(*settings.metrics_port) + ": expected a port number (0-65535)");
    }
  }
  launch.metrics_address = value_or(settings.metrics_address, config.bind_address);
  if (errors.size() != errors_before) return std::nullopt;
  if (!config.mqtt_port && !config.mqtts_port && !config.http_port && !config.https_port) {
    errors.push_back("every listener is off");
    return std::nullopt;
  }
  return launch;
}

}  // namespace fleetsim::app
