// The query language on a registry-sized input: parsing, a page of a filtered SELECT * (stops
// once the page is full), a filter that must scan every twin, and GROUP BY over every twin.
// Counters show twins offered per second, the figure that sizes POST /devices/query.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/json/object.hpp>

#include "hub/query/parser.hpp"
#include "hub/query/run.hpp"

namespace {

namespace json = boost::json;
using namespace fleetsim::hub::query;

// Service twins shaped like the hub's (reference 4.1), without $metadata; keys ascending.
std::vector<json::object> make_fleet(std::size_t count) {
  std::vector<json::object> fleet;
  fleet.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "dev-%05zu", i);
    json::object twin;
    twin["deviceId"] = id;
    twin["etag"] = "AAAAAAAAAAE=";
    twin["version"] = 3;
    twin["status"] = "enabled";
    twin["connectionState"] = i % 10 == 0 ? "Disconnected" : "Connected";
    twin["tags"] = {{"site", i % 4 == 0 ? "plant-7" : "plant-9"}, {"floor", static_cast<int>(i % 12)}};
    twin["properties"] = {{"desired", {{"interval", 10}, {"$version", 2}}},
                          {"reported",
                           {{"fw", i % 3 == 0 ? "1.0" : "1.1"},
                            {"temperature", 15.0 + static_cast<double>(i % 200) / 10},
                            {"online", true},
                            {"$version", 4}}}};
    fleet.push_back(std::move(twin));
  }
  return fleet;
}

const std::vector<json::object>& fleet() {
  static const auto twins = make_fleet(10000);
  return twins;
}

Query parse_or_die(const char* text) {
  auto parsed = parse_query(text);
  if (!std::holds_alternative<Query>(parsed)) std::abort();
  return std::get<Query>(std::move(parsed));
}

void run_first_page(benchmark::State& state, const char* text) {
  const Query query = parse_or_die(text);
  std::size_t offered = 0;
  for (auto _ : state) {
    auto started = QueryRun::start(query, {100, {}});
    QueryRun& run = std::get<QueryRun>(started);
    for (const json::object& twin : fleet()) {
      ++offered;
      if (!run.offer(twin)) break;
    }
    Page page = run.finish();
    benchmark::DoNotOptimize(page.items.size());
  }
  state.counters["twins_per_s"] =
      benchmark::Counter(static_cast<double>(offered), benchmark::Counter::kIsRate);
}

void BM_Parse(benchmark::State& state) {
  const char* text =
      "SELECT deviceId, properties.reported.temperature AS t FROM devices WHERE tags.site = 'plant-7' AND "
      "(properties.reported.temperature > 25 OR status IN ['disabled', 'blocked']) AND "
      "IS_DEFINED(tags.floor)";
  for (auto _ : state) {
    auto parsed = parse_query(text);
    benchmark::DoNotOptimize(parsed.index());
  }
}
BENCHMARK(BM_Parse);

void BM_FilteredPage(benchmark::State& state) {
  run_first_page(
      state, "SELECT * FROM devices WHERE tags.site = 'plant-7' AND properties.reported.temperature > 25");
}
BENCHMARK(BM_FilteredPage);

void BM_FullScan(benchmark::State& state) {
  run_first_page(state,
                 "SELECT deviceId FROM devices WHERE STARTSWITH(deviceId, 'dev-0999') AND tags.floor >= 0");
}
BENCHMARK(BM_FullScan);

void BM_GroupBy(benchmark::State& state) {
  run_first_page(
      state,
      "SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw");
}
BENCHMARK(BM_GroupBy);

}  // namespace

BENCHMARK_MAIN();
