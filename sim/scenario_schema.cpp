#include "sim/scenario_schema.hpp"

#include <array>

#include "sim/scenario_suggest.hpp"

namespace fleetsim::sim::detail {
namespace {

using S = Shape;

constexpr std::array kConstantKeys{KeySchema{"kind"}, KeySchema{"value"}};
constexpr std::array kRandomWalkKeys{KeySchema{"kind"}, KeySchema{"start"}, KeySchema{"step"},
                                     KeySchema{"min"}, KeySchema{"max"}};
constexpr std::array kSineKeys{KeySchema{"kind"}, KeySchema{"min"}, KeySchema{"max"}, KeySchema{"period"}};
constexpr std::array kChoiceKeys{KeySchema{"kind"}, KeySchema{"values"}, KeySchema{"weights"}};
constexpr std::array kSequenceKeys{KeySchema{"kind"}, KeySchema{"values"}, KeySchema{"loop"}};
constexpr std::array kCounterKeys{KeySchema{"kind"}, KeySchema{"start"}, KeySchema{"step"}};
constexpr std::array kReplayKeys{KeySchema{"kind"}, KeySchema{"file"}, KeySchema{"loop"}};
constexpr std::array kAnyGeneratorKeys{KeySchema{"kind"},   KeySchema{"value"},  KeySchema{"start"},
                                       KeySchema{"step"},   KeySchema{"min"},    KeySchema{"max"},
                                       KeySchema{"period"}, KeySchema{"values"}, KeySchema{"weights"},
                                       KeySchema{"loop"},   KeySchema{"file"}};

constexpr TableSchema kConstant{"constant value", kConstantKeys};
constexpr TableSchema kRandomWalk{"random_walk value", kRandomWalkKeys};
constexpr TableSchema kSine{"sine value", kSineKeys};
constexpr TableSchema kChoice{"choice value", kChoiceKeys};
constexpr TableSchema kSequence{"sequence value", kSequenceKeys};
constexpr TableSchema kCounter{"counter value", kCounterKeys};
constexpr TableSchema kReplay{"replay value", kReplayKeys};
constexpr TableSchema kAnyGenerator{"value", kAnyGeneratorKeys};

constexpr std::array kTargetKeys{
    KeySchema{"kind"},      KeySchema{"transport"}, KeySchema{"connection_string"},
    KeySchema{"provision"}, KeySchema{"host"},      KeySchema{"port"},
    KeySchema{"topic"},     KeySchema{"ca_file"},   KeySchema{"tls_verify"},
    KeySchema{"username"},  KeySchema{"password"},  KeySchema{"protocol"},
    KeySchema{"e2e_sample"}, KeySchema{"cleanup"},   KeySchema{"service_port"}};
constexpr std::array kFleetKeys{KeySchema{"devices"},      KeySchema{"id"},   KeySchema{"modules"},
                                KeySchema{"connect_rate"}, KeySchema{"auth"}, KeySchema{"keep_alive"},
                                KeySchema{"sas_ttl"}};
constexpr std::array kTelemetryKeys{
    KeySchema{"on"},  KeySchema{"interval"}, KeySchema{"jitter"},  KeySchema{"arrival"},
    KeySchema{"qos"}, KeySchema{"size"},     KeySchema{"payload"}, KeySchema{"properties", S::free_table}};
constexpr std::array kReportedKeys{
    KeySchema{"on"},     KeySchema{"path"}, KeySchema{"value", S::table, &kAnyGenerator},
    KeySchema{"sample"}, KeySchema{"pmin"}, KeySchema{"pmax"},
    KeySchema{"st"},     KeySchema{"gt"},   KeySchema{"lt"}};
constexpr std::array kDesiredKeys{KeySchema{"on"}, KeySchema{"ack"}};
constexpr std::array kValuesKeys{KeySchema{"name"}, KeySchema{"value", S::table, &kAnyGenerator}};
constexpr std::array kBackendKeys{KeySchema{"action"},
                                  KeySchema{"rate"},
                                  KeySchema{"on"},
                                  KeySchema{"path"},
                                  KeySchema{"value", S::table, &kAnyGenerator},
                                  KeySchema{"name"},
                                  KeySchema{"payload_size"},
                                  KeySchema{"timeout"},
                                  KeySchema{"size"},
                                  KeySchema{"properties", S::free_table},
                                  KeySchema{"sql"},
                                  KeySchema{"page_size"}};
constexpr std::array kMethodsKeys{KeySchema{"on"}, KeySchema{"status"}, KeySchema{"payload_size"},
                                  KeySchema{"delay"}};
constexpr std::array kPhaseKeys{KeySchema{"name"}, KeySchema{"duration"}, KeySchema{"kind"},
                                KeySchema{"fraction"}};
constexpr std::array kGateKeys{KeySchema{"expr"}, KeySchema{"name"}};

constexpr TableSchema kTarget{"[target]", kTargetKeys};
constexpr TableSchema kFleet{"[fleet]", kFleetKeys};
constexpr TableSchema kTelemetry{"[[telemetry]]", kTelemetryKeys};
constexpr TableSchema kReported{"[[reported]]", kReportedKeys};
constexpr TableSchema kDesired{"[desired]", kDesiredKeys};
constexpr TableSchema kValues{"[[values]]", kValuesKeys};
constexpr TableSchema kBackend{"[[backend]]", kBackendKeys};
constexpr TableSchema kMethods{"[methods]", kMethodsKeys};
constexpr TableSchema kPhase{"[[phase]]", kPhaseKeys};
constexpr TableSchema kGate{"[[gate]]", kGateKeys};

constexpr std::array kRootKeys{
    KeySchema{"name"},
    KeySchema{"duration"},
    KeySchema{"seed"},
    KeySchema{"target", S::table, &kTarget},
    KeySchema{"fleet", S::table, &kFleet},
    KeySchema{"telemetry", S::array_of_tables, &kTelemetry},
    KeySchema{"reported", S::array_of_tables, &kReported},
    KeySchema{"desired", S::table, &kDesired},
    KeySchema{"values", S::array_of_tables, &kValues},
    KeySchema{"backend", S::array_of_tables, &kBackend},
    KeySchema{"methods", S::table, &kMethods},
    KeySchema{"phase", S::array_of_tables, &kPhase},
    KeySchema{"gate", S::array_of_tables, &kGate},
};
constexpr TableSchema kRoot{"the top-level table", kRootKeys};

}  // namespace

const KeySchema* TableSchema::find(std::string_view name) const noexcept {
  for (const auto& key : keys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

const TableSchema& root_schema() noexcept {
  return kRoot;
}

const TableSchema& generator_schema() noexcept {
  return kAnyGenerator;
}

const TableSchema* generator_schema(std::string_view kind) noexcept {
  if (kind == "constant") return &kConstant;
  if (kind == "random_walk") return &kRandomWalk;
  if (kind == "sine") return &kSine;
  if (kind == "choice") return &kChoice;
  if (kind == "sequence") return &kSequence;
  if (kind == "counter") return &kCounter;
  if (kind == "replay") return &kReplay;
  return nullptr;
}

std::string_view generator_kinds_text() noexcept {
  return "constant, random_walk, sine, choice, sequence, counter or replay";
}

std::string unknown_key_message(std::string_view key, const TableSchema& table) {
  std::string message = "unknown key '";
  message.append(key).append("' in ").append(table.label);
  if (const auto suggestion = closest(key, table.keys, [](const KeySchema& k) { return k.name; })) {
    message.append("; did you mean '").append(*suggestion).append("'?");
  }
  return message;
}

}  // namespace fleetsim::sim::detail
