#include "hub/registry.hpp"
#include "hub/ids.hpp"
#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::primary_key;
using test::secondary_key;

TEST(Ids, AcceptsTheCharactersOfReference11) {
  EXPECT_TRUE(is_valid_device_id("dev-1.a%b_c*d?e!f(g)h,i:j=k@l$m'n"));
  EXPECT_TRUE(is_valid_device_id(std::string(128, 'a')));
  EXPECT_TRUE(is_valid_device_id("$starts-with-dollar"));
}

TEST(Ids, RefusesEmptyTooLongAndForbiddenCharacters) {
  EXPECT_FALSE(is_valid_device_id(""));
  EXPECT_FALSE(is_valid_device_id(std::string(129, 'a')));
  for (const char* id : {"a+b", "a#b", "a/b", "a b", "a;b", "a\"b", "caf\xc3\xa9"}) {
    EXPECT_FALSE(is_valid_device_id(id)) << id;
  }
}

TEST(Ids, ModuleIdsMayNotStartWithDollar) {
  EXPECT_TRUE(is_valid_module_id("sensor"));
  EXPECT_TRUE(is_valid_module_id("a$b"));
  EXPECT_FALSE(is_valid_module_id("$edgeAgent"));
  EXPECT_FALSE(is_valid_module_id("a/b"));
}

TEST(Registry, AddsAndFindsDevicesByClientId) {
  Registry registry;
  Identity* dev = registry.add_device("dev1", primary_key, secondary_key);
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->device_id(), "dev1");
  EXPECT_EQ(dev->module_id(), "");
  EXPECT_FALSE(dev->is_module());
  EXPECT_TRUE(dev->enabled);
  EXPECT_EQ(dev->primary_key, primary_key);
  EXPECT_EQ(dev->secondary_key, secondary_key);
  EXPECT_EQ(registry.find("dev1"), dev);
  EXPECT_EQ(registry.find("dev1", ""), dev);
  EXPECT_EQ(registry.find("dev2"), nullptr);
  EXPECT_EQ(registry.find("DEV1"), nullptr);  // ids are case-sensitive
}

TEST(Registry, RefusesDuplicatesInvalidIdsAndKeys) {
  Registry registry;
  ASSERT_NE(registry.add_device("dev1", primary_key), nullptr);
  EXPECT_EQ(registry.add_device("dev1", primary_key), nullptr);
  EXPECT_EQ(registry.add_device("bad#id", primary_key), nullptr);
  EXPECT_EQ(registry.add_device("dev2", ""), nullptr);
  EXPECT_EQ(registry.add_device("dev2", "not base64!"), nullptr);
  EXPECT_EQ(registry.add_device("dev2", primary_key, "not base64!"), nullptr);
  EXPECT_EQ(registry.size(), 1U);
}

TEST(Registry, ModulesNeedTheirDeviceAndAValidId) {
  Registry registry;
  EXPECT_EQ(registry.add_module("dev1", "mod1", primary_key), nullptr);
  ASSERT_NE(registry.add_device("dev1", primary_key), nullptr);
  Identity* module = registry.add_module("dev1", "mod1", primary_key);
  ASSERT_NE(module, nullptr);
  EXPECT_TRUE(module->is_module());
  EXPECT_EQ(module->device_id(), "dev1");
  EXPECT_EQ(module->module_id(), "mod1");
  EXPECT_EQ(module->client_id, "dev1/mod1");
  EXPECT_EQ(registry.find("dev1/mod1"), module);
  EXPECT_EQ(registry.find("dev1", "mod1"), module);
  EXPECT_EQ(registry.add_module("dev1", "mod1", primary_key), nullptr);
  EXPECT_EQ(registry.add_module("dev1", "$edgeHub", primary_key), nullptr);
  EXPECT_EQ(registry.add_module("dev1", "m+1", primary_key), nullptr);
  // The same module name on another device is another identity.
  ASSERT_NE(registry.add_device("dev2", primary_key), nullptr);
  EXPECT_NE(registry.add_module("dev2", "mod1", primary_key), nullptr);
  EXPECT_EQ(registry.find("dev1", std::string(200, 'm')), nullptr);
}

TEST(Registry, IdentitiesKeepTheirAddressAsTheRegistryGrows) {
  Registry registry;
  Identity* first = registry.add_device("dev0", primary_key);
  for (int i = 1; i < 2000; ++i) {
    ASSERT_NE(registry.add_device("dev" + std::to_string(i), primary_key), nullptr);
  }
  EXPECT_EQ(registry.find("dev0"), first);
  EXPECT_EQ(first->client_id, "dev0");
}

TEST(Registry, DisablingDropsTheLiveConnection) {
  Registry registry;
  Identity* dev = registry.add_device("dev1", primary_key);
  test::FakeConnection connection;
  dev->connection = &connection;
  connection.session().identity = dev;

  EXPECT_TRUE(registry.set_enabled("dev1", "", true));
  EXPECT_EQ(connection.closes, 0);
  EXPECT_TRUE(registry.set_enabled("dev1", "", false));
  EXPECT_FALSE(dev->enabled);
  EXPECT_EQ(connection.closes, 1);
  EXPECT_EQ(dev->connection, nullptr);
  EXPECT_FALSE(registry.set_enabled("nobody", "", false));
  EXPECT_FALSE(registry.set_enabled("dev1", "nomodule", false));
  EXPECT_TRUE(registry.set_enabled("dev1", "", true));
  EXPECT_TRUE(dev->enabled);
}

}  // namespace
}  // namespace fleetsim::hub
