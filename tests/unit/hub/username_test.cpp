#include <gtest/gtest.h>

#include "hub/username.hpp"

namespace fleetsim::hub {
namespace {

TEST(Username, DeviceForm) {
  const auto u = parse_username("localhost/dev1/?api-version=2021-04-12&DeviceClientType=x%2F1");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->device_id, "dev1");
  EXPECT_EQ(u->module_id, "");
  EXPECT_EQ(u->query, "api-version=2021-04-12&DeviceClientType=x%2F1");
}

TEST(Username, ModuleForm) {
  const auto u = parse_username("h.example/dev1/mod1/?model-id=dtmi:com:example:T;1&api-version=1");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "h.example");
  EXPECT_EQ(u->device_id, "dev1");
  EXPECT_EQ(u->module_id, "mod1");
  EXPECT_EQ(u->query, "model-id=dtmi:com:example:T;1&api-version=1");
}

TEST(Username, QueryMayBeEmptyOrAbsent) {
  EXPECT_TRUE(parse_username("h/dev1/?").has_value());
  const auto u = parse_username("h/dev1/");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->query, "");
}

TEST(Username, RefusesOtherShapes) {
  for (const char* bad : {"", "h", "h/", "h/dev1", "h/dev1?api-version=1", "h/dev1/mod1?x=1",
                          "h/dev1/mod1/extra/?x", "/dev1/?x", "h//?x", "h/dev1//?x", "h//mod1/?x"}) {
    EXPECT_FALSE(parse_username(bad).has_value()) << bad;
  }
}

TEST(Username, NamesTheClientIdsIdentity) {
  const auto device = parse_username("h/dev1/?");
  const auto module = parse_username("h/dev1/mod1/?");
  ASSERT_TRUE(device && module);
  EXPECT_TRUE(names_client_id(*device, "dev1"));
  EXPECT_FALSE(names_client_id(*device, "dev2"));
  EXPECT_FALSE(names_client_id(*device, "dev1/mod1"));
  EXPECT_TRUE(names_client_id(*module, "dev1/mod1"));
  EXPECT_FALSE(names_client_id(*module, "dev1"));
  EXPECT_FALSE(names_client_id(*module, "dev1/mod2"));
  EXPECT_FALSE(names_client_id(*module, "dev1xmod1"));
}

TEST(Username, HostsCompareWithoutCaseAndPort) {
  EXPECT_TRUE(host_matches("localhost", "LocalHost"));
  EXPECT_TRUE(host_matches("localhost", "localhost:18883"));
  EXPECT_TRUE(host_matches("localhost:8883", "localhost"));
  EXPECT_FALSE(host_matches("localhost", "localhost2"));
  EXPECT_FALSE(host_matches("localhost", "otherhost"));
}

}  // namespace
}  // namespace fleetsim::hub
