// The settings of `fleetsim hub`: from its flags, from a TOML file (--config HUB.toml, the same
// settings under the names below), and defaults, in that order of precedence; then checked and
// turned into a hub::HubConfig. deploy/hub.toml is a commented example.
//
//   key              flag               TOML type              default
//   mqtt_port        --mqtt-port        integer or "off"       1883
//   mqtts_port       --mqtts-port       integer or "off"       8883
//   https_port       --https-port       integer or "off"       443
//   http_port        --http-port        integer or "off"       0 (off)
//   bind             --bind             string                 "127.0.0.1"
//   host_name        --host-name        string                 "localhost"
//   cert, key        --cert, --key      string (paths)         the hub's own certificate
//   data             --data             string (path)          "fleetsim-hub-data"
//   tier             --tier             string: F1 B1 B2 B3 S1 S2 S3   no throttling
//   units            --units            integer >= 1           1
//   metrics_port     --metrics-port     integer                0 (off)
//   metrics_address  --metrics-address  string                 the bind address
//
// Every problem names where the value came from: the flag, or file:line:col in the file; an
// unknown key or a value of the wrong type is an error (with "did you mean" for a close key).
// Paths in the file are taken as written (relative ones from the working directory, as flags).
// Policy keys are kept (data/policies.json) only when `data` is set by the file or --data.
//
// Thread safety: pure functions, except load_hub_config (reads a file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.hpp"
#include "hub/hub.hpp"

namespace fleetsim::app {

struct Setting {
  std::string value;   // as text: integers in decimal
  std::string origin;  // "--mqtt-port", or "hub.toml:3:13" for a file's value
};

struct HubSettings {
  std::optional<Setting> mqtt_port, mqtts_port, https_port, http_port, bind, host_name, cert, key, data, tier,
      units, metrics_port, metrics_address;
};

// The file's settings; nullopt with every problem in `errors` ("file:line:col: what").
std::optional<HubSettings> parse_hub_config(std::string_view text, const std::string& file_name,
                                            std::vector<std::string>& errors);
std::optional<HubSettings> load_hub_config(const std::string& path, std::vector<std::string>& errors);

// The flags given on the command line, with their names as origins.
HubSettings settings_from_flags(const HubArgs& args);
// `base` with every setting `over` has replaced.
HubSettings overlay(HubSettings base, const HubSettings& over);

struct HubLaunch {
  hub::HubConfig config;
  std::uint16_t metrics_port = 0;  // 0: no /metrics
  std::string metrics_address;
};
// Settings (defaults for the missing) as a hub configuration; nullopt with the problems in
// `errors` ("--units 0: ...", "hub.toml:4:9: tier \"S4\": ...").
std::optional<HubLaunch> resolve_hub_settings(const HubSettings& settings, std::vector<std::string>& errors);

}  // namespace fleetsim::app
