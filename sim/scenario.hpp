// The scenario model: what a TOML scenario file (DESIGN.md "Scenario files") says, parsed and
// validated. The key names are a stable interface; see docs/scenarios.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fleetsim::sim {

using Duration = std::chrono::nanoseconds;

// Where a piece of the scenario came from, for error messages ("file:line:col").
struct SourcePos {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// A value generator (DESIGN.md "Value generators"). All draw from the run's seed.
struct ConstantGen {
  // number, string or bool as written
  std::variant<double, std::string, bool> value;
};
struct RandomWalkGen {
  double start = 0, step = 1, min = -1e308, max = 1e308;
};
struct SineGen {
  double min = 0, max = 1;
  Duration period = std::chrono::seconds(60);
};
struct ChoiceGen {
  std::vector<std::variant<double, std::string, bool>> values;
  std::vector<double> weights;  // empty: uniform
};
struct SequenceGen {
  std::vector<std::variant<double, std::string, bool>> values;
  bool loop = true;
};
struct CounterGen {
  double start = 0, step = 1;
};
struct ReplayGen {  // parsed, refused at validate time until a later issue implements it
  std::string file;
  bool loop = true;
};
using ValueSpec =
    std::variant<ConstantGen, RandomWalkGen, SineGen, ChoiceGen, SequenceGen, CounterGen, ReplayGen>;
// True when the generator yields numbers (needed by st/gt/lt).
bool is_numeric(const ValueSpec& v);

// Who a behaviour applies to: "device" (or "devices": every device session), "module:NAME",
// "modules" (every module session), "all" (every session).
struct Selector {
  enum class Kind { device, module, all_modules, all } kind = Kind::device;
  std::string module;  // when kind == module
};

struct Target {
  std::string kind = "embedded";                  // embedded | iothub | mqtt
  std::string transport = "mqtt";                 // mqtt | mqtt-tls | mqtt-ws | mqtt-wss
  std::string connection_string;                  // iothub (after loading: "env:NAME" resolved)
  bool provision = true;                          // iothub
  bool cleanup = true;                            // iothub: delete what provisioning created
  std::uint16_t service_port = 443;               // iothub: the service REST API (HTTPS)
  // mqtt: the broker; iothub: where the devices connect (after loading: the connection string's
  // HostName and the transport's port, 8883 or 443, unless the scenario says otherwise).
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string topic = "fleet/{device}/{stream}";  // mqtt
  // mqtt: broker credentials (the loader resolves "env:NAME"; absent: not sent), the protocol
  // level (4 = MQTT 3.1.1, 5 = MQTT 5) and the share of sessions that time their own telemetry's
  // round trip through the broker (e2e).
  std::optional<std::string> username;
  std::optional<std::string> password;
  int protocol = 4;
  double e2e_sample = 0.01;
  std::string ca_file;     // TLS: PEM CAs trusted besides the system store (resolved to a usable path)
  bool tls_verify = true;  // TLS: false accepts any server certificate (the report says so)
};

// [fleet] (named FleetSpec: sim::Fleet is the running fleet of sim/fleet.hpp).
struct FleetSpec {
  std::uint64_t devices = 1;
  std::string id = "dev-{index:05}";
  std::vector<std::string> modules;
  double connect_rate_per_s = 500;  // sessions opened per second, whole fleet
  std::string auth = "sas";         // sas | x509
  Duration keep_alive = std::chrono::seconds(60);
  Duration sas_ttl = std::chrono::hours(1);
};

// A validated payload template cut into pieces: literal text, or a placeholder {NAME} resolved to
// its index in Scenario::values, so rendering needs no lookup.
struct PayloadPart {
  std::string literal;  // when value < 0
  int value = -1;       // index into Scenario::values
};

struct Telemetry {
  SourcePos pos;
  Selector on;
  Duration interval = std::chrono::seconds(5);
  Duration jitter{0};
  bool poisson = false;  // arrival = "poisson"
  int qos = 1;
  std::optional<std::uint32_t> size;       // bytes of generated payload (256 when no payload)
  std::optional<std::string> payload;      // template with {NAME} from [[values]]
  std::vector<PayloadPart> payload_parts;  // `payload` cut into pieces, filled by the loader
  std::map<std::string, std::string> properties;
};

struct Reported {
  SourcePos pos;
  Selector on;
  std::string path;  // dotted, under properties.reported
  ValueSpec value;
  Duration sample = std::chrono::seconds(1);
  Duration pmin{0};
  Duration pmax{0};  // 0: none
  std::optional<double> st, gt, lt;
};

struct Desired {
  bool enabled = false;  // true when a [desired] table is present
  Selector on;
  std::string ack = "none";  // none | echo | pnp
};

struct NamedValue {
  std::string name;
  ValueSpec value;
};

// One [[backend]] action: the service side of the hub, over its HTTPS API (sim/backend.hpp).
struct Backend {
  SourcePos pos;
  std::string action;  // desired | method | c2d | query
  double rate_per_s = 1;
  Selector on;  // targets (desired, method, c2d), drawn with the seed from the shard's sessions
  // desired: where under properties.desired, and the value written there
  std::string path;
  ValueSpec value = ConstantGen{0.0};
  // method: the method name, request payload bytes, response timeout (5 s .. 300 s)
  std::string name;
  std::uint32_t payload_size = 16;
  Duration timeout = std::chrono::seconds(30);
  // c2d: message bytes (<= 64 KB) and application properties
  std::uint32_t size = 64;
  std::map<std::string, std::string> properties;
  // query: the query text and the page size (x-ms-max-item-count)
  std::string sql;
  std::uint32_t page_size = 100;
};

// [methods]: how the selected sessions answer direct methods. Absent: the targets of a method
// action answer with these defaults, nobody else subscribes.
struct Methods {
  bool enabled = false;  // true when a [methods] table is present
  Selector on{Selector::Kind::all, {}};
  int status = 200;
  std::uint32_t payload_size = 16;  // response payload bytes
  Duration delay{0};                // between the request and the response
};

struct Phase {
  SourcePos pos;
  std::string name;
  Duration duration{0};
  std::string kind = "steady";
  double fraction = 0;
};

struct Gate {
  SourcePos pos;
  std::string name;  // optional `name`; defaults to the expression
  std::string expr;
};

struct Scenario {
  std::string file;
  std::string name;
  Duration duration = std::chrono::seconds(30);
  std::uint64_t seed = 1;
  Target target;
  FleetSpec fleet;
  std::vector<Telemetry> telemetry;
  std::vector<Reported> reported;
  Desired desired;
  std::vector<NamedValue> values;
  std::vector<Backend> backends;
  Methods methods;
  std::vector<Phase> phases;
  std::vector<Gate> gates;

  std::uint64_t modules_per_device() const { return fleet.modules.size(); }
  std::uint64_t sessions() const { return fleet.devices * (1 + fleet.modules.size()); }
};

// A scenario error: where, what was found, what was expected.
struct Diagnostic {
  SourcePos pos;
  std::string message;  // e.g. "unknown key 'intervall' in [[telemetry]]; did you mean 'interval'?"
  bool warning = false;
  std::string to_string() const;  // "file:line:col: error: message" ("file: error: ..." at line 0)
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set when there are no errors (warnings allowed)
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return scenario.has_value(); }
};

// One `--set KEY=VALUE` override: dotted path (array-of-tables entries by index,
// "reported.0.pmax"), value parsed as TOML (bare words taken as strings: "duration=10s").
struct Override {
  std::string key;
  std::string value;
};

// Parses and validates a scenario. Errors (syntax, unknown keys with "did you mean", wrong types,
// bad durations, rule violations such as lt + 2*st >= gt) name file:line:col. Keys that later
// versions implement (other targets, non-steady phases, replay)
// are accepted by the parser and refused here with "not supported yet".
LoadResult load_scenario_file(const std::string& path, const std::vector<Override>& overrides = {});
LoadResult load_scenario_text(std::string_view text, const std::string& file_name,
                              const std::vector<Override>& overrides = {});

// Appends the id of device `index` made from a validated `fleet.id` pattern: "{index}" becomes the
// decimal index, "{index:05}" the index zero-padded to 5 digits.
void append_device_id(std::string& out, std::string_view id_pattern, std::uint64_t index);

// "250ms", "5s", "2m", "1h", "1.5s", "100us"; nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);
// "500/s", "30/m", "2/h"; per second. nullopt when malformed.
std::optional<double> parse_rate(std::string_view text);

}  // namespace fleetsim::sim
