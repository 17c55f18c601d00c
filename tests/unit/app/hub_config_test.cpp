// `fleetsim hub` settings (app/hub_config.hpp): the TOML file with errors at file:line:col, flags
// over the file over defaults, and the checks of every value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/hub_config.hpp"

namespace fleetsim::app {
namespace {

std::optional<HubSettings> parse(const std::string& text, std::vector<std::string>& errors) {
  return parse_hub_config(text, "hub.toml", errors);
}

std::optional<HubLaunch> resolve(const HubSettings& settings, std::vector<std::string>& errors) {
  return resolve_hub_settings(settings, errors);
}

TEST(HubConfig, DefaultsWithoutFileOrFlags) {
  std::vector<std::string> errors;
  const auto launch = resolve(HubSettings{}, errors);
  ASSERT_TRUE(launch) << errors.front();
  const hub::HubConfig& c = launch->config;
  EXPECT_EQ(c.mqtt_port, 1883);
  EXPECT_EQ(c.mqtts_port, 8883);
  EXPECT_EQ(c.https_port, 443);
  EXPECT_FALSE(c.http_port);
  EXPECT_EQ(c.bind_address, "127.0.0.1");
  EXPECT_EQ(c.host_name, "localhost");
  EXPECT_EQ(c.data_dir, "fleetsim-hub-data");
  EXPECT_FALSE(c.persist_policy_keys);
  EXPECT_FALSE(c.tier);
  EXPECT_EQ(launch->metrics_port, 0);
  EXPECT_EQ(launch->metrics_address, "127.0.0.1");
}

TEST(HubConfig, EverySettingFromTheFile) {
  std::vector<std::string> errors;
  const auto settings = parse(R"(
mqtt_port = 0
mqtts_port = "off"
https_port = 8443
http_port = 8080
bind = "0.0.0.0"
host_name = "hub"
cert = "c.pem"
key = "k.pem"
data = "/var/lib/hub"
tier = "S2"
units = 3
metrics_port = 9464
metrics_address = "127.0.0.2"
)",
                              errors);
  ASSERT_TRUE(settings) << errors.front();
  const auto launch = resolve(*settings, errors);
  ASSERT_TRUE(launch) << errors.front();
  const hub::HubConfig& c = launch->config;
  EXPECT_EQ(c.mqtt_port, 0);
  EXPECT_FALSE(c.mqtts_port);
  EXPECT_EQ(c.https_port, 8443);
  EXPECT_EQ(c.http_port, 8080);
  EXPECT_EQ(c.bind_address, "0.0.0.0");
  EXPECT_EQ(c.host_name, "hub");
  EXPECT_EQ(c.cert_file, "c.pem");
  EXPECT_EQ(c.key_file, "k.pem");
  EXPECT_EQ(c.data_dir, "/var/lib/hub");
  EXPECT_TRUE(c.persist_policy_keys);
  EXPECT_EQ(c.tier, hub::Tier::s2);
  EXPECT_EQ(c.units, 3U);
  EXPECT_EQ(launch->metrics_port, 9464);
  EXPECT_EQ(launch->metrics_address, "127.0.0.2");
}

TEST(HubConfig, FlagsOverrideTheFile) {
  std::vector<std::string> errors;
  const auto file = parse("mqtt_port = 1000\ntier = \"S1\"\nunits = 2\nbind = \"0.0.0.0\"\n", errors);
  ASSERT_TRUE(file);
  HubArgs args;
  args.mqtt_port = "2000";
  args.tier = "S3";
  const auto launch = resolve(overlay(*file, settings_from_flags(args)), errors);
  ASSERT_TRUE(launch) << errors.front();
  EXPECT_EQ(launch->config.mqtt_port, 2000);
  EXPECT_EQ(launch->config.tier, hub::Tier::s3);
  EXPECT_EQ(launch->config.units, 2U);  // from the file: no flag for it
  EXPECT_EQ(launch->config.bind_address, "0.0.0.0");
}

TEST(HubConfig, UnknownKeysAndWrongTypesNameFileLineAndColumn) {
  std::vector<std::string> errors;
  EXPECT_FALSE(
      parse("mqtt_port = 1\ntiers = \"S1\"\n  units = \"two\"\nbind = 7\nmqtts_port = true\n", errors));
  ASSERT_EQ(errors.size(), 4U);
  EXPECT_EQ(errors[0], "hub.toml:2:1: unknown key 'tiers' (did you mean 'tier'?)");
  EXPECT_EQ(errors[1], "hub.toml:3:11: units: expected an integer, found a string");
  EXPECT_EQ(errors[2], "hub.toml:4:8: bind: expected a string, found an integer");
  EXPECT_EQ(errors[3], "hub.toml:5:14: mqtts_port: expected a port number or \"off\", found a boolean");
}

TEST(HubConfig, TomlSyntaxErrorsHaveTheirPosition) {
  std::vector<std::string> errors;
  EXPECT_FALSE(parse("mqtt_port = 1\nbind = \"unterminated\n", errors));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("hub.toml:2:", 0), 0U) << errors[0];
}

TEST(HubConfig, TablesAreNotSettings) {
  std::vector<std::string> errors;
  EXPECT_FALSE(parse("[hub]\nmqtt_port = 1\n", errors));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("hub.toml:1:", 0), 0U) << errors[0];
  EXPECT_NE(errors[0].find("unknown key 'hub'"), std::string::npos);
}

TEST(HubConfig, BadValuesNameTheirOrigin) {
  std::vector<std::string> errors;
  const auto file = parse("mqtt_port = 70000\ntier = \"S9\"\n", errors);
  ASSERT_TRUE(file);  // the types are right; the values are checked when resolving
  EXPECT_FALSE(resolve(*file, errors));
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0], "hub.toml:1:13: mqtt_port 70000: expected a port number (0-65535) or 'off'");
  EXPECT_EQ(errors[1], "hub.toml:2:8: tier S9: expected a tier: F1, B1, B2, B3, S1, S2 or S3");
}

TEST(HubConfig, TierAndUnitsFromFlags) {
  const auto errors_for = [](const char* tier, const char* units) {
    HubArgs args;
    if (tier != nullptr) args.tier = tier;
    if (units != nullptr) args.units = units;
    std::vector<std::string> errors;
    resolve(settings_from_flags(args), errors);
    return errors;
  };
  EXPECT_TRUE(errors_for("S1", "10").empty());
  EXPECT_TRUE(errors_for("f1", nullptr).empty());
  EXPECT_EQ(errors_for("X1", nullptr),
            std::vector<std::string>{"--tier X1: expected a tier: F1, B1, B2, B3, S1, "
                                     "S2 or S3"});
  EXPECT_EQ(errors_for("S1", "0"), std::vector<std::string>{"--units 0: a hub has at least one unit"});
  EXPECT_EQ(errors_for("S1", "-1"),
            std::vector<std::string>{"--units -1: expected a number of units (1 or more)"});
  EXPECT_EQ(errors_for("F1", "2"),
            std::vector<std::string>{"--units 2: the F1 (Free) tier has exactly one unit"});
  EXPECT_EQ(errors_for(nullptr, "2"),
            std::vector<std::string>{"--units 2: units need a tier (--tier or tier)"});
}

TEST(HubConfig, ListenersAndCertificates) {
  HubArgs args;
  args.mqtt_port = "off";
  args.mqtts_port = "off";
  args.https_port = "off";
  std::vector<std::string> errors;
  EXPECT_FALSE(resolve(settings_from_flags(args), errors));
  EXPECT_EQ(errors, std::vector<std::string>{"every listener is off"});

  HubArgs half;
  half.cert_file = "c.pem";
  errors.clear();
  EXPECT_FALSE(resolve(settings_from_flags(half), errors));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("--cert: ", 0), 0U) << errors[0];
}

// The example the README points to must stay loadable as shipped, and throttle nothing.
TEST(HubConfig, ShippedExampleLoads) {
  std::vector<std::string> errors;
  const auto settings = load_hub_config(FLEETSIM_SOURCE_DIR "/deploy/hub.toml", errors);
  ASSERT_TRUE(settings) << (errors.empty() ? std::string("no error") : errors.front());
  const auto launch = resolve(*settings, errors);
  ASSERT_TRUE(launch) << errors.front();
  EXPECT_EQ(launch->config.mqtts_port, 8883);
  EXPECT_FALSE(settings->tier);
}

}  // namespace
}  // namespace fleetsim::app
