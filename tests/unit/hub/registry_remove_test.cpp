// Registry::remove and Registry::for_each_after: what the service API deletes and lists with.
#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::FakeConnection;

class RegistryRemove : public test::HubFixture {
 protected:
  std::vector<std::string> ids_after(std::string_view after = {}) {
    std::vector<std::string> ids;
    context.registry.for_each_after(after, [&](const Identity& identity) {
      ids.push_back(identity.client_id);
      return true;
    });
    return ids;
  }
};

TEST_F(RegistryRemove, IdentitiesComeInAscendingClientIdOrder) {
  context.registry.add_device("dev1-x", test::primary_key);
  context.registry.add_device("a", test::primary_key);
  EXPECT_EQ(ids_after(), (std::vector<std::string>{"a", "dev1", "dev1-x", "dev1/mod1", "dev2"}));
  EXPECT_EQ(ids_after("dev1"), (std::vector<std::string>{"dev1-x", "dev1/mod1", "dev2"}));
  EXPECT_EQ(ids_after("dev1/"), (std::vector<std::string>{"dev1/mod1", "dev2"}));
  int visited = 0;
  context.registry.for_each_after({}, [&](const Identity&) { return ++visited < 2; });
  EXPECT_EQ(visited, 2);
}

TEST_F(RegistryRemove, RemovingADeviceTakesItsModulesAndClosesTheirConnections) {
  FakeConnection device;
  FakeConnection module;
  attach(device, "dev1");
  attach(module, "dev1/mod1");
  EXPECT_EQ(context.registry.size(), 3U);
  EXPECT_TRUE(context.registry.remove("dev1", {}));
  EXPECT_EQ(device.closes, 1);
  EXPECT_EQ(module.closes, 1);
  EXPECT_EQ(context.registry.find("dev1"), nullptr);
  EXPECT_EQ(context.registry.find("dev1/mod1"), nullptr);
  EXPECT_EQ(context.registry.size(), 1U);
  EXPECT_EQ(ids_after(), (std::vector<std::string>{"dev2"}));
  EXPECT_FALSE(context.registry.remove("dev1", {}));
}

TEST_F(RegistryRemove, RemovingAModuleLeavesTheDevice) {
  EXPECT_TRUE(context.registry.remove("dev1", "mod1"));
  EXPECT_NE(context.registry.find("dev1"), nullptr);
  EXPECT_EQ(ids_after(), (std::vector<std::string>{"dev1", "dev2"}));
}

TEST_F(RegistryRemove, ARemovedSlotIsReusedAsAFreshIdentity) {
  Identity* old = context.registry.find("dev2");
  old->twin = std::make_unique<twin::Document>();
  old->enabled = false;
  ASSERT_TRUE(context.registry.remove("dev2", {}));
  Identity* fresh = context.registry.add_device("dev3", test::secondary_key);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh, old);  // the slot, not the identity
  EXPECT_EQ(fresh->client_id, "dev3");
  EXPECT_EQ(fresh->primary_key, test::secondary_key);
  EXPECT_EQ(fresh->twin, nullptr);
  EXPECT_TRUE(fresh->enabled);
  EXPECT_EQ(context.registry.find("dev3"), fresh);
  EXPECT_EQ(context.registry.size(), 3U);
  EXPECT_EQ(ids_after(), (std::vector<std::string>{"dev1", "dev1/mod1", "dev3"}));
}

}  // namespace
}  // namespace fleetsim::hub
