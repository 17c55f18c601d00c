// Shared helpers of the query tests: parse or fail the test, sample twins, and a runner that
// plays the hub's part (twins offered in key order, starting after resume_after()).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/query/parser.hpp"
#include "hub/query/run.hpp"

namespace fleetsim::hub::query::test {

namespace json = boost::json;

inline Query parse_ok(std::string_view text) {
  auto parsed = parse_query(text);
  if (auto* error = std::get_if<QueryError>(&parsed)) {
    ADD_FAILURE() << "'" << text.substr(0, 200) << "' did not parse: " << error->message;
    return {};
  }
  return std::get<Query>(std::move(parsed));
}

inline QueryError parse_error(std::string_view text) {
  auto parsed = parse_query(text);
  if (std::holds_alternative<Query>(parsed)) {
    ADD_FAILURE() << "'" << text.substr(0, 200) << "' parsed but should not have";
    return {};
  }
  return std::get<QueryError>(std::move(parsed));
}

inline json::object twin(std::string_view text) {
  return json::parse(text).as_object();
}

inline std::string key_of(const json::object& twin) {
  std::string key(twin.at("deviceId").as_string());
  if (const auto* module = twin.if_contains("moduleId")) {
    key += '/';
    key += module->as_string();
  }
  return key;
}

// Twins sorted by identity key, as the hub's index visits them.
inline std::vector<json::object> in_key_order(std::vector<json::object> twins) {
  std::sort(twins.begin(), twins.end(),
            [](const json::object& a, const json::object& b) { return key_of(a) < key_of(b); });
  return twins;
}

// One page, offering twins (in key order) after resume_after() like the hub.
inline std::variant<Page, QueryError> run_page(const Query& query, const std::vector<json::object>& sorted,
                                               PageRequest request = {}) {
  auto started = QueryRun::start(query, request);
  if (auto* error = std::get_if<QueryError>(&started)) return *error;
  QueryRun& run = std::get<QueryRun>(started);
  auto it = std::upper_bound(sorted.begin(), sorted.end(), std::string(run.resume_after()),
                             [](const std::string& key, const json::object& t) { return key < key_of(t); });
  if (run.resume_after().empty()) it = sorted.begin();
  for (; it != sorted.end(); ++it) {
    if (!run.offer(*it)) break;
  }
  return run.finish();
}

inline Page page_ok(const Query& query, const std::vector<json::object>& sorted, PageRequest request = {}) {
  auto page = run_page(query, sorted, request);
  if (auto* error = std::get_if<QueryError>(&page)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<Page>(std::move(page));
}

// Every page until the token is absent; `pages` counts them.
inline json::array all_pages(const Query& query, const std::vector<json::object>& sorted,
                             std::size_t page_size, std::size_t* pages = nullptr) {
  json::array all;
  std::string token;
  std::size_t count = 0;
  do {
    Page page = page_ok(query, sorted, {page_size, token});
    EXPECT_LE(page.items.size(), page_size);
    for (auto& item : page.items) all.push_back(std::move(item));
    token = page.continuation;
    if (++count > 10000) {
      ADD_FAILURE() << "paging does not end";
      break;
    }
  } while (!token.empty());
  if (pages != nullptr) *pages = count;
  return all;
}

// A small fleet: ids, tags, desired and reported properties of several types.
inline std::vector<json::object> sample_fleet() {
  return in_key_order({
      twin(
          R"({"deviceId":"dev-01","etag":"AAAAAAAAAAE=","version":3,"status":"enabled","connectionState":"Connected",
               "tags":{"site":"plant-7","floor":1,"location":{"region":"US"}},
               "properties":{"desired":{"interval":10,"$version":2},
                             "reported":{"fw":"1.0","temperature":21.5,"online":true,"$version":4}}})"),
      twin(
          R"({"deviceId":"dev-02","etag":"AAAAAAAAAAI=","version":2,"status":"enabled","connectionState":"Disconnected",
               "tags":{"site":"plant-7","floor":2,"location":{"region":"EU"}},
               "properties":{"desired":{"$version":1},
                             "reported":{"fw":"1.1","temperature":25,"online":false,"$version":2}}})"),
      twin(
          R"({"deviceId":"dev-03","etag":"AAAAAAAAAAM=","version":1,"status":"disabled","connectionState":"Disconnected",
               "tags":{"site":"plant-9","floor":null},
               "properties":{"desired":{"$version":1},"reported":{"fw":"1.0","temperature":-3,"$version":1}}})"),
      twin(
          R"({"deviceId":"sensor-a","etag":"AAAAAAAAAAQ=","version":1,"status":"enabled","connectionState":"Connected",
               "tags":{},"properties":{"desired":{"$version":1},"reported":{"$version":1}}})"),
      twin(
          R"({"deviceId":"sensor-b","etag":"AAAAAAAAAAU=","version":5,"status":"enabled","connectionState":"Connected",
               "tags":{"site":"plant-9","group":"x"},
               "properties":{"desired":{"$version":1},"reported":{"fw":"2.0","temperature":30.25,"$version":9}}})"),
  });
}

inline std::vector<std::string> ids_of(const json::array& items) {
  std::vector<std::string> ids;
  for (const auto& item : items) ids.emplace_back(item.as_object().at("deviceId").as_string());
  return ids;
}

}  // namespace fleetsim::hub::query::test
