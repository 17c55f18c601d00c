// WHERE and SELECT over twins: comparisons on strings, numbers, Booleans and null, three-valued
// AND/OR/NOT, IN/NIN, the functions, arithmetic, projections, TOP and the item types.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hub/query/evaluate.hpp"
#include "query_test_support.hpp"

namespace fleetsim::hub::query::test {
namespace {

using Ids = std::vector<std::string>;

Ids ids_where(const std::string& condition, const std::vector<json::object>& fleet = sample_fleet()) {
  const Query q = parse_ok("SELECT * FROM devices WHERE " + condition);
  return ids_of(page_ok(q, fleet, {1000, {}}).items);
}

TEST(QueryEvaluate, StringEquality) {
  EXPECT_EQ(ids_where("tags.site = 'plant-7'"), (Ids{"dev-01", "dev-02"}));
  EXPECT_EQ(ids_where("deviceId = \"sensor-a\""), (Ids{"sensor-a"}));
  EXPECT_EQ(ids_where("tags.location.region = 'US'"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("status = 'disabled'"), (Ids{"dev-03"}));
}

TEST(QueryEvaluate, MissingPropertiesCompareFalseEvenWithNotEqual) {
  // sensor-a has no tags.site: undefined, so neither = nor != holds.
  EXPECT_EQ(ids_where("tags.site != 'plant-7'"), (Ids{"dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("tags.site <> 'plant-7'"), (Ids{"dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("tags.site = undefined"), Ids{});
}

TEST(QueryEvaluate, NumbersCompareAcrossIntegerAndDecimal) {
  EXPECT_EQ(ids_where("properties.reported.temperature > 21.5"), (Ids{"dev-02", "sensor-b"}));
  EXPECT_EQ(ids_where("properties.reported.temperature >= 21.5"), (Ids{"dev-01", "dev-02", "sensor-b"}));
  EXPECT_EQ(ids_where("properties.reported.temperature < 0"), (Ids{"dev-03"}));
  EXPECT_EQ(ids_where("properties.reported.temperature <= -3"), (Ids{"dev-03"}));
  EXPECT_EQ(ids_where("properties.reported.temperature = 25.0"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("tags.floor = 0x2"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("properties.reported.$version >= 4"), (Ids{"dev-01", "sensor-b"}));
  EXPECT_EQ(ids_where("version = 5"), (Ids{"sensor-b"}));
}

TEST(QueryEvaluate, StringsOrderByBytes) {
  EXPECT_EQ(ids_where("properties.reported.fw > '1.0'"), (Ids{"dev-02", "sensor-b"}));
  EXPECT_EQ(ids_where("deviceId < 'dev-02'"), (Ids{"dev-01"}));
}

TEST(QueryEvaluate, BooleansAndNull) {
  EXPECT_EQ(ids_where("properties.reported.online = true"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("properties.reported.online = false"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("properties.reported.online != true"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("tags.floor = null"), (Ids{"dev-03"}));
  EXPECT_EQ(ids_where("IS_NULL(tags.floor)"), (Ids{"dev-03"}));
}

TEST(QueryEvaluate, OnlyPrimitivesOfOneTypeCompare) {
  EXPECT_EQ(ids_where("tags.floor = '1'"), Ids{});
  EXPECT_EQ(ids_where("tags.floor > 'a'"), Ids{});
  EXPECT_EQ(ids_where("tags.location = 'US'"), Ids{});
  EXPECT_EQ(ids_where("tags.location = tags.location"), Ids{});
  EXPECT_EQ(ids_where("tags.floor != null"), Ids{});  // numbers and null do not compare
}

TEST(QueryEvaluate, OnlyBooleanTrueSatisfiesACondition) {
  EXPECT_EQ(ids_where("tags.site"), Ids{});
  EXPECT_EQ(ids_where("properties.reported.online"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("tags.floor"), Ids{});
}

TEST(QueryEvaluate, ThreeValuedLogic) {
  EXPECT_EQ(ids_where("tags.site = 'plant-7' AND NOT (properties.reported.fw = '1.0')"), (Ids{"dev-02"}));
  // NOT undefined is undefined: sensor-a (no site) is in neither answer.
  EXPECT_EQ(ids_where("NOT tags.site = 'plant-7'"), (Ids{"dev-03", "sensor-b"}));
  // OR: true wins over undefined; AND: false wins over undefined.
  EXPECT_EQ(ids_where("tags.site = 'plant-9' OR deviceId = 'sensor-a'"),
            (Ids{"dev-03", "sensor-a", "sensor-b"}));
  EXPECT_EQ(ids_where("NOT (tags.site = 'plant-7' AND deviceId = 'x')"),
            (Ids{"dev-01", "dev-02", "dev-03", "sensor-a", "sensor-b"}));
  // AND binds tighter than OR.
  EXPECT_EQ(ids_where("deviceId = 'dev-01' OR tags.site = 'plant-9' AND status = 'disabled'"),
            (Ids{"dev-01", "dev-03"}));
  EXPECT_EQ(ids_where("(deviceId = 'dev-01' OR tags.site = 'plant-9') AND status = 'enabled'"),
            (Ids{"dev-01", "sensor-b"}));
}

TEST(QueryEvaluate, InAndNin) {
  EXPECT_EQ(ids_where("deviceId IN ['dev-01', 'sensor-a']"), (Ids{"dev-01", "sensor-a"}));
  EXPECT_EQ(ids_where("deviceId IN ('dev-02')"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("tags.floor IN [1, 2, 'x']"), (Ids{"dev-01", "dev-02"}));
  EXPECT_EQ(ids_where("properties.reported.temperature IN [-3, 30.25]"), (Ids{"dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("tags.site NIN ['plant-7']"), (Ids{"dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("deviceId IN []"), Ids{});
  EXPECT_EQ(ids_where("tags.location IN [1]"), Ids{});  // objects are not members of anything
}

TEST(QueryEvaluate, IsDefinedIsTrueEvenForNull) {
  EXPECT_EQ(ids_where("IS_DEFINED(tags.site)"), (Ids{"dev-01", "dev-02", "dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("IS_DEFINED(tags.floor)"), (Ids{"dev-01", "dev-02", "dev-03"}));
  EXPECT_EQ(ids_where("NOT IS_DEFINED(properties.reported.fw)"), (Ids{"sensor-a"}));
  EXPECT_EQ(ids_where("is_defined(TAGS.location.region)"), (Ids{"dev-01", "dev-02"}));
}

TEST(QueryEvaluate, StartsWithAndEndsWith) {
  EXPECT_EQ(ids_where("STARTSWITH(deviceId, 'sensor')"), (Ids{"sensor-a", "sensor-b"}));
  EXPECT_EQ(ids_where("ENDSWITH(deviceId, '-02')"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("startswith(tags.site, 'plant-')"), (Ids{"dev-01", "dev-02", "dev-03", "sensor-b"}));
  EXPECT_EQ(ids_where("STARTSWITH(tags.floor, '1')"), Ids{});
  EXPECT_EQ(ids_where("NOT STARTSWITH(tags.floor, '1')"), Ids{});  // undefined, not false
}

TEST(QueryEvaluate, IdentityNamesWithoutCaseUserNamesWithCase) {
  EXPECT_EQ(ids_where("DEVICEID = 'dev-01'"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("Properties.REPORTED.fw = '2.0'"), (Ids{"sensor-b"}));
  EXPECT_EQ(ids_where("tags.SITE = 'plant-7'"), Ids{});
}

TEST(QueryEvaluate, KeywordNamedProperties) {
  EXPECT_EQ(ids_where("tags.[[group]] = 'x'"), (Ids{"sensor-b"}));
  EXPECT_EQ(ids_where("tags.group = 'x'"), (Ids{"sensor-b"}));
}

TEST(QueryEvaluate, Arithmetic) {
  EXPECT_EQ(ids_where("properties.reported.temperature * 2 > 50"), (Ids{"sensor-b"}));
  EXPECT_EQ(ids_where("tags.floor + 1 = 3"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("tags.floor - 1 = 0"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("properties.reported.temperature % 2 = 1"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("properties.reported.temperature / 2 = 12.5"), (Ids{"dev-02"}));
  EXPECT_EQ(ids_where("properties.reported.temperature / 0 = 0"), Ids{});
  EXPECT_EQ(ids_where("properties.reported.temperature % 0 = 0"), Ids{});
  EXPECT_EQ(ids_where("-properties.reported.temperature > 0"), (Ids{"dev-03"}));
  EXPECT_EQ(ids_where("2 + 3 * 4 = 14 AND deviceId = 'dev-01'"), (Ids{"dev-01"}));
  EXPECT_EQ(ids_where("tags.site + 1 = 1"), Ids{});
  EXPECT_EQ(ids_where("1e308 * 10 > 0"), Ids{});  // overflow is undefined
}

TEST(QueryEvaluate, EscapedStringsMatch) {
  const auto fleet = in_key_order({twin(R"({"deviceId":"a","tags":{"name":"it's \"q\" é"}})"),
                                   twin(R"({"deviceId":"b","tags":{"name":"its"}})")});
  EXPECT_EQ(ids_where(R"(tags.name = 'it\'s "q" \u00e9')", fleet), (Ids{"a"}));
  EXPECT_EQ(ids_where(R"(tags.name = "it's \"q\" é")", fleet), (Ids{"a"}));
}

TEST(QueryEvaluate, ProjectionsKeepDefinedColumns) {
  const Query q = parse_ok(
      "SELECT deviceId, properties.reported.temperature AS temp, tags.location FROM devices "
      "WHERE STARTSWITH(deviceId, 'dev')");
  const Page page = page_ok(q, sample_fleet());
  EXPECT_EQ(page.item_type, "raw");
  EXPECT_EQ(json::serialize(page.items), R"([{"deviceId":"dev-01","temp":2.15E1,"location":{"region":"US"}},)"
                                         R"({"deviceId":"dev-02","temp":25,"location":{"region":"EU"}},)"
                                         R"({"deviceId":"dev-03","temp":-3}])");
}

TEST(QueryEvaluate, SelectStarReturnsWholeTwins) {
  const auto fleet = sample_fleet();
  const Page page = page_ok(parse_ok("SELECT * FROM devices WHERE deviceId = 'dev-02'"), fleet);
  EXPECT_EQ(page.item_type, "twin");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].as_object(), fleet[1]);
}

TEST(QueryEvaluate, TopCutsTheResult) {
  EXPECT_EQ(ids_of(page_ok(parse_ok("SELECT TOP 2 * FROM devices"), sample_fleet()).items),
            (Ids{"dev-01", "dev-02"}));
  EXPECT_EQ(
      ids_of(
          page_ok(parse_ok("SELECT TOP 2 * FROM devices WHERE tags.site = 'plant-9'"), sample_fleet()).items),
      (Ids{"dev-03", "sensor-b"}));
  const Page none = page_ok(parse_ok("SELECT TOP 0 * FROM devices"), sample_fleet());
  EXPECT_TRUE(none.items.empty());
  EXPECT_TRUE(none.continuation.empty());
}

TEST(QueryEvaluate, ModuleTwins) {
  const auto modules = in_key_order({
      twin(R"({"deviceId":"d1","moduleId":"sensor","tags":{"k":1}})"),
      twin(R"({"deviceId":"d1","moduleId":"gateway","tags":{"k":2}})"),
      twin(R"({"deviceId":"d2","moduleId":"sensor","tags":{"k":3}})"),
  });
  const Page page = page_ok(parse_ok("SELECT * FROM devices.modules WHERE moduleId = 'sensor'"), modules);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].as_object().at("deviceId"), "d1");
  EXPECT_EQ(page.items[1].as_object().at("deviceId"), "d2");
  const Page ids =
      page_ok(parse_ok("SELECT * FROM devices.modules WHERE deviceId IN ['d1'] AND tags.k > 1"), modules);
  ASSERT_EQ(ids.items.size(), 1u);
  EXPECT_EQ(ids.items[0].as_object().at("moduleId"), "gateway");
}

TEST(QueryEvaluate, LookupFollowsObjectsOnly) {
  const Query q = parse_ok("SELECT tags.a.b FROM devices");
  const Path& path = q.expressions.paths[q.items[0].path];
  EXPECT_NE(lookup(twin(R"({"tags":{"a":{"b":null}}})"), path), nullptr);
  EXPECT_EQ(lookup(twin(R"({"tags":{"a":[{"b":1}]}})"), path), nullptr);
  EXPECT_EQ(lookup(twin(R"({"tags":{"a":"b"}})"), path), nullptr);
  EXPECT_EQ(lookup(twin(R"({})"), path), nullptr);
}

}  // namespace
}  // namespace fleetsim::hub::query::test
