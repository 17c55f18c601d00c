// Aggregates and GROUP BY: COUNT() over all or filtered twins, groups keyed by one or more
// paths (an undefined path is a group of its own, shown without the column), SUM/AVG/MIN/MAX,
// and grouped results paged like rows.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "query_test_support.hpp"

namespace fleetsim::hub::query::test {
namespace {

// Rows as serialized text, order ignored.
std::multiset<std::string> rows(const json::array& items) {
  std::multiset<std::string> out;
  for (const auto& item : items) out.insert(json::serialize(item));
  return out;
}

TEST(QueryGroup, CountAll) {
  const Page page = page_ok(parse_ok("SELECT COUNT() AS n FROM devices"), sample_fleet());
  EXPECT_EQ(json::serialize(page.items), R"([{"n":5}])");
  EXPECT_EQ(page.item_type, "raw");
  EXPECT_TRUE(page.continuation.empty());
}

TEST(QueryGroup, CountFilteredAndUnnamed) {
  EXPECT_EQ(
      json::serialize(
          page_ok(parse_ok("SELECT COUNT() FROM devices WHERE tags.site = 'plant-7'"), sample_fleet()).items),
      R"([{"$1":2}])");
}

TEST(QueryGroup, CountOfNothingIsZero) {
  EXPECT_EQ(json::serialize(
                page_ok(parse_ok("SELECT COUNT() AS n FROM devices WHERE deviceId = 'none'"), sample_fleet())
                    .items),
            R"([{"n":0}])");
  EXPECT_EQ(json::serialize(page_ok(parse_ok("SELECT COUNT() AS n FROM devices"), {}).items), R"([{"n":0}])");
}

TEST(QueryGroup, GroupByFirmware) {
  const Page page = page_ok(
      parse_ok(
          "SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw"),
      sample_fleet());
  // sensor-a reports no fw: its group has only the count.
  EXPECT_EQ(rows(page.items), (std::multiset<std::string>{R"({"fw":"1.0","n":2})", R"({"fw":"1.1","n":1})",
                                                          R"({"fw":"2.0","n":1})", R"({"n":1})"}));
  EXPECT_TRUE(page.continuation.empty());
}

TEST(QueryGroup, GroupByWithWhereAndSeveralPaths) {
  const Page page = page_ok(parse_ok("SELECT tags.site AS site, status, COUNT() AS n FROM devices "
                                     "WHERE IS_DEFINED(tags.site) GROUP BY tags.site, status"),
                            sample_fleet());
  EXPECT_EQ(rows(page.items), (std::multiset<std::string>{R"({"site":"plant-7","status":"enabled","n":2})",
                                                          R"({"site":"plant-9","status":"disabled","n":1})",
                                                          R"({"site":"plant-9","status":"enabled","n":1})"}));
}

TEST(QueryGroup, EqualNumbersShareAGroup) {
  const auto fleet = in_key_order(
      {twin(R"({"deviceId":"a","tags":{"v":25}})"), twin(R"({"deviceId":"b","tags":{"v":25.0}})"),
       twin(R"({"deviceId":"c","tags":{"v":"25"}})"), twin(R"({"deviceId":"d","tags":{"v":null}})"),
       twin(R"({"deviceId":"e","tags":{"v":{"x":1}}})"), twin(R"({"deviceId":"f","tags":{"v":{"x":1}}})")});
  const Page page = page_ok(parse_ok("SELECT tags.v, COUNT() AS n FROM devices GROUP BY tags.v"), fleet);
  EXPECT_EQ(rows(page.items), (std::multiset<std::string>{R"({"v":25,"n":2})", R"({"v":"25","n":1})",
                                                          R"({"v":null,"n":1})", R"({"v":{"x":1},"n":2})"}));
}

TEST(QueryGroup, GroupByWithoutAggregateGivesDistinctValues) {
  const Page page =
      page_ok(parse_ok("SELECT tags.site FROM devices WHERE IS_DEFINED(tags.site) GROUP BY tags.site"),
              sample_fleet());
  EXPECT_EQ(rows(page.items), (std::multiset<std::string>{R"({"site":"plant-7"})", R"({"site":"plant-9"})"}));
}

TEST(QueryGroup, SumAvgMinMax) {
  const Page page =
      page_ok(parse_ok("SELECT SUM(properties.reported.temperature) AS s, "
                       "AVG(properties.reported.temperature) AS a, MIN(properties.reported.temperature) "
                       "AS lo, MAX(properties.reported.temperature) AS hi, SUM(tags.floor) AS floors, "
                       "COUNT() AS n FROM devices"),
              sample_fleet());
  // 21.5 + 25 - 3 + 30.25 over the four twins reporting a number; floors 1 + 2 (null is no number).
  EXPECT_EQ(json::serialize(page.items),
            R"([{"s":7.375E1,"a":1.84375E1,"lo":-3,"hi":3.025E1,"floors":3,"n":5}])");
}

TEST(QueryGroup, AggregatesOfNoNumbers) {
  const Page page = page_ok(parse_ok("SELECT SUM(tags.site) AS s, AVG(tags.site) AS a, MIN(tags.site) AS lo, "
                                     "MAX(tags.x) AS hi FROM devices"),
                            sample_fleet());
  EXPECT_EQ(json::serialize(page.items), R"([{"s":0}])");
}

TEST(QueryGroup, AggregatesPerGroup) {
  const Page page =
      page_ok(parse_ok("SELECT tags.site AS site, MAX(properties.reported.temperature) AS hi, COUNT() AS n "
                       "FROM devices WHERE IS_DEFINED(tags.site) GROUP BY tags.site"),
              sample_fleet());
  EXPECT_EQ(rows(page.items), (std::multiset<std::string>{R"({"site":"plant-7","hi":25,"n":2})",
                                                          R"({"site":"plant-9","hi":3.025E1,"n":2})"}));
}

TEST(QueryGroup, GroupsPageWithoutDuplicatesOrGaps) {
  std::vector<json::object> fleet;
  for (int i = 0; i < 100; ++i) {
    fleet.push_back(twin(R"({"deviceId":"d)" + std::to_string(1000 + i) + R"(","tags":{"g":)" +
                         std::to_string(i % 23) + "}}"));
  }
  fleet = in_key_order(std::move(fleet));
  const Query q = parse_ok("SELECT tags.g AS g, COUNT() AS n FROM devices GROUP BY tags.g");
  std::size_t pages = 0;
  const json::array all = all_pages(q, fleet, 5, &pages);
  EXPECT_EQ(pages, 5u);  // 23 groups, 5 per page
  std::set<std::int64_t> groups;
  std::int64_t total = 0;
  for (const auto& row : all) {
    EXPECT_TRUE(groups.insert(row.as_object().at("g").as_int64()).second) << "duplicate group";
    total += row.as_object().at("n").to_number<std::int64_t>();
  }
  EXPECT_EQ(groups.size(), 23u);
  EXPECT_EQ(total, 100);
}

TEST(QueryGroup, TopLimitsGroups) {
  const Query q = parse_ok(
      "SELECT TOP 3 tags.site AS site, properties.reported.fw AS fw, COUNT() AS n FROM devices "
      "GROUP BY tags.site, properties.reported.fw");
  std::size_t pages = 0;
  EXPECT_EQ(all_pages(q, sample_fleet(), 2, &pages).size(), 3u);
  EXPECT_EQ(pages, 2u);
}

}  // namespace
}  // namespace fleetsim::hub::query::test
