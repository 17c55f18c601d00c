#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using mqtt::ConnackCode;
using test::FakeConnection;
using test::token_for;

class HandleConnect : public test::HubFixture {
 protected:
  // Handles `connect` on a fresh connection; returns the CONNACK code and records the verdict.
  ConnackCode refuse_or_accept(const mqtt::Connect& connect) {
    out.clear();
    verdict = handle_packet(context, connection, connect, test::test_now(), out);
    return test::only_packet<mqtt::Connack>(out).code;
  }

  mqtt::Connect good_device() { return test::connect_packet("dev1", device_username, device_token); }

  FakeConnection connection;
  Verdict verdict = Verdict::keep_open;
  std::string device_username = "hub.example/dev1/?api-version=2021-04-12";
  std::string device_token = token_for("dev1", "", test::primary_key);
};

TEST_F(HandleConnect, AcceptsAValidDeviceAndLinksTheSession) {
  EXPECT_EQ(refuse_or_accept(good_device()), ConnackCode::accepted);
  EXPECT_EQ(verdict, Verdict::keep_open);
  Identity* dev1 = context.registry.find("dev1");
  EXPECT_EQ(connection.session().identity, dev1);
  EXPECT_EQ(dev1->connection, &connection);
  EXPECT_EQ(connection.session().keep_alive_s, 60);
  EXPECT_EQ(context.counters.connects_accepted.load(), 1U);
  EXPECT_EQ(context.counters.connects_refused.load(), 0U);
}

TEST_F(HandleConnect, AcceptsTheSecondaryKeyAndAModule) {
  device_token = token_for("dev1", "", test::secondary_key);
  EXPECT_EQ(refuse_or_accept(good_device()), ConnackCode::accepted);

  FakeConnection module_connection;
  const std::string username = "hub.example/dev1/mod1/?api-version=2021-04-12";
  const std::string token = token_for("dev1", "mod1", test::module_key);
  out.clear();
  handle_packet(context, module_connection, test::connect_packet("dev1/mod1", username, token),
                test::test_now(), out);
  EXPECT_EQ(test::only_packet<mqtt::Connack>(out).code, ConnackCode::accepted);
  EXPECT_EQ(context.registry.find("dev1/mod1")->connection, &module_connection);
}

TEST_F(HandleConnect, AcceptsAnyApiVersionOrNoneAndHostInAnyCase) {
  device_username = "HUB.example/dev1/?";
  EXPECT_EQ(refuse_or_accept(good_device()), ConnackCode::accepted);
}

TEST_F(HandleConnect, ProtocolLevelIsCheckedFirst) {
  mqtt::Connect connect = good_device();
  connect.protocol_level = 3;
  connect.password.reset();  // would be 4 if checked before the level
  EXPECT_EQ(refuse_or_accept(connect), ConnackCode::unacceptable_protocol_version);
  EXPECT_EQ(verdict, Verdict::close);
  EXPECT_EQ(context.counters.connects_refused.load(), 1U);
  EXPECT_EQ(connection.session().identity, nullptr);
}

TEST_F(HandleConnect, UsernameProblemsAreNotAuthorized) {
  for (const char* username : {"hub.example/dev1?api-version=1", "other.host/dev1/?x", "hub.example/dev2/?x",
                               "hub.example/dev1/mod1/?x", "garbage"}) {
    device_username = username;
    EXPECT_EQ(refuse_or_accept(good_device()), ConnackCode::not_authorized) << username;
    EXPECT_EQ(verdict, Verdict::close);
  }
  mqtt::Connect connect = good_device();
  connect.username.reset();
  connect.password.reset();
  EXPECT_EQ(refuse_or_accept(connect), ConnackCode::not_authorized);
}

TEST_F(HandleConnect, ClientIdMustBeTheUsernamesIdentity) {
  mqtt::Connect connect = good_device();
  connect.client_id = "dev2";
  EXPECT_EQ(refuse_or_accept(connect), ConnackCode::not_authorized);
}

TEST_F(HandleConnect, UnknownOrDisabledIdentityIsNotAuthorized) {
  const std::string username = "hub.example/ghost/?api-version=1";
  const std::string token = token_for("ghost", "", test::primary_key);
  EXPECT_EQ(refuse_or_accept(test::connect_packet("ghost", username, token)), ConnackCode::not_authorized);

  context.registry.set_enabled("dev1", "", false);
  mqtt::Connect connect = good_device();
  connect.password.reset();  // identity checks come before the credentials
  EXPECT_EQ(refuse_or_accept(connect), ConnackCode::not_authorized);
}

TEST_F(HandleConnect, MissingPasswordIsBadUsernameOrPassword) {
  mqtt::Connect connect = good_device();
  connect.password.reset();
  EXPECT_EQ(refuse_or_accept(connect), ConnackCode::bad_username_or_password);
  EXPECT_EQ(verdict, Verdict::close);
}

TEST_F(HandleConnect, BadExpiredOrMisScopedTokensAreNotAuthorized) {
  const std::string cases[] = {
      token_for("dev1", "", test::module_key),                           // wrong key
      token_for("dev1", "", test::primary_key, test::test_now_s() - 1),  // expired
      token_for("dev2", "", test::primary_key),                          // another device's scope
      token_for("dev1", "", test::primary_key, test::test_now_s() + 60, "other.host"),
      "SharedAccessSignature garbage",
      "",
  };
  for (const std::string& token : cases) {
    device_token = token;
    EXPECT_EQ(refuse_or_accept(good_device()), ConnackCode::not_authorized) << token;
    EXPECT_EQ(verdict, Verdict::close);
  }
  EXPECT_EQ(context.counters.connects_refused.load(), std::size(cases));
}

TEST_F(HandleConnect, ModuleNeedsTheModulesOwnKey) {
  const std::string username = "hub.example/dev1/mod1/?api-version=1";
  const std::string token = token_for("dev1", "mod1", test::primary_key);  // the device's key
  EXPECT_EQ(refuse_or_accept(test::connect_packet("dev1/mod1", username, token)),
            ConnackCode::not_authorized);
}

TEST_F(HandleConnect, ANewConnectionClosesTheOlderOne) {
  ASSERT_EQ(refuse_or_accept(good_device()), ConnackCode::accepted);
  FakeConnection newer;
  out.clear();
  EXPECT_EQ(handle_packet(context, newer, good_device(), test::test_now(), out), Verdict::keep_open);
  EXPECT_EQ(test::only_packet<mqtt::Connack>(out).code, ConnackCode::accepted);
  EXPECT_EQ(connection.closes, 1);
  EXPECT_EQ(connection.session().identity, nullptr);
  EXPECT_EQ(context.registry.find("dev1")->connection, &newer);
  EXPECT_EQ(newer.closes, 0);
}

TEST_F(HandleConnect, FirstPacketMustBeConnect) {
  out.clear();
  EXPECT_EQ(handle_packet(context, connection, mqtt::Pingreq{}, test::test_now(), out), Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.protocol_errors.load(), 1U);
}

TEST_F(HandleConnect, ASecondConnectOnTheSameConnectionCloses) {
  ASSERT_EQ(refuse_or_accept(good_device()), ConnackCode::accepted);
  out.clear();
  EXPECT_EQ(handle_packet(context, connection, good_device(), test::test_now(), out), Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(context.counters.protocol_errors.load(), 1U);
}

}  // namespace
}  // namespace fleetsim::hub
