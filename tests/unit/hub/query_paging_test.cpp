// Paging (x-ms-max-item-count / x-ms-continuation, reference 3.7): pages in key order with no
// duplicates and no gaps, the token absent on the last page (also when the last page is exactly
// full), TOP across pages, resumption while twins come and go, and invalid tokens refused.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hub/query/continuation.hpp"
#include "query_test_support.hpp"

namespace fleetsim::hub::query::test {
namespace {

std::vector<json::object> numbered_fleet(int count, int first = 0) {
  std::vector<json::object> fleet;
  for (int i = first; i < first + count; ++i) {
    fleet.push_back(twin(R"({"deviceId":"dev-)" + std::to_string(10000 + i) + R"(","tags":{"n":)" +
                         std::to_string(i) + "}}"));
  }
  return in_key_order(std::move(fleet));
}

TEST(QueryPaging, PagesCoverEveryTwinOnceInKeyOrder) {
  const auto fleet = numbered_fleet(250);
  const Query q = parse_ok("SELECT * FROM devices");
  std::vector<std::size_t> sizes;
  std::string token;
  std::vector<std::string> ids;
  do {
    const Page page = page_ok(q, fleet, {100, token});
    sizes.push_back(page.items.size());
    for (const auto& id : ids_of(page.items)) ids.push_back(id);
    token = page.continuation;
  } while (!token.empty());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{100, 100, 50}));
  ASSERT_EQ(ids.size(), 250u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], "dev-" + std::to_string(10000 + i));
}

TEST(QueryPaging, NoTokenWhenTheLastPageIsExactlyFull) {
  const auto fleet = numbered_fleet(100);
  const Page page = page_ok(parse_ok("SELECT * FROM devices"), fleet, {100, {}});
  EXPECT_EQ(page.items.size(), 100u);
  EXPECT_TRUE(page.continuation.empty());

  std::size_t pages = 0;
  EXPECT_EQ(all_pages(parse_ok("SELECT * FROM devices"), fleet, 50, &pages).size(), 100u);
  EXPECT_EQ(pages, 2u);
}

TEST(QueryPaging, FilteredPagesSkipNonMatchingTwins) {
  const auto fleet = numbered_fleet(300);
  const Query q = parse_ok("SELECT deviceId FROM devices WHERE tags.n % 7 = 0");
  std::size_t pages = 0;
  const json::array all = all_pages(q, fleet, 10, &pages);
  ASSERT_EQ(all.size(), 43u);  // 0, 7, ..., 294
  EXPECT_EQ(pages, 5u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(std::string(all[i].as_object().at("deviceId").as_string()),
              "dev-" + std::to_string(10000 + 7 * i));
  }
}

TEST(QueryPaging, PageSizeZeroCountsAsOne) {
  const Page page = page_ok(parse_ok("SELECT * FROM devices"), numbered_fleet(3), {0, {}});
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_FALSE(page.continuation.empty());
}

TEST(QueryPaging, TopSpansPages) {
  const Query q = parse_ok("SELECT TOP 5 * FROM devices");
  std::vector<std::size_t> sizes;
  std::string token;
  std::vector<std::string> ids;
  do {
    const Page page = page_ok(q, numbered_fleet(20), {2, token});
    sizes.push_back(page.items.size());
    for (const auto& id : ids_of(page.items)) ids.push_back(id);
    token = page.continuation;
  } while (!token.empty());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(ids.back(), "dev-10004");
}

TEST(QueryPaging, TopEqualToAPageEndsWithoutToken) {
  const Page page = page_ok(parse_ok("SELECT TOP 4 * FROM devices"), numbered_fleet(20), {4, {}});
  EXPECT_EQ(page.items.size(), 4u);
  EXPECT_TRUE(page.continuation.empty());
}

TEST(QueryPaging, ResumesAfterTheLastKeyWhileTwinsComeAndGo) {
  auto fleet = numbered_fleet(10);  // dev-10000 .. dev-10009
  const Query q = parse_ok("SELECT * FROM devices");
  const Page first = page_ok(q, fleet, {4, {}});
  ASSERT_EQ(ids_of(first.items).back(), "dev-10003");
  // Meanwhile: the last returned twin and an earlier one are deleted, one is added before the
  // resume point (too late for this paging) and one after it.
  fleet.erase(fleet.begin() + 3);
  fleet.erase(fleet.begin() + 1);
  fleet.push_back(twin(R"({"deviceId":"dev-10001a"})"));
  fleet.push_back(twin(R"({"deviceId":"dev-10005a"})"));
  fleet = in_key_order(std::move(fleet));
  const Page second = page_ok(q, fleet, {4, first.continuation});
  EXPECT_EQ(ids_of(second.items),
            (std::vector<std::string>{"dev-10004", "dev-10005", "dev-10005a", "dev-10006"}));
  const Page third = page_ok(q, fleet, {4, second.continuation});
  EXPECT_EQ(ids_of(third.items), (std::vector<std::string>{"dev-10007", "dev-10008", "dev-10009"}));
  EXPECT_TRUE(third.continuation.empty());
}

TEST(QueryPaging, TwinsOfferedFromTheStartAreSkippedUpToTheResumePoint) {
  const auto fleet = numbered_fleet(6);
  const Query q = parse_ok("SELECT * FROM devices");
  const Page first = page_ok(q, fleet, {3, {}});
  auto started = QueryRun::start(q, {3, first.continuation});
  QueryRun& run = std::get<QueryRun>(started);
  EXPECT_EQ(run.resume_after(), "dev-10002");
  for (const auto& t : fleet) {
    if (!run.offer(t)) break;
  }
  const Page second = run.finish();
  EXPECT_EQ(ids_of(second.items), (std::vector<std::string>{"dev-10003", "dev-10004", "dev-10005"}));
  EXPECT_TRUE(second.continuation.empty());
}

TEST(QueryPaging, StopsOfferingOnceThePageIsProvenIncomplete) {
  const auto fleet = numbered_fleet(50);
  const Query q = parse_ok("SELECT * FROM devices");
  auto started = QueryRun::start(q, {10, {}});
  QueryRun& run = std::get<QueryRun>(started);
  std::size_t offered = 0;
  for (const auto& t : fleet) {
    ++offered;
    if (!run.offer(t)) break;
  }
  EXPECT_EQ(offered, 11u);  // ten rows and the one proving there is more
  EXPECT_FALSE(run.finish().continuation.empty());
}

TEST(QueryPaging, GroupedQueriesSeeEveryTwin) {
  const Query q = parse_ok("SELECT COUNT() AS n FROM devices");
  auto started = QueryRun::start(q, {1, {}});
  QueryRun& run = std::get<QueryRun>(started);
  EXPECT_EQ(run.resume_after(), "");
  for (const auto& t : numbered_fleet(30)) EXPECT_TRUE(run.offer(t));
  EXPECT_EQ(json::serialize(run.finish().items), R"([{"n":30}])");
}

TEST(QueryPaging, ModulesPageByDeviceThenModule) {
  std::vector<json::object> modules;
  for (const char* d : {"d1", "d2", "d3"}) {
    for (const char* m : {"gateway", "sensor"}) {
      modules.push_back(twin(std::string(R"({"deviceId":")") + d + R"(","moduleId":")" + m + R"("})"));
    }
  }
  modules = in_key_order(std::move(modules));
  const json::array all = all_pages(parse_ok("SELECT * FROM devices.modules"), modules, 4);
  ASSERT_EQ(all.size(), 6u);
  std::set<std::string> keys;
  for (const auto& item : all) keys.insert(key_of(item.as_object()));
  EXPECT_EQ(keys.size(), 6u);
}

TEST(QueryPaging, TokensSurviveReformattingOfTheQuery) {
  const auto fleet = numbered_fleet(5);
  const Page first = page_ok(parse_ok("SELECT * FROM devices WHERE tags.n >= 1"), fleet, {2, {}});
  const Page second =
      page_ok(parse_ok("select *  from devices\nwhere tags.n>=1"), fleet, {2, first.continuation});
  EXPECT_EQ(ids_of(second.items), (std::vector<std::string>{"dev-10003", "dev-10004"}));
}

TEST(QueryPaging, InvalidTokensAreRefused) {
  const auto fleet = numbered_fleet(5);
  const Query q = parse_ok("SELECT TOP 4 * FROM devices");
  const Page first = page_ok(q, fleet, {2, {}});
  ASSERT_FALSE(first.continuation.empty());
  const auto decoded = decode_continuation(first.continuation);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->returned, 2u);
  EXPECT_EQ(decoded->last_key, "dev-10001");

  const auto forged = [&](std::uint64_t fingerprint, std::uint64_t returned, std::string key) {
    return encode_continuation({fingerprint, returned, std::move(key)});
  };
  const std::string other_query = page_ok(parse_ok("SELECT * FROM devices"), fleet, {2, {}}).continuation;
  for (const std::string& bad :
       {std::string("!!!"), std::string("AAAA"), std::string("not base64"), first.continuation.substr(1),
        other_query, forged(q.fingerprint + 1, 2, "dev-10001"), forged(q.fingerprint, 0, "dev-10001"),
        forged(q.fingerprint, 4, "dev-10001"), forged(q.fingerprint, 2, "")}) {
    const auto result = run_page(q, fleet, {2, bad});
    ASSERT_TRUE(std::holds_alternative<QueryError>(result)) << bad;
    const QueryError& e = std::get<QueryError>(result);
    EXPECT_EQ(e.kind, QueryErrorKind::invalid_continuation) << bad;
    EXPECT_EQ(e.message, "Invalid continuation token: it was not issued for this query");
  }
  // The genuine token still works.
  EXPECT_TRUE(std::holds_alternative<Page>(run_page(q, fleet, {2, first.continuation})));
}

}  // namespace
}  // namespace fleetsim::hub::query::test
