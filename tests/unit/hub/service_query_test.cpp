// POST /devices/query (reference 3.7): the registry streamed into hub/query, pages with
// x-ms-max-item-count and x-ms-continuation (absent on the last page), 400 on a bad query.
#include <boost/json/serialize.hpp>

#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

class ServiceQuery : public test::ServiceFixture {
 protected:
  ServiceQuery() {
    for (int i = 0; i < 5; ++i) {
      const std::string id = std::string("q").append(std::to_string(i));
      context.registry.add_device(id, test::primary_key);
      const std::string site = i % 2 == 0 ? "p7" : "p9";
      EXPECT_EQ(call("PATCH", "/twins/" + id, R"({"tags":{"site":")" + site + R"("}})").status, 200);
    }
  }

  service::Response query(std::string_view sql, std::string_view page_size = {},
                          std::string_view continuation = {}) {
    token_ = test::policy_token(policy("service"));
    body_ = boost::json::serialize(boost::json::object{{"query", sql}});
    service::Request request;
    request.method = "POST";
    service::set_target(request, "/devices/query?api-version=2021-04-12");
    request.authorization = token_;
    request.content_type = "application/json; charset=utf-8";
    request.max_item_count = page_size;
    request.continuation = continuation;
    request.body = body_;
    return api.handle(context, request, test::test_now());
  }

  static std::vector<std::string> ids_of(const service::Response& response) {
    std::vector<std::string> ids;
    const boost::json::value items = boost::json::parse(response.body);
    for (const auto& item : items.as_array()) {
      std::string id(item.at("deviceId").as_string());
      if (const auto* module = item.as_object().if_contains("moduleId"))
        id.append("/").append(module->as_string());
      ids.push_back(std::move(id));
    }
    return ids;
  }

 private:
  std::string token_;
  std::string body_;
};

TEST_F(ServiceQuery, SelectStarReturnsTwinsInIdOrder) {
  const service::Response response = query("SELECT * FROM devices WHERE tags.site = 'p7'");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(response.item_type, "twin");
  EXPECT_TRUE(response.continuation.empty());
  EXPECT_EQ(ids_of(response), (std::vector<std::string>{"q0", "q2", "q4"}));
  const auto first = boost::json::parse(response.body).as_array().at(0).as_object();
  EXPECT_EQ(first.at("tags").at("site").as_string(), "p7");
  EXPECT_TRUE(first.at("properties").as_object().contains("desired"));
  EXPECT_TRUE(first.contains("etag"));
}

TEST_F(ServiceQuery, PagesFollowTheContinuationUntilItIsAbsent) {
  std::vector<std::string> seen;
  std::string continuation;
  int pages = 0;
  do {
    const service::Response page = query("SELECT * FROM devices", "2", continuation);
    ASSERT_EQ(page.status, 200) << page.body;
    const auto ids = ids_of(page);
    EXPECT_LE(ids.size(), 2U);
    seen.insert(seen.end(), ids.begin(), ids.end());
    continuation = page.continuation;
    ASSERT_LT(++pages, 10);
  } while (!continuation.empty());
  EXPECT_EQ(pages, 4);  // dev1, dev2, q0..q4: seven devices in pages of two
  EXPECT_EQ(seen, (std::vector<std::string>{"dev1", "dev2", "q0", "q1", "q2", "q3", "q4"}));
}

TEST_F(ServiceQuery, ModulesProjectionsAndGroups) {
  EXPECT_EQ(ids_of(query("SELECT * FROM devices.modules")), (std::vector<std::string>{"dev1/mod1"}));
  const service::Response projected =
      query("SELECT deviceId, tags.site AS site FROM devices WHERE tags.site = 'p9'");
  ASSERT_EQ(projected.status, 200) << projected.body;
  EXPECT_EQ(projected.item_type, "raw");
  EXPECT_EQ(boost::json::parse(projected.body),
            boost::json::parse(R"([{"deviceId":"q1","site":"p9"},{"deviceId":"q3","site":"p9"}])"));
  const service::Response grouped = query(
      "SELECT tags.site AS site, COUNT() AS n FROM devices WHERE IS_DEFINED(tags.site) GROUP BY tags.site");
  ASSERT_EQ(grouped.status, 200) << grouped.body;
  EXPECT_EQ(boost::json::parse(grouped.body),
            boost::json::parse(R"([{"site":"p7","n":3},{"site":"p9","n":2}])"));
}

TEST_F(ServiceQuery, BadQueriesAndPagingHeadersAre400) {
  const service::Response bad = query("SELECT * FORM devices");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_code, "ArgumentInvalid");
  const std::string message = message_of(bad);
  EXPECT_NE(message.find("The query is invalid."), std::string::npos) << message;
  EXPECT_NE(message.find("position 10"), std::string::npos) << message;
  EXPECT_EQ(query("SELECT * FROM devices", "0").status, 400);
  EXPECT_EQ(query("SELECT * FROM devices", "ten").status, 400);
  EXPECT_EQ(query("SELECT * FROM devices", "2", "not-a-token").status, 400);
  EXPECT_EQ(call("POST", "/devices/query", R"({"sql":"SELECT * FROM devices"})").status, 400);
}

TEST_F(ServiceQuery, QueriesNeedServiceConnect) {
  EXPECT_EQ(call("POST", "/devices/query", R"({"query":"SELECT * FROM devices"})", {},
                 test::policy_token(policy("registryReadWrite")))
                .status,
            401);
}

}  // namespace
}  // namespace fleetsim::hub
