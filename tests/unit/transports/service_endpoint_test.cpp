// Service connection strings as endpoints, and path segments (reference 1.2, 3.1).
#include <gtest/gtest.h>

#include <string>

#include "transports/http/service_client.hpp"

namespace fleetsim::transports::http {
namespace {

constexpr std::string_view key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

TEST(ServiceConnectionString, PolicyStringBecomesAnHttpsEndpoint) {
  ServiceEndpoint endpoint;
  std::string error;
  ASSERT_TRUE(parse_service_connection_string(
      "HostName=hub1.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + std::string(key),
      endpoint, error))
      << error;
  EXPECT_EQ(endpoint.host_name, "hub1.azure-devices.net");
  EXPECT_EQ(endpoint.address, "hub1.azure-devices.net");
  EXPECT_EQ(endpoint.port, 443);
  EXPECT_TRUE(endpoint.tls);
  EXPECT_EQ(endpoint.policy_name, "iothubowner");
  EXPECT_EQ(endpoint.policy_key, key);
}

TEST(ServiceConnectionString, RefusesWhatCannotSignServiceRequests) {
  const std::pair<std::string, std::string_view> cases[] = {
      {"HostName=h;DeviceId=d;SharedAccessKey=" + std::string(key), "device connection string"},
      {"HostName=h;SharedAccessKeyName=p", "SharedAccessKeyName without SharedAccessKey"},
      {"HostName=h;SharedAccessKeyName=p;SharedAccessKey=abc$", "not valid base64"},
      {"SharedAccessKeyName=p;SharedAccessKey=" + std::string(key), "missing HostName"},
      {"HostName=h", "DeviceId"},
      {"", "missing HostName"},
  };
  for (const auto& [text, expected] : cases) {
    ServiceEndpoint endpoint;
    std::string error;
    EXPECT_FALSE(parse_service_connection_string(text, endpoint, error)) << text;
    EXPECT_NE(error.find(expected), std::string::npos) << text << " -> " << error;
  }
}

TEST(EncodePathSegment, EscapesEverythingButUnreserved) {
  EXPECT_EQ(encode_path_segment("dev-1_a.b~c"), "dev-1_a.b~c");
  EXPECT_EQ(encode_path_segment("a b/c?d#e%f$g"), "a%20b%2Fc%3Fd%23e%25f%24g");
  EXPECT_EQ(encode_path_segment(""), "");
}

}  // namespace
}  // namespace fleetsim::transports::http
