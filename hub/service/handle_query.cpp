// POST /devices/query (reference 3.7): {"query":"SELECT …"} answered with one page, a JSON array,
// x-ms-item-type, and x-ms-continuation only while more results exist. The query language and
// its paging are hub/query's; this streams the registry into it in the order it pages by
// (ascending identity key), one twin view at a time.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <variant>

#include "hub/query/parser.hpp"
#include "hub/query/run.hpp"
#include "hub/service/errors.hpp"
#include "hub/service/handlers.hpp"

namespace fleetsim::hub::service {
namespace json = boost::json;
namespace {

// Page sizes (hub choice of 3.7): x-ms-max-item-count honoured up to 1000, 100 without it.
constexpr std::size_t default_page = 100;
constexpr std::size_t max_page = 1000;

twin::Result read_page_size(std::string_view header, std::size_t& size) {
  size = default_page;
  if (header.empty()) return {};
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
  if (ec != std::errc{} || end != header.data() + header.size() || n == 0) {
    return twin::Result(
        make_error(code::argument_invalid, "x-ms-max-item-count must be a positive whole number."));
  }
  size = static_cast<std::size_t>(std::min<std::uint64_t>(n, max_page));
  return {};
}

twin::Error query_error(const query::QueryError& error) {
  // The real hub's sentence, then where and what (the parser's message carries the position).
  return make_error(
      code::argument_invalid,
      "The query is invalid. Please check the format of the query and try again. " + error.message);
}

}  // namespace

Response handle_query(Call& call) {
  json::value body;
  if (twin::Result r = parse_body(call, body); !r) return refuse(call, r.error());
  const json::value* text = body.get_object().if_contains("query");
  if (text == nullptr || !text->is_string()) {
    return refuse(call, code::argument_invalid, "The body must be {\"query\":\"SELECT ...\"}.");
  }
  std::size_t page_size = 0;
  if (twin::Result r = read_page_size(call.request.max_item_count, page_size); !r)
    return refuse(call, r.error());

  auto parsed = query::parse_query(text->get_string());
  if (const auto* error = std::get_if<query::QueryError>(&parsed)) return refuse(call, query_error(*error));
  const query::Query& query = std::get<query::Query>(parsed);
  auto started = query::QueryRun::start(query, {page_size, call.request.continuation});
  if (const auto* error = std::get_if<query::QueryError>(&started)) return refuse(call, query_error(*error));
  query::QueryRun& run = std::get<query::QueryRun>(started);

  const bool modules = query.collection == query::Collection::modules;
  call.hub.registry.for_each_after(run.resume_after(), [&](Identity& identity) {
    if (identity.is_module() != modules) return true;
    return run.offer(twin_view(call, identity));
  });
  query::Page page = run.finish();

  Response response = json_response(page.items);
  response.item_type = page.item_type;
  response.continuation = std::move(page.continuation);
  return response;
}

}  // namespace fleetsim::hub::service
