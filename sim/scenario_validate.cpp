#include "sim/scenario_validate.hpp"

#include <algorithm>
#include <set>

#include "sim/scenario_backend.hpp"
#include "sim/scenario_iothub.hpp"
#include "sim/scenario_mqtt.hpp"
#include "sim/scenario_names.hpp"
#include "sim/scenario_suggest.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::uint32_t kDefaultSize = 256;
constexpr std::size_t kMaxModulesPerDevice = 50;  // reference 5.3

void not_supported(LoadContext& cx, const std::string& path, std::string_view what,
                   std::string_view supported) {
  cx.error(cx.key_at(path),
           std::string(what) + ": not supported yet (fleetsim 0.1 supports " + std::string(supported) + ")");
}

void validate_unsupported(LoadContext& cx, const Scenario& s) {
  for (std::size_t i = 0; i < s.phases.size(); ++i) {
    const std::string path = "phase." + std::to_string(i) + ".kind";
    if (s.phases[i].kind != "steady" && !cx.failed(path)) {
      not_supported(cx, path, "[[phase]] kind = " + quoted(s.phases[i].kind), "\"steady\"");
    }
  }
}

void validate_fleet(LoadContext& cx, const FleetSpec& fleet) {
  if (!cx.failed("fleet.id")) {
    const auto pattern = parse_id_pattern(fleet.id);
    if (!pattern) {
      cx.error(cx.value_at("fleet.id"),
               "id must contain {index} once (or {index:05} for zero padding), found " + quoted(fleet.id));
    } else {
      for (const char c : std::string(pattern->prefix) + std::string(pattern->suffix)) {
        if (!is_id_char(c)) {
          std::string message = "id has '";
          message.push_back(c);
          message.append(
              "', which device ids cannot contain (letters, digits and - . % _ * ? ! ( ) , : = @ $ ' only)");
          cx.error(cx.value_at("fleet.id"), std::move(message));
          break;
        }
      }
      const std::size_t digits = std::to_string(fleet.devices - 1).size();
      const std::size_t longest =
          pattern->prefix.size() + pattern->suffix.size() + std::max<std::size_t>(digits, pattern->width);
      if (longest > kMaxIdLength) {
        cx.error(cx.value_at("fleet.id"), "id makes device ids of " + std::to_string(longest) +
                                              " characters; IoT Hub allows at most 128");
      }
    }
  }
  if (cx.failed("fleet.modules")) return;
  if (fleet.modules.size() > kMaxModulesPerDevice) {
    cx.error(cx.value_at("fleet.modules"), "at most 50 modules per device (IoT Hub's limit), found " +
                                               std::to_string(fleet.modules.size()));
  }
  std::set<std::string_view> seen;
  for (const auto& module : fleet.modules) {
    std::string problem;
    if (module.empty() || module.size() > kMaxIdLength)
      problem = "must have 1 to 128 characters";
    else if (module[0] == '$')
      problem = "must not start with '$' (reserved for IoT Edge system modules)";
    else if (!std::all_of(module.begin(), module.end(), is_id_char))
      problem = "has a character ids cannot contain";
    else if (!seen.insert(module).second)
      problem = "is listed twice";
    if (!problem.empty()) {
      cx.error(cx.value_at("fleet.modules"), "module id " + quoted(module) + " " + problem);
      return;
    }
  }
}

void validate_telemetry(LoadContext& cx, Telemetry& t, const Scenario& s, const std::string& path) {
  validate_selector(cx, t.on, s.fleet, join_path(path, "on"));
  const std::string jitter = join_path(path, "jitter");
  if (t.jitter.count() > 0 && !cx.failed(jitter)) {
    if (t.poisson && !cx.failed(join_path(path, "arrival"))) {
      cx.error(cx.value_at(jitter),
               "jitter cannot be combined with arrival = \"poisson\" (poisson arrivals are "
               "already random, with mean interval)");
    } else if (t.jitter >= t.interval && !cx.failed(join_path(path, "interval"))) {
      cx.error(cx.value_at(jitter), "jitter must be less than interval");
    }
  }
  if (t.size && t.payload) {
    cx.error(cx.value_at(join_path(path, "payload")), "set either size or payload, not both");
  } else if (!t.payload && !cx.failed(join_path(path, "size")) && !cx.failed(join_path(path, "payload"))) {
    if (!t.size) t.size = kDefaultSize;
  }
  if (!t.payload) return;
  for (const auto& piece : split_template(*t.payload)) {
    if (!piece.placeholder) {
      t.payload_parts.push_back(PayloadPart{std::string(piece.text), -1});
      continue;
    }
    const auto it = std::find_if(s.values.begin(), s.values.end(),
                                 [&](const NamedValue& v) { return v.name == piece.text; });
    if (it != s.values.end()) {
      t.payload_parts.push_back(PayloadPart{{}, static_cast<int>(it - s.values.begin())});
      continue;
    }
    std::string message = "payload placeholder {" + std::string(piece.text) + "} names no [[values]] entry";
    if (const auto suggestion =
            closest(piece.text, s.values, [](const NamedValue& v) -> std::string_view { return v.name; })) {
      message.append("; did you mean {").append(*suggestion).append("}?");
    }
    cx.error(cx.value_at(join_path(path, "payload")), std::move(message));
  }
}

void validate_values(LoadContext& cx, const Scenario& s) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    const std::string path = "values." + std::to_string(i);
    const auto& name = s.values[i].name;
    if (!cx.failed(join_path(path, "name"))) {
      if (!is_value_name(name)) {
        cx.error(cx.value_at(join_path(path, "name")),
                 "name " + quoted(name) +
                     " must be a letter or '_' followed by letters, digits "
                     "or '_' (it is used as {" +
                     name + "} in payloads)");
      } else if (!seen.insert(name).second) {
        cx.error(cx.value_at(join_path(path, "name")),
                 "a [[values]] entry named " + quoted(name) + " exists already");
      }
    }
    validate_value_spec(cx, s.values[i].value, join_path(path, "value"));
  }
}

void validate_phases(LoadContext& cx, const Scenario& s) {
  if (cx.failed("duration")) return;
  Duration total{0};
  for (std::size_t i = 0; i < s.phases.size(); ++i) {
    const std::string path = "phase." + std::to_string(i) + ".duration";
    if (cx.failed(path)) return;
    total += s.phases[i].duration;
    if (total > s.duration) {
      cx.error(cx.value_at(path), "the phases add up to " + format_duration(total) +
                                      ", more than duration (" + format_duration(s.duration) + ")");
      return;
    }
  }
}

}  // namespace

void validate_selector(LoadContext& cx, const Selector& on, const FleetSpec& fleet, const std::string& path) {
  if (cx.failed(path) || cx.failed("fleet.modules")) return;
  if (on.kind == Selector::Kind::module) {
    if (std::find(fleet.modules.begin(), fleet.modules.end(), on.module) != fleet.modules.end()) return;
    std::string message = "module " + quoted(on.module) + " is not in fleet.modules";
    if (const auto suggestion =
            closest(on.module, fleet.modules, [](const std::string& m) -> std::string_view { return m; })) {
      message.append("; did you mean \"module:").append(*suggestion).append("\"?");
    }
    cx.error(cx.value_at(path), std::move(message));
  } else if (on.kind == Selector::Kind::all_modules && fleet.modules.empty()) {
    cx.warning(cx.value_at(path), "\"modules\" selects nothing: fleet.modules is empty");
  }
}

void validate_scenario(LoadContext& cx, Scenario& s) {
  validate_unsupported(cx, s);
  validate_transport(cx, s);
  validate_mqtt_target(cx, s);
  validate_iothub_target(cx, s);
  validate_fleet(cx, s.fleet);
  for (std::size_t i = 0; i < s.telemetry.size(); ++i) {
    validate_telemetry(cx, s.telemetry[i], s, "telemetry." + std::to_string(i));
  }
  for (std::size_t i = 0; i < s.reported.size(); ++i) {
    const std::string path = "reported." + std::to_string(i);
    validate_selector(cx, s.reported[i].on, s.fleet, join_path(path, "on"));
    validate_reported(cx, s.reported[i], path);
  }
  if (s.desired.enabled) validate_selector(cx, s.desired.on, s.fleet, "desired.on");
  validate_values(cx, s);
  validate_backends(cx, s);
  validate_phases(cx, s);
}

}  // namespace fleetsim::sim::detail
