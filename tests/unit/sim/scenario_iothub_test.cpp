// The iothub target's keys: IoT Hub's defaults from the connection string, "env:NAME", the
// refusals (no connection string, a device string, plain MQTT to a remote hub, X.509, c2d), and
// the iothub-only keys with another target.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include "unit/sim/scenario_test_util.hpp"

namespace fleetsim::sim {
namespace {

using test::diagnostics;
using test::load_ok;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kConnectionString =
    "HostName=hub1.azure-devices.net;SharedAccessKeyName=iothubowner;"
    "SharedAccessKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

std::string iothub(std::string_view extra = {}) {
  return std::string("[target]\nkind = \"iothub\"\nconnection_string = \"") + kConnectionString + "\"\n" +
         std::string(extra);
}

TEST(ScenarioIotHub, DefaultsComeFromTheConnectionString) {
  const Scenario s = load_ok(iothub());
  EXPECT_EQ(s.target.transport, "mqtt-tls");
  EXPECT_EQ(s.target.host, "hub1.azure-devices.net");
  EXPECT_EQ(s.target.port, 8883);
  EXPECT_EQ(s.target.service_port, 443);
  EXPECT_TRUE(s.target.provision);
  EXPECT_TRUE(s.target.cleanup);
  EXPECT_EQ(s.target.connection_string, kConnectionString);

  EXPECT_EQ(load_ok(iothub("transport = \"mqtt-wss\"\n")).target.port, 443);
  const Scenario local = load_ok(iothub(
      "host = \"127.0.0.1\"\nport = 18883\nservice_port = 18443\nprovision = false\ncleanup = false\n"));
  EXPECT_EQ(local.target.host, "127.0.0.1");
  EXPECT_EQ(local.target.port, 18883);
  EXPECT_EQ(local.target.service_port, 18443);
  EXPECT_FALSE(local.target.provision);
  EXPECT_FALSE(local.target.cleanup);
}

TEST(ScenarioIotHub, ReadsTheConnectionStringFromTheEnvironment) {
  ::setenv("FLEETSIM_TEST_IOTHUB_CS", kConnectionString, 1);
  const Scenario s =
      load_ok("[target]\nkind = \"iothub\"\nconnection_string = \"env:FLEETSIM_TEST_IOTHUB_CS\"\n");
  EXPECT_EQ(s.target.connection_string, kConnectionString);
  EXPECT_EQ(s.target.host, "hub1.azure-devices.net");
  ::unsetenv("FLEETSIM_TEST_IOTHUB_CS");
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"iothub\"\nconnection_string = \"env:FLEETSIM_TEST_IOTHUB_CS\"\n"),
      ElementsAre("s.toml:3:21: error: connection_string = \"env:FLEETSIM_TEST_IOTHUB_CS\": environment "
                  "variable \"FLEETSIM_TEST_IOTHUB_CS\" is not set"));
}

TEST(ScenarioIotHub, NeedsAServiceConnectionString) {
  EXPECT_THAT(diagnostics("[target]\nkind = \"iothub\"\n"),
              ElementsAre(HasSubstr("error: target.kind = \"iothub\" needs connection_string")));
  const auto device_string = diagnostics(
      "[target]\nkind = \"iothub\"\nconnection_string = "
      "\"HostName=h;DeviceId=d;SharedAccessKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"\n");
  ASSERT_EQ(device_string.size(), 1u);
  EXPECT_THAT(device_string[0], AllOf(HasSubstr("s.toml:3:21: error: connection_string is not a service "
                                                "connection string: a device connection string"),
                                      Not(HasSubstr("MDEyMzQ1"))));  // never the key itself
  EXPECT_THAT(
      diagnostics("[target]\nkind = \"iothub\"\nconnection_string = \"HostName=h;SharedAccessKeyName=p\"\n"),
      ElementsAre(HasSubstr("SharedAccessKeyName without SharedAccessKey")));
}

TEST(ScenarioIotHub, PlainTransportsOnlyForALoopbackHub) {
  EXPECT_THAT(
      diagnostics(iothub("transport = \"mqtt\"\n")),
      ElementsAre(HasSubstr("error: transport = \"mqtt\" with target.kind = \"iothub\": IoT Hub accepts "
                            "only TLS")));
  EXPECT_THAT(diagnostics(iothub("transport = \"mqtt-ws\"\nhost = \"iothub.example.com\"\n")),
              ElementsAre(HasSubstr("found host \"iothub.example.com\"")));
  const Scenario local = load_ok(iothub("transport = \"mqtt\"\nhost = \"127.0.0.1\"\n"));
  EXPECT_EQ(local.target.port, 1883);
  EXPECT_EQ(load_ok(iothub("transport = \"mqtt-ws\"\nhost = \"localhost\"\nport = 8080\n")).target.port,
            8080);
}

TEST(ScenarioIotHub, RefusesX509AndC2d) {
  EXPECT_THAT(
      diagnostics(iothub("[fleet]\nauth = \"x509\"\n")),
      ElementsAre(HasSubstr("error: fleet.auth = \"x509\" with target.kind = \"iothub\": not supported "
                            "yet")));
  EXPECT_THAT(diagnostics(iothub("[[backend]]\naction = \"c2d\"\nrate = \"1/s\"\n")),
              Contains(HasSubstr("s.toml:5:10: error: [[backend]] action = \"c2d\" with target.kind = "
                                 "\"iothub\": c2d against a real IoT Hub needs AMQP, which fleetsim does not "
                                 "speak yet")));
}

TEST(ScenarioIotHub, ItsKeysHaveNoEffectElsewhere) {
  EXPECT_THAT(
      diagnostics("[target]\nprovision = false\nservice_port = 8443\n"),
      ElementsAre("s.toml:2:1: warning: target.provision has no effect: it is a key of target.kind = "
                  "\"iothub\"; this target is \"embedded\"",
                  "s.toml:3:1: warning: target.service_port has no effect: it is a key of target.kind = "
                  "\"iothub\"; this target is \"embedded\""));
  EXPECT_THAT(diagnostics("[target]\nservice_port = 0\n"),
              ElementsAre("s.toml:2:16: error: service_port must be between 1 and 65535, found 0"));
}

}  // namespace
}  // namespace fleetsim::sim
