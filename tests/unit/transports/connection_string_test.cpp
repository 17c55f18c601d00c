// Connection strings (reference 1.2): every form, and the malformed ones.
#include <gtest/gtest.h>

#include <string>

#include "transports/iothub/sas.hpp"

namespace fleetsim::iothub {
namespace {

constexpr std::string_view key = "PqZ70GzRIOv8Mfap31nzDjwqsRwt8X6VTLDUM48qDGk=";

TEST(ConnectionString, Device) {
  const auto cs = parse_connection_string(
      std::string("HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=") + std::string(key));
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->host_name, "hub.azure-devices.net");
  EXPECT_EQ(cs->device_id, "dev1");
  EXPECT_EQ(cs->shared_access_key, key);  // the trailing '=' of the key survives
  EXPECT_TRUE(cs->module_id.empty());
  EXPECT_FALSE(cs->x509);
}

TEST(ConnectionString, Module) {
  const auto cs =
      parse_connection_string("HostName=h;DeviceId=dev1;ModuleId=sensor;SharedAccessKey=" + std::string(key));
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->device_id, "dev1");
  EXPECT_EQ(cs->module_id, "sensor");
}

TEST(ConnectionString, ViaGateway) {
  const auto cs =
      parse_connection_string("HostName=localhost;DeviceId=dev1;SharedAccessKey=" + std::string(key) +
                              ";GatewayHostName=localhost:18883");
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->host_name, "localhost");
  EXPECT_EQ(cs->gateway_host_name, "localhost:18883");
}

TEST(ConnectionString, ReadyMadeTokenSplitAtTheFirstEqualsOnly) {
  const std::string token =
      "SharedAccessSignature "
      "sr=localhost%2Fdevices%2Fdev1&sig=1in4J7DL2TF9lL%2FTogoBZ2Is2axoPBGmQXVwsoVK4YM%3D"
      "&se=1795380885";
  const auto cs = parse_connection_string("HostName=localhost;DeviceId=dev1;SharedAccessSignature=" + token);
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->shared_access_signature, token);
  EXPECT_TRUE(cs->shared_access_key.empty());
}

TEST(ConnectionString, X509) {
  const auto cs = parse_connection_string("HostName=h;DeviceId=dev1;x509=true");
  ASSERT_TRUE(cs);
  EXPECT_TRUE(cs->x509);
  EXPECT_TRUE(parse_connection_string("HostName=h;DeviceId=dev1;x509=True"));
}

TEST(ConnectionString, Service) {
  const auto cs = parse_connection_string(
      "HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=" + std::string(key) + ";");
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->shared_access_key_name, "iothubowner");
  EXPECT_EQ(cs->shared_access_key, key);
  EXPECT_TRUE(cs->device_id.empty());
}

TEST(ConnectionString, PartsInAnyOrder) {
  const auto cs = parse_connection_string("SharedAccessKey=" + std::string(key) + ";DeviceId=d;HostName=h");
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->host_name, "h");
}

TEST(ConnectionString, FormatsAndParsesBack) {
  ConnectionString cs;
  cs.host_name = "localhost";
  cs.device_id = "dev1";
  cs.module_id = "m";
  cs.shared_access_key = key;
  cs.gateway_host_name = "gw:18883";
  const std::string text = to_string(cs);
  EXPECT_EQ(text, "HostName=localhost;DeviceId=dev1;ModuleId=m;SharedAccessKey=" + std::string(key) +
                      ";GatewayHostName=gw:18883");
  const auto back = parse_connection_string(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(to_string(*back), text);

  ConnectionString x509;
  x509.host_name = "h";
  x509.device_id = "d";
  x509.x509 = true;
  EXPECT_EQ(to_string(x509), "HostName=h;DeviceId=d;x509=true");

  ConnectionString service;
  service.host_name = "h";
  service.shared_access_key_name = "service";
  service.shared_access_key = key;
  EXPECT_EQ(to_string(service), "HostName=h;SharedAccessKeyName=service;SharedAccessKey=" + std::string(key));
}

TEST(ConnectionString, MalformedStringsSayWhy) {
  const std::string k(key);
  const std::pair<std::string, std::string> cases[] = {
      {"", "missing HostName"},
      {"DeviceId=d;SharedAccessKey=" + k, "missing HostName"},
      {"HostName=h;SharedAccessKey=" + k, "missing DeviceId"},
      {"HostName=h;DeviceId=d", "exactly one"},
      {"HostName=h;DeviceId=d;SharedAccessKey=" + k + ";x509=true", "exactly one"},
      {"HostName=h;DeviceId=d;SharedAccessKey=" + k +
           ";SharedAccessSignature=SharedAccessSignature sr=h&sig=s&se=1",
       "exactly one"},
      {"HostName=h;DeviceId=d;x509=false", "exactly one"},
      {"HostName=h;DeviceId=d;x509=yes", "'x509' must be true or false"},
      {"HostName=h;DeviceId=d;SharedAccessKey=not base64", "not valid base64"},
      {"HostName=h;DeviceId=d;SharedAccessSignature=token", "not a valid SAS token"},
      {"HostName=h;DeviceId=d;DeviceId=e;x509=true", "'DeviceId' appears twice"},
      {"HostName=h;DeviceId=;x509=true", "'DeviceId' is empty"},
      {"HostName=h;DeviceId=d;x509=true;Bogus=1", "unknown part 'Bogus'"},
      {"HostName=h;DeviceId=d;x509=true;junk", "part 'junk' has no '='"},
      {"HostName=h;ModuleId=m;x509=true", "ModuleId without DeviceId"},
      {"HostName=h;SharedAccessKeyName=p", "SharedAccessKeyName without SharedAccessKey"},
      {"HostName=h;SharedAccessKeyName=p;SharedAccessKey=" + k + ";x509=true", "only credential"},
      {"hostname=h;DeviceId=d;x509=true", "unknown part 'hostname'"},
  };
  for (const auto& [text, reason] : cases) {
    std::string error;
    EXPECT_FALSE(parse_connection_string(text, &error)) << text;
    EXPECT_NE(error.find(reason), std::string::npos) << text << " -> " << error;
  }
  EXPECT_FALSE(parse_connection_string("HostName=h"));  // no error pointer: still refused
}

}  // namespace
}  // namespace fleetsim::iothub
