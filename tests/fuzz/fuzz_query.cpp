// libFuzzer target for the IoT Hub query language (hub/query/): parsing any text gives a query or
// an error whose position lies inside the text; a parsed query parses again to the same
// fingerprint; run over a fixed fleet, paging through it one small page at a time yields exactly
// the rows of one big page, the token absent only on the last page; the input used as a
// continuation token is refused with invalid_continuation or accepted, never misread.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/query/continuation.hpp"
#include "hub/query/parser.hpp"
#include "hub/query/run.hpp"

namespace {

namespace json = boost::json;
using namespace fleetsim::hub::query;

void require(bool condition) {
  if (!condition) std::abort();
}

std::vector<json::object> parse_fleet(std::initializer_list<const char*> texts) {
  std::vector<json::object> fleet;
  for (const char* text : texts) fleet.push_back(json::parse(text).as_object());
  return fleet;
}

// In ascending key order, as QueryRun requires; every value type and a few missing members.
const std::vector<json::object>& device_fleet() {
  static const auto fleet = parse_fleet({
      R"({"deviceId":"dev-01","status":"enabled","version":3,"tags":{"site":"plant-7","floor":1,"location":{"region":"US"},"group":"a"},
          "properties":{"desired":{"$version":2},"reported":{"fw":"1.0","temperature":21.5,"online":true,"$version":4}}})",
      R"({"deviceId":"dev-02","status":"enabled","version":2,"tags":{"site":"plant-7","floor":2,"name":"it's \"q\" é"},
          "properties":{"desired":{"$version":1},"reported":{"fw":"1.1","temperature":25,"online":false,"$version":2}}})",
      R"({"deviceId":"dev-03","status":"disabled","version":1,"tags":{"site":"plant-9","floor":null,"list":[1,2]},
          "properties":{"desired":{"$version":1},"reported":{"fw":"1.0","temperature":-3,"$version":1}}})",
      R"({"deviceId":"dev-04","status":"enabled","version":9007199254740993,"tags":{"floor":1.0e300,"c":"x"},
          "properties":{"desired":{"$version":1},"reported":{"fw":2,"temperature":1e-300,"$version":1}}})",
      R"({"deviceId":"sensor-a","status":"enabled","version":1,"tags":{},"properties":{"desired":{},"reported":{}}})",
      R"({"deviceId":"sensor-b","status":"enabled","connectionState":"Connected","version":5,"tags":{"site":"plant-9","group":"x"},
          "properties":{"desired":{"$version":1},"reported":{"fw":"2.0","temperature":30.25,"$version":9}}})",
      R"({"deviceId":"z"})",
  });
  return fleet;
}

const std::vector<json::object>& module_fleet() {
  static const auto fleet = parse_fleet({
      R"({"deviceId":"d1","moduleId":"gateway","tags":{"k":1}})",
      R"({"deviceId":"d1","moduleId":"sensor","tags":{"k":2},"properties":{"reported":{"fw":"1.0"}}})",
      R"({"deviceId":"d2","moduleId":"sensor","tags":{"k":"3"}})",
  });
  return fleet;
}

std::string key_of(const json::object& twin) {
  std::string key(twin.at("deviceId").as_string());
  if (const json::value* module = twin.if_contains("moduleId")) {
    key += '/';
    key += module->as_string();
  }
  return key;
}

// One page as the hub serves it: offering starts after resume_after().
std::variant<Page, QueryError> run_page(const Query& query, const std::vector<json::object>& fleet,
                                        std::size_t page_size, std::string_view token) {
  auto started = QueryRun::start(query, {page_size, token});
  if (auto* error = std::get_if<QueryError>(&started)) return *error;
  QueryRun& run = std::get<QueryRun>(started);
  const std::string after(run.resume_after());
  for (const json::object& twin : fleet) {
    if (!after.empty() && key_of(twin) <= after) continue;
    if (!run.offer(twin)) break;
  }
  return run.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_query(text);
  if (const auto* error = std::get_if<QueryError>(&parsed)) {
    require(!error->message.empty());
    if (error->kind == QueryErrorKind::too_long) {
      require(error->position == max_query_characters + 1);
    } else {
      require(error->position >= 1 && error->position <= character_position(text, text.size()));
      require(error->message.find(" at position " + std::to_string(error->position) + ": ") !=
              std::string::npos);
    }
    return 0;
  }
  const Query& query = std::get<Query>(parsed);
  const auto again = parse_query(text);
  require(std::holds_alternative<Query>(again) && std::get<Query>(again).fingerprint == query.fingerprint);

  const auto& fleet = query.collection == Collection::modules ? module_fleet() : device_fleet();
  const auto whole = run_page(query, fleet, 1000, {});
  require(std::holds_alternative<Page>(whole));
  const Page& all = std::get<Page>(whole);
  require(all.continuation.empty());
  if (query.top) require(all.items.size() <= *query.top);

  const std::size_t page_size = 1 + size % 3;
  json::array paged;
  std::string token;
  std::string first_token;
  std::size_t pages = 0;
  do {
    const auto page = run_page(query, fleet, page_size, token);
    require(std::holds_alternative<Page>(page));
    const Page& p = std::get<Page>(page);
    require(p.items.size() <= page_size);
    require(p.continuation.empty() || (p.items.size() == page_size && decode_continuation(p.continuation)));
    for (const auto& item : p.items) paged.push_back(item);
    token = p.continuation;
    if (pages == 0) first_token = token;
    require(++pages <= all.items.size() + 1);
  } while (!token.empty());
  require(json::serialize(paged) == json::serialize(all.items));

  // The query text as a token: never base64 (FROM and devices need whitespace between them).
  const auto text_token = run_page(query, fleet, page_size, text);
  require(std::holds_alternative<QueryError>(text_token) &&
          std::get<QueryError>(text_token).kind == QueryErrorKind::invalid_continuation);
  // A damaged genuine token: refused, or read as some other resume point; never a crash.
  if (!first_token.empty()) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    first_token[size % first_token.size()] = alphabet[size % (sizeof alphabet - 1)];
    const auto damaged = run_page(query, fleet, page_size, first_token);
    if (const auto* error = std::get_if<QueryError>(&damaged)) {
      require(error->kind == QueryErrorKind::invalid_continuation);
    }
  }
  return 0;
}
