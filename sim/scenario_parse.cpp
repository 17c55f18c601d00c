#include "sim/scenario_parse.hpp"

#include "metrics/gates.hpp"
#include "sim/scenario_backend.hpp"
#include "sim/scenario_iothub.hpp"
#include "sim/scenario_mqtt.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::int64_t kMaxMessageBytes = 256 * 1024;  // IoT Hub's device-to-cloud message limit
constexpr std::int64_t kMaxKeepAliveSeconds = 65535;   // MQTT's 16-bit keep-alive field

const TableSchema& schema_of(std::string_view root_key) {
  return *root_schema().find(root_key)->table;
}

// Starts reading one table: records its own position and reports its unknown keys.
TableReader open_table(LoadContext& cx, const toml::table& table, std::string path,
                       std::string_view root_key) {
  TableReader r(cx, table, std::move(path));
  cx.record(r.path(), Where{r.table_pos(), r.table_pos()});
  r.check_keys(schema_of(root_key));
  return r;
}

std::string file_stem(std::string_view file) {
  const auto slash = file.find_last_of('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  const auto dot = file.rfind('.');
  if (dot != std::string_view::npos && dot > 0) file = file.substr(0, dot);
  return std::string(file);
}

void read_positive(TableReader& r, std::string_view key, Duration& out) {
  if (const auto d = r.duration(key)) {
    if (d->count() > 0)
      out = *d;
    else
      r.error(key, std::string(key) + " must be greater than 0");
  }
}

void read_duration(TableReader& r, std::string_view key, Duration& out) {
  if (const auto d = r.duration(key)) out = *d;
}

void parse_target(LoadContext& cx, const toml::table& table, Target& target) {
  auto r = open_table(cx, table, "target", "target");
  if (auto v = r.word("kind", {"embedded", "iothub", "mqtt"})) target.kind = std::move(*v);
  if (auto v = r.word("transport", {"mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss"}))
    target.transport = std::move(*v);
  if (auto v = r.string("connection_string")) target.connection_string = std::move(*v);
  if (const auto v = r.boolean("provision")) target.provision = *v;
  if (auto v = r.string("host")) target.host = std::move(*v);
  if (const auto v = r.integer("port")) {
    if (*v >= 1 && *v <= 65535)
      target.port = static_cast<std::uint16_t>(*v);
    else
      r.error("port", "port must be between 1 and 65535, found " + std::to_string(*v));
  }
  if (auto v = r.string("topic")) target.topic = std::move(*v);
  if (auto v = r.string("ca_file")) target.ca_file = std::move(*v);
  if (const auto v = r.boolean("tls_verify")) target.tls_verify = *v;
  parse_mqtt_target_keys(r, target);
  parse_iothub_target_keys(r, target);
}

void parse_fleet(LoadContext& cx, const toml::table& table, FleetSpec& fleet) {
  auto r = open_table(cx, table, "fleet", "fleet");
  if (const auto v = r.integer("devices")) {
    if (*v >= 1)
      fleet.devices = static_cast<std::uint64_t>(*v);
    else
      r.error("devices", "devices must be at least 1, found " + std::to_string(*v));
  }
  if (auto v = r.string("id")) fleet.id = std::move(*v);
  if (auto v = r.strings("modules")) fleet.modules = std::move(*v);
  if (const auto v = r.rate("connect_rate")) {
    if (*v > 0)
      fleet.connect_rate_per_s = *v;
    else
      r.error("connect_rate", "connect_rate must be greater than 0");
  }
  if (auto v = r.word("auth", {"sas", "x509"})) fleet.auth = std::move(*v);
  if (const auto v = r.duration("keep_alive")) {
    if (*v <= std::chrono::seconds(kMaxKeepAliveSeconds))
      fleet.keep_alive = *v;
    else
      r.error("keep_alive", "keep_alive must be at most 65535s (MQTT's limit)");
  }
  read_positive(r, "sas_ttl", fleet.sas_ttl);
}

Telemetry parse_telemetry(LoadContext& cx, const toml::table& table, std::string path) {
  auto r = open_table(cx, table, std::move(path), "telemetry");
  Telemetry t;
  t.pos = r.table_pos();
  if (auto v = r.selector("on")) t.on = std::move(*v);
  read_positive(r, "interval", t.interval);
  read_duration(r, "jitter", t.jitter);
  if (const auto v = r.word("arrival", {"uniform", "poisson"})) t.poisson = *v == "poisson";
  if (const auto v = r.integer("qos")) {
    if (*v == 0 || *v == 1)
      t.qos = static_cast<int>(*v);
    else
      r.error("qos", "qos must be 0 or 1 (IoT Hub has no QoS 2), found " + std::to_string(*v));
  }
  if (const auto v = r.integer("size")) {
    if (*v >= 1 && *v <= kMaxMessageBytes)
      t.size = static_cast<std::uint32_t>(*v);
    else
      r.error("size", "size must be between 1 and 262144 bytes (IoT Hub's message limit), found " +
                          std::to_string(*v));
  }
  if (auto v = r.string("payload")) t.payload = std::move(*v);
  if (const auto* props = r.table("properties")) {
    TableReader p(cx, *props, r.path("properties"));
    for (const auto& [key, node] : *props) {
      if (auto v = p.string(key.str())) t.properties[std::string(key.str())] = std::move(*v);
    }
  }
  return t;
}

Reported parse_reported(LoadContext& cx, const toml::table& table, std::string path) {
  auto r = open_table(cx, table, std::move(path), "reported");
  Reported rep;
  rep.pos = r.table_pos();
  if (auto v = r.selector("on")) rep.on = std::move(*v);
  if (auto v = r.string("path"))
    rep.path = std::move(*v);
  else if (!r.get("path"))
    r.missing("path", "[[reported]]");
  if (auto v = parse_value_spec(r, "value"))
    rep.value = std::move(*v);
  else if (!r.get("value"))
    r.missing("value", "[[reported]]");
  read_positive(r, "sample", rep.sample);
  read_duration(r, "pmin", rep.pmin);
  read_duration(r, "pmax", rep.pmax);
  if (const auto v = r.number("st")) {
    if (*v > 0)
      rep.st = *v;
    else
      r.error("st", "st must be greater than 0");
  }
  if (const auto v = r.number("gt")) rep.gt = *v;
  if (const auto v = r.number("lt")) rep.lt = *v;
  return rep;
}

void parse_desired(LoadContext& cx, const toml::table& table, Desired& desired) {
  auto r = open_table(cx, table, "desired", "desired");
  desired.enabled = true;
  if (auto v = r.selector("on")) desired.on = std::move(*v);
  if (auto v = r.word("ack", {"none", "echo", "pnp"})) desired.ack = std::move(*v);
}

NamedValue parse_named_value(LoadContext& cx, const toml::table& table, std::string path) {
  auto r = open_table(cx, table, std::move(path), "values");
  NamedValue named;
  if (auto v = r.string("name"))
    named.name = std::move(*v);
  else if (!r.get("name"))
    r.missing("name", "[[values]]");
  if (auto v = parse_value_spec(r, "value"))
    named.value = std::move(*v);
  else if (!r.get("value"))
    r.missing("value", "[[values]]");
  return named;
}

Phase parse_phase(LoadContext& cx, const toml::table& table, std::string path) {
  auto r = open_table(cx, table, std::move(path), "phase");
  Phase phase;
  phase.pos = r.table_pos();
  if (auto v = r.string("name")) phase.name = std::move(*v);
  if (!r.get("duration")) r.missing("duration", "[[phase]]");
  read_positive(r, "duration", phase.duration);
  if (auto v = r.word("kind", {"steady", "ramp-down", "disconnect", "hub-restart"}))
    phase.kind = std::move(*v);
  if (const auto v = r.number("fraction")) {
    if (*v > 0 && *v <= 1)
      phase.fraction = *v;
    else
      r.error("fraction", "fraction must be greater than 0 and at most 1");
  }
  return phase;
}

// Where a gate parser column lands in the file: right after the opening quote of a one-line string.
// Multi-line strings ('''/""") keep the string's own position, as do values from --set.
SourcePos gate_error_pos(const LoadContext& cx, const toml::node& node, std::size_t column) {
  SourcePos pos = cx.pos_of(node);
  if (cx.overridden(node)) return pos;
  const std::string_view line = cx.source_line(pos.line);
  const std::size_t at = pos.column - 1;
  if (at < line.size() && (line.substr(at, 3) == "\"\"\"" || line.substr(at, 3) == "'''")) return pos;
  pos.column += static_cast<std::uint32_t>(column);
  return pos;
}

Gate parse_gate_entry(LoadContext& cx, const toml::table& table, std::string path) {
  auto r = open_table(cx, table, std::move(path), "gate");
  Gate gate;
  gate.pos = r.table_pos();
  if (auto v = r.string("expr")) {
    metrics::GateParseError error;
    if (metrics::parse_gate(*v, &error)) {
      gate.expr = std::move(*v);
    } else {
      cx.error(gate_error_pos(cx, *r.get("expr"), error.column), error.message);
      cx.mark_failed(r.path("expr"));
    }
  } else if (!r.get("expr")) {
    r.missing("expr", "[[gate]]");
  }
  if (auto v = r.string("name"))
    gate.name = std::move(*v);
  else
    gate.name = gate.expr;
  return gate;
}

template <class Entry, class Parse>
std::vector<Entry> parse_entries(LoadContext& cx, TableReader& root, std::string_view key, Parse parse) {
  std::vector<Entry> entries;
  std::size_t index = 0;
  for (const auto* table : root.tables(key)) {
    entries.push_back(parse(cx, *table, join_path(key, std::to_string(index++))));
  }
  return entries;
}

}  // namespace

Scenario parse_scenario(LoadContext& cx, const toml::table& root) {
  TableReader r(cx, root, "");
  r.check_keys(root_schema());
  Scenario s;
  s.file = cx.file();
  if (auto v = r.string("name"))
    s.name = std::move(*v);
  else
    s.name = file_stem(cx.file());
  read_positive(r, "duration", s.duration);
  if (const auto v = r.integer("seed")) {
    if (*v >= 0)
      s.seed = static_cast<std::uint64_t>(*v);
    else
      r.error("seed", "seed must be at least 0, found " + std::to_string(*v));
  }
  if (const auto* t = r.table("target")) parse_target(cx, *t, s.target);
  if (const auto* t = r.table("fleet")) parse_fleet(cx, *t, s.fleet);
  s.telemetry = parse_entries<Telemetry>(cx, r, "telemetry", parse_telemetry);
  s.reported = parse_entries<Reported>(cx, r, "reported", parse_reported);
  if (const auto* t = r.table("desired")) parse_desired(cx, *t, s.desired);
  s.values = parse_entries<NamedValue>(cx, r, "values", parse_named_value);
  s.backends = parse_entries<Backend>(cx, r, "backend", parse_backend);
  if (const auto* t = r.table("methods")) parse_methods(cx, *t, s.methods);
  s.phases = parse_entries<Phase>(cx, r, "phase", parse_phase);
  s.gates = parse_entries<Gate>(cx, r, "gate", parse_gate_entry);
  return s;
}

}  // namespace fleetsim::sim::detail
